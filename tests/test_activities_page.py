"""The Aktiviteter page (pages/aktiviteter.py) and its queries (dashboard/activity_queries.py).

The page runs through app.py's navigation. Until app.py registers it, the tests run a copy
of app.py (in a temporary folder, page paths made absolute) with the page's st.Page line
added; once app.py has the line, the copy is app.py as it is.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import activity_queries as aq
from dashboard import export as ex
from dashboard import text_match
from tests.dashboard_fixture import KF_ARBETE, KF_TRYGG, build_empty_db, build_fixture_db
from tests.helpers import open_export_panels, read_export_csv, run_page

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "etl" / "store" / "schema.sql"
PAGE = "pages/aktiviteter.py"


def shown(markdown: str) -> str:
    """What the user reads of Markdown whose document text is escaped (fmt.md_escape)."""
    return re.sub(r"\\(.)", r"\1", markdown)


# --- running the page ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("activities") / "fixture.duckdb")


@pytest.fixture()
def downloads(monkeypatch) -> dict:
    """file name -> the download button's callable (st.download_button(data=callable)), for
    every deferred download the runs register."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    found: dict = {}
    original = MediaFileManager.add_deferred

    def record(self, data, mimetype, coordinates, file_name=None, **kwargs):
        found[file_name] = data
        return original(self, data, mimetype, coordinates, file_name=file_name, **kwargs)
    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return found


@pytest.fixture()
def page(fixture_db, monkeypatch):
    def open_page(**params) -> AppTest:
        params.setdefault("vy", "Tabell")      # the tables (only the open tab is made)
        return run_page(PAGE, fixture_db, monkeypatch, **params)
    return open_page


def tables(at: AppTest) -> pd.DataFrame:
    """Every activity table of the Tabell tab, one after the other."""
    parts = [t.value for t in at.dataframe if "Aktivitet" in t.value.columns]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["Aktivitet"])


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    return "\n".join(parts)


def test_page_lists_the_years_activities_per_district_and_document(page):
    at = page()
    assert at.title[0].value == "Aktiviteter"
    assert at.selectbox(key="ar").value == 2021                  # the latest year with activities
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Aktiviteter": "7", "Med start- och slutdatum": "6", "I rapporter": "5",
                       "Med avvikelse": "1"}
    heads = [shown(m.value) for m in at.markdown if "aktivitet" in m.value]
    assert heads == ["**Enskede-Årsta-Vantör** · Verksamhetsplan 2021 · 2 aktiviteter",
                     "**Kungsholmen** · Verksamhetsberättelse 2021 · 2 aktiviteter",
                     "**Norrmalm** · Verksamhetsberättelse 2021 · 3 aktiviteter"]
    assert [t.label for t in at.tabs] == ["Diagram", "Tabell"]
    body = texts(at)
    assert "status här är härledd" in body                       # the rule is explained
    assert "1 aktivitet i enheternas verksamhetsplaner visas inte" in body
    assert "Inga aktiviteter 2021 på nämndnivå för Hägersten-Älvsjö." in shown(body)


def test_the_table_has_the_columns_and_the_reports_deviation(page):
    at = page(stadsdelar="Norrmalm")
    table = tables(at)
    assert list(table.columns) == ["Aktivitet", "Mål", "Start", "Slut", "Status", "Avvikelse", "Analys", "Källa"]
    team = table[table["Aktivitet"].str.startswith("Team för psykisk ohälsa")].iloc[0]
    assert team["Avvikelse"] == "Avvikelse" and team["Status"] == aq.STATUS_DEVIATION
    assert team["Analys"].startswith("Kompetenssatsningen genomfördes")
    assert team["Mål"] == "Fler Norrmalmsbor är självförsörjande"
    assert team["Källa"] == "norrmalm_verksamhetsberattelse_2021.txt, rad 340"
    walk = table[table["Aktivitet"].str.startswith("Utveckla trygghetsvandringar")].iloc[0]
    assert (walk["Start"], walk["Slut"], walk["Status"]) == ("2021-03-01", "2022-06-30", aq.STATUS_CONTINUES)
    assert walk["Mål"] == f"1.2 {KF_TRYGG}"
    plain = table[table["Aktivitet"].str.startswith("Formalisera")].iloc[0]
    assert plain["Status"] == aq.STATUS_NO_DEVIATION and plain["Avvikelse"] == ""


