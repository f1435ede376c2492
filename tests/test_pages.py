"""AppTest over every page of the dashboard against the fixture database."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.dashboard_fixture import build_empty_db, build_fixture_db

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
NBSP = "\u00a0"
def shown(markdown: str) -> str:
    """What the user reads of a Markdown label whose document text is escaped (fmt.md_escape)."""
    return re.sub(r"\\(.)", r"\1", markdown)


PAGES = ["oversikt", "jamfor_indikator", "stadsdelsprofil", "maluppfyllelse", "ekonomi", "aktiviteter", "sok", "dokument", "stadsdelar", "kallor"]


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("pages") / "fixture.duckdb")


@pytest.fixture()
def app(fixture_db, monkeypatch):
    monkeypatch.setenv("STADSDEL_DB", str(fixture_db))
    monkeypatch.setenv("STADSDEL_INPUT", str(fixture_db.parent))   # no source files: no excerpts

    def open_page(page: str, **params) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        if page != "oversikt":
            at.switch_page(f"pages/{page}.py")
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return open_page


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.label for e in at.expander]
    parts += [i.value for i in at.info] + [m.label + " " + str(m.value) for m in at.metric]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception(app, page):
    at = app(page)
    assert at.title and at.title[0].value


def test_overview_shows_what_is_loaded(app):
    at = app("oversikt")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Stadsdelar"] == "5"
    assert metrics["Dokument"] == "8"
    assert metrics["Indikatorvärden"] == "14"
    assert metrics["KF-mål helt uppfyllda 2021"] == f"33{NBSP}%"
    assert metrics["Indikatorer som nått målet 2021"] == f"50{NBSP}%"
    assert [t.label for t in at.tabs] == ["Diagram", "Tabell"]
    latest = at.table[-1].value                # a short list: a static table, its cells escaped
    assert list(latest.columns) == ["Stadsdel", "År", "Dokument", "Enhet", "Fil"]
    assert "spanga-tensta_verksamhetsberattelse_2021.txt" in [shown(f) for f in latest["Fil"]]
    assert not at.dataframe                   # no data grid on the start page's default view


def _short_list_app():
    import polars as pl

    from dashboard.ui import show_list
    show_list(pl.DataFrame({"unit_name": ["**Enhet** [länk](http://x) :red[röd] $x$ _a_", None],
                            "year": [2021, 2022], "share": [1234.5, None], "skip": ["x", "y"]}),
              {"unit_name": "Enhet", "year": "År", "share": "Andel", "missing": "Saknas"})


def test_a_short_list_shows_document_text_as_text():
    """st.table reads Markdown in its cells: a list shows a document's text literally (no bold,
    link, colour or formula), an empty cell as empty, years as their digits."""
    at = AppTest.from_function(_short_list_app).run()
    assert not at.exception
    table = at.table[0].value
    assert list(table.columns) == ["Enhet", "År", "Andel"]
    cell = table["Enhet"][0]
    assert shown(cell) == "**Enhet** [länk](http://x) :red[röd] $x$ _a_"
    assert not re.search(r"(?<!\\)[*\[\]_$:]", cell)      # every Markdown character escaped
    assert table["Enhet"][1] == "" and list(table["År"]) == ["2021", "2022"]
    assert shown(table["Andel"][0]) == "1\u00a0234,5" and table["Andel"][1] == ""      # Swedish, not 1234.5


def test_compare_page_defaults_to_the_most_reported_indicator(app):
    at = app("jamfor_indikator", vy="Tabell")
    assert at.selectbox(key="indikator").value.startswith("Andel barn som lever")
    assert at.selectbox(key="ar").value == 2021
    table = at.dataframe[0].value
    utfall = dict(zip(table["Stadsdel"], table["Utfall"].map(shown)))
    assert utfall["Norrmalm"] == f"1,3{NBSP}%" and utfall["Kungsholmen"] == f"0,9{NBSP}%"
    # missing values are shown with their reason, never as 0
    assert utfall["Spånga-Tensta"] == "saknas i dokumentet"
    assert utfall["Enskede-Årsta-Vantör"].startswith("ej mätt – bara verksamhetsplan")
    # the source panel opens on the first district of the ranking, its choice in the URL
    assert at.selectbox(key="kalla").value == "Kungsholmen"
    assert [shown(e.label) for e in at.expander if e.label.endswith("källa")] == [f"Kungsholmen: 0,9{NBSP}% — källa"]
    assert at.query_params["kalla"] == "Kungsholmen"
    # sorted by value, best first for a "lower is better" indicator, missing ones last
    assert table["Stadsdel"].tolist() == ["Kungsholmen", "Norrmalm", "Hägersten-Älvsjö",
                                          "Enskede-Årsta-Vantör", "Spånga-Tensta"]
    row = table[table["Stadsdel"] == "Norrmalm"].iloc[0]
    assert row["Utfall"] == f"1,3{NBSP}%" and row["Årsmål"] == f"0,8{NBSP}%" and row["KF:s årsmål"] == f"2,7{NBSP}%"
    assert row["Måluppfyllelse"] == "Ej uppnått"


def test_compare_page_opens_the_view_in_the_url(app):
    at = app("jamfor_indikator", indikator="Antal tillhandahållna platser för feriejobb",
             stadsdelar=["Norrmalm", "Kungsholmen"], ar="2021", sortering="Namn")
    assert at.selectbox(key="indikator").value == "Antal tillhandahållna platser för feriejobb"
    assert at.multiselect(key="stadsdelar").value == ["Norrmalm", "Kungsholmen"]
    assert at.segmented_control(key="sortering").value == "Namn"
    assert at.selectbox(key="kalla").options == ["Kungsholmen", "Norrmalm"]    # the chosen districts, by name
    labels = [shown(e.label) for e in at.expander if e.label.endswith("källa")]
    assert labels == [f"Kungsholmen: 150{NBSP}st — källa"]
    # a link names the district whose source is shown
    at = app("jamfor_indikator", indikator="Antal tillhandahållna platser för feriejobb",
             stadsdelar=["Norrmalm", "Kungsholmen"], ar="2021", kalla="Norrmalm")
    labels = [shown(e.label) for e in at.expander if e.label.endswith("källa")]
    assert labels == [f"Norrmalm: 230{NBSP}st — källa"]


def test_compare_page_search_by_goal_and_prior_year_point(app):
    at = app("jamfor_indikator", sok="självförsörjande", vy="Tabell")
    options = at.selectbox(key="indikator").options
    assert "Kostnad per brukare i hemtjänsten" not in options
    assert any("Träff på målet" in c.value for c in at.caption)
    over = at.dataframe[1].value            # over the years, Tabell tab
    kh = over[(over["Stadsdel"] == "Kungsholmen") & (over["År"] == 2020)].iloc[0]
    assert kh["Utfall"] == f"1,1{NBSP}%" and "följande års rapport" in kh["Källa"]


def test_compare_page_gender_split_shown_when_present(app):
    at = app("jamfor_indikator",
             indikator="Andel personer som har ekonomiskt bistånd i förhållande till befolkningen")
    assert any(s.value == "Kvinnor och män" for s in at.subheader)
    at = app("jamfor_indikator", vy="Tabell",
             indikator="Andel personer som har ekonomiskt bistånd i förhållande till befolkningen")
    assert any("ej mätt – dokumentet anger ”Tas fram”" in shown(v) for v in at.dataframe[0].value["Utfall"])


def test_profile_page_lists_indicators_with_last_year(app):
    at = app("stadsdelsprofil", stadsdel="Norrmalm", ar="2021", vy="Tabell")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Uppnått"] == "2" and metrics["Ej uppnått"] == "1" and metrics["Ingen riktning"] == "1"
    tables = [t.value for t in at.dataframe]
    everything = __import__("pandas").concat(tables)
    barn = everything[everything["Indikator"].str.startswith("Andel barn")].iloc[0]
    assert barn["Utfall"] == f"1,3{NBSP}%" and barn["Utfall 2020"] == f"1,6{NBSP}%"


def test_profile_page_filters_by_text(app):
    at = app("stadsdelsprofil", stadsdel="Norrmalm", ar="2021", mal="feriejobb", vy="Tabell")
    assert sum(len(t.value) for t in at.dataframe) == 1


def test_goal_page_counts_assessments(app):
    at = app("maluppfyllelse", ar="2021")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Helt uppfyllt": "2", "Delvis uppfyllt": "3", "Inte uppfyllt": "1", "Utan bedömning": "1"}
    assert any("Enskede-Årsta-Vantör" in c.value for c in at.caption)    # plan only: listed apart


def test_economy_page_budget_against_bokslut(app):
    at = app("ekonomi", vy="Tabell")
    table = at.dataframe[0].value
    row = table[(table["Stadsdel"] == "Norrmalm") & (table["Verksamhetsområde"] == "Äldreomsorg")].iloc[0]
    assert row["Avvikelse (överskott +, underskott −)"] == f"−25,3{NBSP}mnkr"      # budget − bokslut: overspend
    kh = table[(table["Stadsdel"] == "Kungsholmen") & (table["Verksamhetsområde"] == "Äldreomsorg")].iloc[0]
    assert kh["Bokslut"] == "–"          # missing, not 0


@pytest.mark.parametrize("page", PAGES)
def test_every_page_copes_with_an_empty_database(tmp_path, monkeypatch, page):
    monkeypatch.setenv("STADSDEL_DB", str(build_empty_db(tmp_path / "empty.duckdb")))
    at = AppTest.from_file(APP, default_timeout=60).run()
    if page != "oversikt":
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    if page == "sok":
        at.text_input(key="q").set_value("feriejobb").run()
        assert not at.exception and "0 träffar" in texts(at)


def test_economy_page_without_budget_lines(tmp_path, monkeypatch):
    monkeypatch.setenv("STADSDEL_DB", str(build_empty_db(tmp_path / "empty.duckdb")))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/ekonomi.py").run()
    assert not at.exception
    assert "Inga budgettabeller" in at.info[0].value


def test_search_page_highlights_hits_with_document_and_lines(app):
    at = app("sok", q="feriejobb")
    body = texts(at)
    assert "Trots att **feriejobb** inte erbjudits" in body
    assert "norrmalm_verksamhetsberattelse_2021.txt" in shown(body) and "rad 305–315" in body
    at = app("sok", q="feriejobb", stadsdel="Hägersten-Älvsjö")
    assert "1 träff" in texts(at) and "1 träffar" not in texts(at)


def test_sources_page_lists_documents_and_warnings(app):
    at = app("kallor")
    docs, warns = at.dataframe[0].value, at.dataframe[1].value
    assert len(docs) == 8 and set(docs["Nivå"]) <= {"nämnd", "enhet"}
    # a Swedish summary for the user, the build's message beside it as the detail
    assert "Filen kunde inte läsas" in warns["Teknisk detalj (engelska)"].tolist()
    assert set(warns["Steg"]) <= {"indikatorer", "läsning"} and all(warns["Varning"].str.len() > 0)
    caption = " ".join(c.value for c in at.caption)
    assert "Byggd" in shown(caption) and "built_at" not in caption


def test_app_builds_a_missing_database_on_first_start(tmp_path, monkeypatch):
    pytest.importorskip("etl.store.build")
    src = tmp_path / "raw"
    src.mkdir()
    seed = min((ROOT / "data" / "raw").glob("*.txt"), key=lambda p: p.stat().st_size)
    shutil.copy(seed, src / seed.name)
    target = tmp_path / "new.duckdb"
    monkeypatch.setenv("STADSDEL_DB", str(target))
    monkeypatch.setenv("STADSDEL_INPUT", str(src))
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, [e.message for e in at.exception]
    assert target.exists()
    assert {m.label: m.value for m in at.metric}["Dokument"] == "1"


@pytest.mark.parametrize("typed", ["(", "feriejobb (", "?", "[a-", "*"])
def test_profile_filter_takes_the_text_literally(app, typed):
    """Regex characters typed into the filter (or put in ?mal=) are characters."""
    at = app("stadsdelsprofil", stadsdel="Norrmalm", ar="2021", mal=typed)
    assert not at.error
    assert any("Inga indikatorer" in i.value for i in at.info)


def test_profile_filter_matches_across_case(app):
    at = app("stadsdelsprofil", stadsdel="Norrmalm", ar="2021", mal="FERIEJOBB", vy="Tabell")
    assert sum(len(t.value) for t in at.dataframe) == 1


def test_a_failing_page_shows_a_swedish_message_not_a_traceback(app, monkeypatch):
    from dashboard import document_queries

    def broken(con):
        raise RuntimeError("internal detail")
    monkeypatch.setattr(document_queries, "districts", broken)
    at = app("jamfor_indikator")
    assert [e.value for e in at.error] and "Något gick fel" in at.error[0].value
    assert "internal detail" not in " ".join(e.value for e in at.error)


def _upload_widgets(at) -> tuple[bool, bool]:
    labels = [t.label for t in at.text_input]
    return any("Lösenord" in lb for lb in labels), bool(at.get("file_uploader"))


def test_upload_is_hidden_in_a_read_only_deployment(app, monkeypatch):
    monkeypatch.setenv("STADSDEL_READONLY", "1")
    at = app("kallor")
    assert not any(e.label == "Lägg till dokument" for e in at.expander)
    assert _upload_widgets(at) == (False, False)


def test_upload_asks_for_the_admin_password(app, monkeypatch):
    monkeypatch.setenv("STADSDEL_ADMIN_PASSWORD", "hemligt-lösen")
    at = app("kallor")
    assert _upload_widgets(at) == (True, False)
    at.text_input(key="upl_password").input("fel").run()
    assert any("Fel lösenord" in e.value for e in at.error) and _upload_widgets(at)[1] is False
    at.text_input(key="upl_password").input("hemligt-lösen").run()
    assert _upload_widgets(at) == (False, True)


def test_open_upload_by_default(app, monkeypatch):
    monkeypatch.delenv("STADSDEL_READONLY", raising=False)
    monkeypatch.delenv("STADSDEL_ADMIN_PASSWORD", raising=False)
    assert _upload_widgets(app("kallor")) == (False, True)


def test_streamlit_settings_match_ours():
    """Localhost only, our upload cap before Streamlit buffers the file, no tracebacks."""
    import tomllib

    from etl import settings
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["server"]["address"] == "localhost"
    assert cfg["server"]["maxUploadSize"] == settings.max_bytes() // 2**20
    assert cfg["client"]["showErrorDetails"] == "none"
    assert "--server.maxUploadSize" in (ROOT / "start.sh").read_text(encoding="utf-8")


def test_swedish_chrome_script_is_on_every_page_and_survives_the_sanitiser(app):
    """dashboard/swedish.js (the dropdowns' words in Swedish) goes out once per page as the
    only st.html with JavaScript. The browser passes it through DOMPurify, which drops a
    script whose text has "<" before a letter, "/" or "!": the dropdowns would silently be
    English again (tests/test_browser.py::test_dropdowns_are_swedish shows them)."""
    from dashboard.ui import SWEDISH_JS

    assert not re.search(r"<[/\w!]", SWEDISH_JS)
    for page in ("oversikt", "kallor"):
        scripts = [h.proto.body for h in app(page).html if h.proto.unsafe_allow_javascript]
        assert len(scripts) == 1 and SWEDISH_JS in scripts[0], page


HOSTILE = ("**fet** [klick](https://example.invalid/spår) ![bild](https://example.invalid/beacon.png) "
           "<img src=https://example.invalid/x.png> :red[röd] $x^2$")
_LIVE_MARKUP = [re.compile(p) for p in (
    r"(?<!\\)\*\*fet(?<!\\)\*\*",                 # bold
    r"(?<!\\)\]\(",                                # a link or image: "](" unescaped
    r"(?<!\\)<img",                                # raw HTML
    r"(?<!\\):red(?<!\\)\[",                       # a coloured-text directive
    r"(?<!\\)\$x")]                                # math


def test_document_text_is_shown_as_text_everywhere(fixture_db, tmp_path, monkeypatch):
    """A document whose texts hold Markdown, HTML or links: every page shows them as text
    (escaped), never as bold, a live link or a remote image."""
    db_path = tmp_path / "hostile.duckdb"
    shutil.copy(fixture_db, db_path)
    import duckdb
    con = duckdb.connect(str(db_path))
    con.execute("UPDATE sections SET text = text || ' feriejobb ' || ?, heading = heading || ' ' || ?", [HOSTILE, HOSTILE])
    con.execute("UPDATE indicator_values SET analysis = ?, target_raw = target_raw || ' ' || ?", [HOSTILE, HOSTILE])
    con.execute("UPDATE goals SET text = text || ' ' || ?", [HOSTILE])
    con.close()
    monkeypatch.setenv("STADSDEL_DB", str(db_path))
    monkeypatch.setenv("STADSDEL_INPUT", str(tmp_path))
    checked = 0
    for page, params in (("sok", {"q": "feriejobb"}), ("jamfor_indikator", {}),
                         ("jamfor_indikator", {"sok": "självförsörjande"}), ("stadsdelsprofil", {"vy": "Tabell"})):
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        at.switch_page(f"pages/{page}.py")
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception
        shown_md = [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.label for e in at.expander]
        hostile = [t for t in shown_md if "fet" in t and "klick" in t]
        assert hostile, page                        # the text is there ...
        for t in hostile:
            assert not [rx.pattern for rx in _LIVE_MARKUP if rx.search(t)], (page, t)   # ... as text
        checked += len(hostile)
    assert checked >= 6


def _chart_specs(at) -> list[dict]:
    import json

    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)
    return [json.loads(e.proto.spec) for e in walk(at._tree) if getattr(e, "type", "") == "vega_lite_chart"]


def test_city_median_does_not_change_with_the_district_filter(app):
    """The median is over every district of the year; the filter only picks the bars."""
    import json

    def median_of(at):
        spec = json.dumps(_chart_specs(at)[0], ensure_ascii=False)
        note = re.search(r"median av (\d+) stadsdelar", spec)
        return note and note.group(1)
    everyone = median_of(app("jamfor_indikator"))
    two = median_of(app("jamfor_indikator", stadsdelar=["Norrmalm", "Kungsholmen"]))
    assert everyone == two == "3"          # 3 districts of 5 have an outcome in 2021


def test_indicator_search_never_keeps_showing_an_indicator_it_does_not_match(app):
    at = app("jamfor_indikator", indikator="Antal tillhandahållna platser för feriejobb", sok="bistand barn")
    assert at.selectbox(key="indikator").value == "Andel barn som lever i familjer som har ekonomiskt bistånd"
    captions = " ".join(c.value for c in at.caption)
    assert "matchar inte sökningen" in shown(captions) and "1 indikator matchar" in shown(captions)
    at.text_input(key="sok").input("BISTÅND").run()
    assert not at.exception
    assert "2 indikatorer matchar" in shown(" ".join(c.value for c in at.caption))


def test_the_default_view_is_written_to_the_url(app):
    """A link copied from the default view names the indicator, year and districts it shows
    (the defaults that depend on the data), so it opens the same view after a rebuild added
    a newer year or another district. Sort order and tab have fixed defaults."""
    at = app("jamfor_indikator")
    assert at.query_params["indikator"] == "Andel barn som lever i familjer som har ekonomiskt bistånd"
    assert at.query_params["ar"] == "2021"
    assert sorted(at.query_params["stadsdelar"]) == sorted(at.multiselect(key="stadsdelar").options)
    assert len(at.query_params["stadsdelar"]) == 5


def test_goal_grid_leaves_out_plan_goals_of_districts_with_a_report(fixture_db, tmp_path, monkeypatch):
    """A district with both a plan and a report that year: the grid shows the report's goals;
    the plan's (which carry no assessment) do not add to "Utan bedömning"."""
    import duckdb

    db_path = tmp_path / "with_plan.duckdb"
    shutil.copy(fixture_db, db_path)
    con = duckdb.connect(str(db_path))
    con.execute("INSERT INTO documents VALUES (99, 'Norrmalm', 2021, 'verksamhetsplan', 'namnd', NULL, "
                "'norrmalm_verksamhetsplan_2021.txt', ?, 'spaced', 'content', 500)", ["1" * 64])
    con.execute("INSERT INTO goals (goal_id, document_id, level, code, text, source_line) "
                "VALUES (9901, 99, 'kf_mal', '1.1', 'Ett mål i planen', 40), (9902, 99, 'kf_mal', '1.2', 'Ett till', 60)")
    con.close()
    monkeypatch.setenv("STADSDEL_DB", str(db_path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/maluppfyllelse.py")
    at.query_params["ar"] = "2021"
    at.run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Helt uppfyllt": "2", "Delvis uppfyllt": "3", "Inte uppfyllt": "1", "Utan bedömning": "1"}


def test_economy_area_picker_is_in_the_url(app):
    at = app("ekonomi")
    assert at.query_params["omrade"] == "Alla områden"          # few districts: every area at once
    at = app("ekonomi", omrade="Förskola")
    assert at.selectbox(key="omrade").value == "Förskola" and not at.exception


def _map_spec(at) -> dict:
    (spec,) = [s for s in _chart_specs(at) if '"geoshape"' in json.dumps(s)]
    return spec


def test_compare_page_map_tab_shows_every_district_whatever_the_filter(app):
    """Karta beside Diagram/Tabell: the city's districts of the year on the map (the filter picks
    bars only), coloured by outcome or by attainment as chosen (kept in the URL), with the
    map's open-data note."""
    at = app("jamfor_indikator", indikator="Antal tillhandahållna platser för feriejobb",
             stadsdelar=["Norrmalm"], vy="Karta")
    at.selectbox(key="min").set_value("Kungsholmen").run()
    assert [t.label for t in at.tabs] == ["Diagram", "Tabell", "Karta"]
    assert at.segmented_control(key="karta").value == "Utfall"
    text = json.dumps(_map_spec(at), ensure_ascii=False)
    for district in ("Norrmalm", "Kungsholmen", "Enskede-Årsta-Vantör"):   # Kungsholmen: filtered out
        assert district in text
    assert "Stockholms stad, öppna data (CC0)" in texts(at)
    assert "Tjock kant: min stadsdel" in texts(at)
    by_attainment = app("jamfor_indikator", indikator="Antal tillhandahållna platser för feriejobb",
                        vy="Karta", karta="Måluppfyllelse")
    assert "Uppnått" in json.dumps(_map_spec(by_attainment), ensure_ascii=False)
    # the map is made only when its tab is open (a first paint of the page does not wait for it)
    diagram = app("jamfor_indikator", indikator="Antal tillhandahållna platser för feriejobb")
    assert not [s for s in _chart_specs(diagram) if '"geoshape"' in json.dumps(s)]