def test_a_plans_table_has_no_deviation_column_and_raw_dates_stay_as_printed(page):
    at = page(stadsdelar="Enskede-Årsta-Vantör")
    table = tables(at)
    assert "Avvikelse" not in table.columns
    assert set(table["Status"]) == {aq.STATUS_PLANNED}
    plan = table[table["Aktivitet"].str.startswith("Ta fram en plan")].iloc[0]
    assert plan["Start"] == "Hösten 2021" and plan["Mål"] == aq.NO_GOAL
    # the timeline (Diagram tab) says what it leaves out
    assert "1 aktivitet saknar tolkningsbara datum" in texts(page(stadsdelar="Enskede-Årsta-Vantör", vy="Diagram"))


@pytest.mark.parametrize("typed", ["aldreomsorg", "ÄLDREOMSORG", "Äldreomsorgen"])
def test_text_filter_narrows_the_rows_accent_and_case_insensitively(page, typed):
    everything = len(tables(page()))
    at = page(sok=typed)
    found = sorted(tables(at)["Aktivitet"])
    assert len(found) < everything
    assert found == ["Medarbetare inom äldreomsorgens verksamheter genomför kompetenshöjande insatser i jämställdhet",
                     "Ta fram en plan för digitalisering av äldreomsorgen"]
    assert at.query_params["sok"] == typed


def test_text_filter_finds_the_goal_and_the_analysis(page):
    assert len(tables(page(sok="svenskkunskaper"))) == 3           # the KF goal 1.1 of three documents
    assert list(tables(page(sok="pabörjat"))["Aktivitet"]) == [
        "Utveckla trygghetsvandringar i Vasastaden tillsammans med lokala aktörer"]


@pytest.mark.parametrize("typed", ["(", "[a-", "*", "ingenting sådant"])
def test_text_filter_without_match_says_so(page, typed):
    at = page(sok=typed)
    if typed == "ingenting sådant":
        assert any("Inga aktiviteter 2021 som matchar" in i.value for i in at.info)
        assert shown(at.info[0].value).count("ingenting sådant") == 1
    else:                      # no word at all: no filter, every activity
        assert len(tables(at)) == 7


def test_district_filter_and_the_url_holds_it(page):
    at = page(stadsdelar=["Norrmalm", "Kungsholmen"])
    assert at.multiselect(key="stadsdelar").value == ["Norrmalm", "Kungsholmen"]
    assert set(tables(at)["Källa"].str.split(",").str[0]) == {
        "norrmalm_verksamhetsberattelse_2021.txt", "kungsholmen_verksamhetsberattelse_2021.txt"}
    at.multiselect(key="stadsdelar").set_value(["Kungsholmen"]).run()
    assert not at.exception and not at.error
    assert len(tables(at)) == 2
    assert at.query_params["stadsdelar"] in ("Kungsholmen", ["Kungsholmen"])     # one value: a string


def test_the_default_view_and_chosen_filters_are_written_to_the_url(page):
    """Year, districts, document type and goal are written by the page (ui.keep_view_in_url),
    also the defaults; the free text is a widget bound to ?sok= (bind="query-params": the
    browser writes it when the user types, which AppTest does not simulate), so here: a link
    with ?sok= opens the filtered view and keeps it over a rerun."""
    at = page()
    assert at.query_params["ar"] == "2021"
    # every district with activities in some year or document (the same options for every year)
    assert sorted(at.query_params["stadsdelar"]) == ["Enskede-Årsta-Vantör", "Hägersten-Älvsjö", "Kungsholmen",
                                                     "Norrmalm"]
    assert at.query_params["mal"] == "Alla mål" and at.query_params["dokument"] == "alla"
    at.text_input(key="sok").input("feriejobb").run()
    assert list(tables(at)["Aktivitet"]) == ["Erbjuda feriejobb till fler ungdomar i stadsdelsområdet"]
    at.selectbox(key="mal").set_value(f"1.1 {KF_ARBETE}").run()
    assert at.query_params["mal"] == f"1.1 {KF_ARBETE}"
    at.selectbox(key="ar").set_value(2020).run()
    assert at.query_params["ar"] == "2020"
    at = page(sok="feriejobb", stadsdelar="Kungsholmen", ar="2020")
    assert at.text_input(key="sok").value == "feriejobb" and at.query_params["sok"] == "feriejobb"
    assert list(tables(at)["Aktivitet"]) == ["Kartlägga behovet av feriejobb inför sommaren"]
    at.run()
    assert at.query_params["sok"] == "feriejobb" and len(tables(at)) == 1


def test_goal_year_and_document_filters_from_the_url(page):
    at = page(mal=f"1.2 {KF_TRYGG}")
    assert at.selectbox(key="mal").value == f"1.2 {KF_TRYGG}"
    assert sorted(tables(at)["Aktivitet"]) == [
        "Genomföra trygghetsvandringar på Kungsholmen tillsammans med polisen",
        "Utveckla trygghetsvandringar i Vasastaden tillsammans med lokala aktörer"]
    at = page(ar="2020")
    assert list(tables(at)["Aktivitet"]) == ["Kartlägga behovet av feriejobb inför sommaren"]
    at = page(dokument="verksamhetsplan")
    assert set(tables(at)["Status"]) == {aq.STATUS_PLANNED} and len(tables(at)) == 2
    at = page(mal="Ett mål som inte finns")          # an unknown goal in a link: every goal
    assert at.selectbox(key="mal").value == "Alla mål" and len(tables(at)) == 7


def test_unit_level_plans_on_request(page):
    at = page()
    at.toggle(key="enheter").set_value(True).run()
    assert not at.exception and not at.error
    heads = [shown(m.value) for m in at.markdown if "(enhet)" in shown(m.value)]
    assert heads == ["**Hägersten-Älvsjö** · Verksamhetsplan 2021 · Liljeholmens dagliga verksamheter (enhet) "
                     "· 1 aktivitet"]
    assert "Utveckla de dagliga verksamheternas utbud av aktiviteter" in set(tables(at)["Aktivitet"])


def test_export_csv_has_swedish_headers_and_the_rows_shown(page, downloads):
    at = page(stadsdelar=["Norrmalm", "Kungsholmen"])
    labels = {b.label for b in at.get("download_button")}
    assert {"CSV", "Excel"} <= labels
    name = next(n for n in downloads if n.endswith(".csv") and n.startswith("Aktiviteter-2021")
                and "tidslinje" not in n and "per-stadsdel" not in n)
    csv = read_export_csv(downloads[name]())
    assert csv.columns == ["Stadsdel", "År", "Dokumenttyp", "Målnummer", "Mål", "Aktivitet", "Startdatum",
                           "Slutdatum", "Status", "Avvikelse", "Analys", "Källfil", "Sida", "Rad", "Källa"]
    assert csv["Aktivitet"].to_list() == list(tables(at)["Aktivitet"])
    assert set(csv["Dokumenttyp"]) == {"Verksamhetsberättelse"}
    team = csv.filter(pl.col("Aktivitet").str.starts_with("Team")).row(0, named=True)
    assert team["Avvikelse"] == "Avvikelse" and team["Rad"] == 340
    assert team["Källa"] == "Verksamhetsberättelse 2021, Norrmalms stadsdelsnämnd"
    xlsx = next(n for n in downloads if n.endswith(".xlsx") and n.startswith("Aktiviteter-2021")
                and "tidslinje" not in n and "per-stadsdel" not in n)
    assert downloads[xlsx]()[:2] == b"PK"


def test_export_follows_the_text_filter(page, downloads):
    at = page(sok="aldreomsorg")
    name = next(n for n in downloads if n.endswith(".csv") and "tidslinje" not in n
                and "per-stadsdel" not in n and n.startswith("Aktiviteter"))
    csv = read_export_csv(downloads[name]())
    assert sorted(csv["Aktivitet"].to_list()) == sorted(tables(at)["Aktivitet"]) and csv.height == 2


def _chart_specs(at: AppTest) -> list[dict]:
    def walk(node):
        yield node
        for child in getattr(node, "children", {}).values():
            yield from walk(child)
    return [json.loads(e.proto.spec) for e in walk(at._tree) if getattr(e, "type", "") == "vega_lite_chart"]


def test_timeline_bars_from_start_to_end_coloured_by_status(page, downloads):
    at = open_export_panels(page(stadsdelar="Norrmalm", vy="Diagram"))
    spec = next(s for s in _chart_specs(at) if "Aktiviteter 2021" in json.dumps(s, ensure_ascii=False))
    enc = spec["encoding"]
    assert (enc["x"]["field"], enc["x2"]["field"], enc["color"]["field"]) == ("start", "end", "status")
    assert enc["color"]["scale"]["domain"] == [aq.STATUS_CONTINUES, aq.STATUS_NO_DEVIATION, aq.STATUS_DEVIATION]
    assert spec["config"]["locale"]["time"]["months"][4] == "maj"          # Swedish locale in the spec
    png = next(n for n in downloads if n.endswith(".png") and "tidslinje" in n)
    assert downloads[png]()[:4] == b"\x89PNG"


def test_hostile_document_text_is_shown_as_text(fixture_db, tmp_path, monkeypatch):
    hostile = "**fet** [klick](https://example.invalid/x) <img src=x> :red[röd] $x^2$"
    db_path = tmp_path / "hostile.duckdb"
    shutil.copy(fixture_db, db_path)
    con = duckdb.connect(str(db_path))
    con.execute("UPDATE activities SET text = text || ' ' || ?, analysis = ?", [hostile, hostile])
    con.execute("UPDATE documents SET unit_name = ? WHERE level = 'enhet'", [hostile])
    con.execute("UPDATE goals SET text = text || ' ' || ?", [hostile])
    con.close()
    at = run_page(PAGE, db_path, monkeypatch, sok="fet klick", vy="Tabell")
    at.toggle(key="enheter").set_value(True).run()
    assert not at.exception and not at.error
    rendered = [m.value for m in at.markdown] + [c.value for c in at.caption]
    bad = [t for t in rendered if "fet" in t and "klick" in t]
    assert bad                                           # the unit's name is in a heading ...
    for t in bad:                                        # ... escaped
        assert not [rx.pattern for rx in LIVE_MARKUP if rx.search(t)], t
    assert any("**fet** [klick]" in a for a in tables(at)["Aktivitet"])   # cells hold the text itself
    at = run_page(PAGE, db_path, monkeypatch, sok=hostile + " inget sådant", vy="Tabell")
    assert at.info and not [rx.pattern for rx in LIVE_MARKUP if rx.search(at.info[0].value)]


def test_several_districts_get_a_bar_each_by_status_and_one_district_its_timeline(page, downloads):
    """The timeline is one district's; across districts each gets a bar of its activities
    stacked by status, most first, and the caption says how to get the timeline."""
    at = open_export_panels(page(vy="Diagram"))
    specs = [json.dumps(s, ensure_ascii=False) for s in _chart_specs(at)]
    (overview,) = [s for s in specs if "per stadsdel" in s]
    assert '"stack": "zero"' in overview and not [s for s in specs if "tidslinje" in s]
    name = next(n for n in downloads if n.endswith(".csv") and n.startswith("Aktiviteter") and "per-stadsdel" in n)
    csv = read_export_csv(downloads[name]())
    assert csv.columns[:4] == ["Stadsdel", "Status", "Aktiviteter", "Alla aktiviteter i stadsdelen"]
    assert csv["Stadsdel"].unique(maintain_order=True).to_list() == ["Norrmalm", "Enskede-Årsta-Vantör", "Kungsholmen"]
    assert csv.group_by("Stadsdel").agg(pl.col("Aktiviteter").sum()).sort("Stadsdel").rows() == [
        ("Enskede-Årsta-Vantör", 2), ("Kungsholmen", 2), ("Norrmalm", 3)]
    assert "för att se dess aktiviteter på en tidslinje" in texts(at)
    one = page(stadsdelar="Kungsholmen", vy="Diagram")
    assert [s for s in map(json.dumps, _chart_specs(one)) if "tidslinje" in s]


def test_the_page_opens_on_min_stadsdel(fixture_db, monkeypatch):
    monkeypatch.setenv("STADSDEL_DB", str(fixture_db))
    monkeypatch.setenv("STADSDEL_INPUT", str(fixture_db.parent))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["min"] = "Norrmalm"
    at.query_params["vy"] = "Tabell"
    at.run()
    at.switch_page(str(ROOT / PAGE))
    at.run()
    assert at.multiselect(key="stadsdelar").value == ["Norrmalm"]
    assert set(tables(at)["Aktivitet"]) and all(t for t in tables(at)["Aktivitet"])
    assert {m.label: m.value for m in at.metric}["Aktiviteter"] == "3"


def test_many_documents_share_one_table_that_names_them(fixture_db, tmp_path, monkeypatch):
    """A city's documents (more than a handful): one table with Stadsdel and Dokument columns
    instead of a table per document."""
    db_path = tmp_path / "many.duckdb"
    shutil.copy(fixture_db, db_path)
    con = duckdb.connect(str(db_path))
    for k, district in enumerate(["Bromma", "Farsta", "Skarpnäck", "Skärholmen", "Spånga-Tensta"]):
        new_id = 100 + k
        con.execute("INSERT INTO documents SELECT ?, ?, year, doc_type, level, unit_name, ?, sha256 || ?, "
                    "text_flavour, detected_by, n_lines FROM documents WHERE document_id = 1",
                    [new_id, district, f"{district.lower()}_vb_2021.txt", str(k)])
        con.execute("INSERT INTO activities (activity_id, document_id, text, start_date, end_date, source_line) "
                    "VALUES (?, ?, ?, '2021-01-01', '2021-12-31', 10)", [1000 + k, new_id, f"Aktivitet i {district}"])
    con.close()
    at = run_page(PAGE, db_path, monkeypatch, vy="Tabell")
    (table,) = [t.value for t in at.dataframe if "Aktivitet" in t.value.columns]
    assert list(table.columns[:2]) == ["Stadsdel", "Dokument"]
    assert len(table) == 12 and "Aktivitet i Farsta" in set(table["Aktivitet"])
    assert set(table[table["Stadsdel"] == "Farsta"]["Dokument"]) == {"Verksamhetsberättelse 2021"}
    assert any("12 aktiviteter** i 8 dokument" in m.value for m in at.markdown)


LIVE_MARKUP = [re.compile(p) for p in (          # as tests/test_pages.py
    r"(?<!\\)\*\*fet(?<!\\)\*\*", r"(?<!\\)\]\(", r"(?<!\\)<img", r"(?<!\\):red(?<!\\)\[", r"(?<!\\)\$x")]


def test_an_empty_database_shows_an_info_message(tmp_path, monkeypatch):
    at = run_page(PAGE, build_empty_db(tmp_path / "empty.duckdb"), monkeypatch)
    assert at.info and "Databasen innehåller inga dokument" in at.info[0].value
    assert not at.dataframe


def test_a_database_without_activities_shows_an_info_message(fixture_db, tmp_path, monkeypatch):
    db_path = tmp_path / "no_activities.duckdb"
    shutil.copy(fixture_db, db_path)
    con = duckdb.connect(str(db_path))
    con.execute("DELETE FROM activities")
    con.close()
    at = run_page(PAGE, db_path, monkeypatch)
    assert at.info and "innehåller inga aktiviteter" in at.info[0].value


# --- query functions on an in-memory database --------------------------------------------------

DOCS = [
    # id, district, year, doc_type, level, unit_name, source_file
    (1, "Bromma", 2024, "verksamhetsplan", "namnd", None, "bromma_vp_2024.txt"),
    (2, "Bromma", 2024, "verksamhetsberattelse", "namnd", None, "bromma_vb_2024.txt"),
    (3, "Farsta", 2024, "tertialrapport", "namnd", None, "farsta_t2_2024.txt"),
    (4, "Farsta", 2023, "verksamhetsplan", "namnd", None, "farsta_vp_2023.txt"),
    (5, "Farsta", 2024, "verksamhetsplan", "enhet", "Farsta förskolor", "farsta_enhet_vp_2024.txt"),
]
GOALS = [
    # goal_id, document_id, level, code, text, source_line
    (10, 1, "kf_mal", "1.10", "Tionde målet", 100),
    (11, 1, "kf_mal", "1.2", "Andra målet om äldreomsorg", 50),
    (20, 2, "kf_mal", "1.2", "Andra målet om äldreomsorg", 40),
    (30, 3, "namndmal", None, "Farsta växer hållbart", 10),
]
ACTS = [
    # activity_id, document_id, goal_id, goal_code, text, start, end, deviation, line, page, analysis
    (1, 1, 10, "1.10", "Bygga ut förskolan", "2024-01-01", "2024-12-31", None, 110, None, None),
    (2, 1, 11, "1.2", "Öppna en träffpunkt för seniorer", "2024-02-01", "2025-06-30", None, 60, None, None),
    (3, 2, 20, "1.2", "Öppna en träffpunkt för seniorer", "2024-02-01", "2025-06-30", None, 45, 7,
     "Lokalen är klar, öppnar våren 2025."),
    (4, 2, 20, "1.2", "Utbilda personal i bemötande (HBTQ)", "2024-01-01", "2024-12-31", "Avvikelse", 48, 7,
     "Utbildningen är flyttad."),
    (5, 2, None, None, "Ta fram rutiner", "Våren 2024", "2024-31-12", None, 80, 9, None),
    (6, 3, 30, None, "Plantera träd i Farsta strand", "2024-03-01", "2024-10-31", "", 12, None, None),
    (7, 4, None, None, "Kartlägga lokaler", "2023-01-01", "2023-12-31", None, 5, None, None),
    (8, 5, None, None, "Enhetens egen aktivitet", "2024-01-01", "2024-12-31", None, 3, None, None),
]


@pytest.fixture()
def mem():
    con = duckdb.connect(":memory:")
    con.execute(SCHEMA.read_text(encoding="utf-8"))
    for d in DOCS:
        con.execute("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'plain', 'content', 100)",
                    [*d, "0" * 64])
    con.executemany("INSERT INTO goals (goal_id, document_id, level, code, text, source_line) "
                    "VALUES (?, ?, ?, ?, ?, ?)", GOALS)
    con.executemany("INSERT INTO activities (activity_id, document_id, goal_id, goal_code, text, start_date, "
                    "end_date, deviation, source_line, source_page, analysis) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ACTS)
    yield con
    con.close()


def ids(frame: pl.DataFrame) -> list[int]:
    return frame["activity_id"].to_list()


def test_activities_in_document_order_with_district_year_and_goal(mem):
    df = aq.activities(mem)
    # Bromma's plan before its report, by goal (goal 1.2 is printed before 1.10), then line;
    # unit-level documents left out
    assert ids(df) == [2, 1, 3, 4, 5, 7, 6]
    row = df.filter(pl.col("activity_id") == 3).row(0, named=True)
    assert (row["district"], row["year"], row["doc_type"], row["doc_label"]) == (
        "Bromma", 2024, "verksamhetsberattelse", "Verksamhetsberättelse")
    assert row["goal_label"] == "1.2 Andra målet om äldreomsorg" and row["goal_level"] == "kf_mal"
    assert row["source"] == "bromma_vb_2024.txt, sida 7, rad 45"
    assert df.filter(pl.col("activity_id") == 6)["goal_label"][0] == "Farsta växer hållbart"
    assert df.filter(pl.col("activity_id") == 5)["goal_label"][0] == aq.NO_GOAL


def test_status_is_derived_only_from_what_the_document_says(mem):
    status = dict(aq.activities(mem).select("activity_id", "status").iter_rows())
    assert status[1] == status[2] == status[7] == aq.STATUS_PLANNED       # plans
    assert status[3] == aq.STATUS_CONTINUES          # report, no deviation, ends after 2024
    assert status[4] == aq.STATUS_DEVIATION          # report marks "Avvikelse"
    assert status[5] == aq.STATUS_NO_DEVIATION       # unreadable end date: nothing more is said
    assert status[6] == aq.STATUS_NO_DEVIATION       # tertial report, empty deviation cell
    assert set(status.values()) <= set(aq.STATUSES)


def test_dates_are_parsed_only_when_they_are_dates(mem):
    assert aq.parse_date("2024-02-29") == "2024-02-29"
    assert aq.parse_date(" 2021-01-01 ") == "2021-01-01"
    for raw in ("2023-02-29", "2024-31-12", "Våren 2024", "", None, "2024-1-1"):
        assert aq.parse_date(raw) is None
    row = aq.activities(mem).filter(pl.col("activity_id") == 5).row(0, named=True)
    assert (row["start_date"], row["end_date"], row["start_day"], row["end_day"]) == (
        "Våren 2024", "2024-31-12", None, None)


def test_filters_on_district_year_document_goal_and_units(mem):
    assert ids(aq.activities(mem, districts=["Farsta"])) == [7, 6]
    assert ids(aq.activities(mem, districts=("Farsta",), year=2024)) == [6]
    assert ids(aq.activities(mem, year=2023)) == [7]
    assert ids(aq.activities(mem, doc_type="verksamhetsberattelse")) == [3, 4, 5]
    assert ids(aq.activities(mem, goal="1.2 Andra målet om äldreomsorg")) == [2, 3, 4]
    assert ids(aq.activities(mem, goal=aq.NO_GOAL, year=2024)) == [5]
    assert 8 in ids(aq.activities(mem, units=True)) and 8 not in ids(aq.activities(mem))
    assert aq.activities(mem, districts=["Skarpnäck"]).height == 0


def test_text_filter_folds_case_and_accents_and_looks_in_goal_and_analysis(mem):
    assert ids(aq.activities(mem, text="traffpunkt")) == [2, 3]
    assert ids(aq.activities(mem, text="TRÄFFPUNKTEN seniorer")) == [2, 3]       # every word, any form
    assert ids(aq.activities(mem, text="aldreomsorg")) == [2, 3, 4]              # the goal's text
    assert ids(aq.activities(mem, text="flyttad")) == [4]                        # the analysis
    assert ids(aq.activities(mem, text="hbtq")) == [4]
    assert ids(aq.activities(mem, text="plant farst")) == [6]                   # starts of words
    assert aq.activities(mem, text="träffpunkt cyklar").height == 0
    assert aq.activities(mem, text="(").height == 7                             # no word: no filter
    assert text_match.text_matcher("  ") is None


def test_options_years_districts_goals_and_document_types(mem):
    assert aq.activity_years(mem) == [2023, 2024]
    assert aq.activity_districts(mem) == ["Bromma", "Farsta"]
    assert aq.activity_districts(mem, 2023) == ["Farsta"]
    assert aq.activity_districts(mem, 2025) == []
    assert aq.unit_activity_count(mem, 2024) == 1
    assert aq.unit_activity_count(mem, 2024, ["Bromma"]) == 0
    df = aq.activities(mem)
    assert aq.goal_labels(df) == ["1.2 Andra målet om äldreomsorg", "1.10 Tionde målet",
                                  "Farsta växer hållbart", aq.NO_GOAL]
    assert aq.doc_types(df) == ["verksamhetsplan", "tertialrapport", "verksamhetsberattelse"]
    assert aq.goal_labels(df.head(0)) == [] and aq.doc_types(df.head(0)) == []


def test_summary_counts(mem):
    assert aq.summary(aq.activities(mem)) == {"n": 7, "n_dated": 6, "n_reported": 4, "n_deviation": 1}
    assert aq.summary(aq.activities(mem).head(0))["n"] == 0


def test_export_frame_gets_swedish_headers_through_the_export_helpers(mem):
    df = aq.activities(mem, districts=["Bromma"])
    table = aq.export_frame(df)
    csv = read_export_csv(ex.frame_to_csv(table, ex.ExportMeta("Aktiviteter 2024")))
    assert csv.columns == ["Stadsdel", "År", "Dokumenttyp", "Målnummer", "Mål", "Aktivitet", "Startdatum",
                           "Slutdatum", "Status", "Avvikelse", "Analys", "Källfil", "Sida", "Rad", "Källa"]
    assert csv["Aktivitet"].to_list() == df["text"].to_list()
    assert csv["Startdatum"].to_list()[-1] == "Våren 2024"                        # as printed
    assert set(csv["Dokumenttyp"]) == {"Verksamhetsplan", "Verksamhetsberättelse"}
    units = aq.export_frame(aq.activities(mem, units=True, districts=["Farsta"], year=2024))
    csv = read_export_csv(ex.frame_to_csv(units, ex.ExportMeta("t")))
    assert {"Nivå", "Enhet (verksamhet)"} <= set(csv.columns)
    assert "Verksamhetsplan 2024, Farsta förskolor, Farsta stadsdelsnämnd" in csv["Källa"].to_list()


def test_timeline_frame(mem):
    df = aq.activities(mem)
    rows = aq.timeline_frame(df)
    assert 5 not in ids(rows) and rows.height == 6                               # undated left out
    first = rows.row(0, named=True)
    assert (first["start"], first["end"]) == ("2024-02-01", "2025-07-01")        # through the last day
    assert first["row"] == "1. Bromma: Öppna en träffpunkt för seniorer"
    assert rows["row"].n_unique() == rows.height                                 # same text twice: two rows
    assert aq.timeline_frame(df, 2).height == 2
    assert aq.timeline_frame(df, 2)["row"][0].startswith("1. Bromma:")
    long = df.with_columns(text=pl.lit("ord " * 40))
    assert len(aq.timeline_frame(long.head(1))["row"][0]) <= 75
    assert aq.timeline_frame(df.head(0)).height == 0


def test_a_database_without_the_activities_table():
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE documents (document_id INTEGER, district VARCHAR, year INTEGER, level VARCHAR)")
    assert aq.activity_years(con) == [] and aq.activity_districts(con) == []
    assert aq.unit_activity_count(con) == 0
    df = aq.activities(con)
    assert df.height == 0 and {"status", "goal_label", "source"} <= set(df.columns)


def test_status_overview_has_one_order_on_every_run():
    """The overview of statuses per district (chart and export) lists the same rows in the
    same order every time: districts by their total, a district's statuses in a fixed order."""
    from dashboard import activity_queries as aq
    statuses = ["pågår", "klar", None, "ej påbörjad", "försenad"]
    frame = pl.DataFrame({"district": [d for d in ("Bromma", "Farsta", "Norrmalm") for _ in range(12)],
                          "status": [statuses[i % len(statuses)] for i in range(36)]})
    first = aq.status_counts(frame).rows()
    assert all(aq.status_counts(frame.sample(fraction=1.0, shuffle=True, seed=s)).rows() == first for s in range(30))
    for district in ("Bromma", "Farsta", "Norrmalm"):
        mine = [r[1] for r in first if r[0] == district]
        assert mine == sorted(s for s in mine if s is not None) + [None] * mine.count(None)
