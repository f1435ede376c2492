""""Min stadsdel": chosen once in the sidebar, kept in the URL, highlighted and ranked everywhere."""
from __future__ import annotations

import json

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import indicator_charts, standing
from dashboard.ui import chart_spec
from tests.dashboard_fixture import BARN, KOSTNAD, build_fixture_db
from tests.test_pages import APP, shown, texts


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    return build_fixture_db(tmp_path_factory.mktemp("mine") / "fixture.duckdb")


@pytest.fixture()
def app(fixture_db, monkeypatch):
    """Open a page the way a shared link does: the URL's parameters are there on the first run."""
    monkeypatch.setenv("STADSDEL_DB", str(fixture_db))
    monkeypatch.setenv("STADSDEL_INPUT", str(fixture_db.parent))

    def open_page(page: str, **params) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        for k, v in params.items():
            at.query_params[k] = v
        at.run()
        if page != "oversikt":
            at.switch_page(f"pages/{page}.py")
            at.run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return open_page


def frame(values: dict[str, float | None]) -> pl.DataFrame:
    return pl.DataFrame({"district": list(values), "outcome": list(values.values())},
                        schema={"district": pl.String, "outcome": pl.Float64})


def test_rank_follows_the_indicators_direction():
    f = frame({"A": 1.0, "B": 3.0, "C": 2.0, "D": None})
    assert standing.rank(f, "A", "lower") == (1, 3)       # lowest is best; D has no value
    assert standing.rank(f, "A", "higher") == (3, 3)
    assert standing.rank(f, "C", "higher") == (2, 3)
    assert standing.rank(f, "D", "higher") is None
    tied = frame({"A": 5.0, "B": 5.0, "C": 1.0})
    assert standing.rank(tied, "B", "higher") == standing.rank(tied, "A", "higher") == (1, 3)


@pytest.mark.parametrize("place,direction,text", [
    ((1, 13), "higher", "bäst av 13"), ((2, 13), "lower", "2:a bäst av 13"), ((3, 13), "higher", "3:e bäst av 13"),
    ((11, 13), "higher", "11:e bäst av 13"), ((12, 13), "lower", "12:e bäst av 13"),
    ((21, 30), "higher", "21:a bäst av 30"), ((4, 13), None, "4:e högst av 13"),
])
def test_rank_text_is_swedish_and_says_better_only_with_a_direction(place, direction, text):
    assert standing.rank_text(place, direction) == text


def test_compare_page_says_my_districts_place(app):
    at = app("jamfor_indikator", min="Norrmalm")
    assert at.selectbox(key="min").value == "Norrmalm"
    # lower is better: Kungsholmen 0,9, Norrmalm 1,3, Hägersten-Älvsjö 2,1
    assert "2:a bäst av 3 stadsdelar med värde" in shown(texts(at))
    assert at.query_params["min"] == "Norrmalm"


def test_my_district_without_a_value_says_why(app):
    at = app("jamfor_indikator", min="Spånga-Tensta")
    assert "Spånga-Tensta 2021: inget värde (saknas i dokumentet)" in shown(texts(at))


def test_my_district_is_kept_across_pages_and_written_to_the_url(app):
    at = app("jamfor_indikator", min="Kungsholmen")
    at.switch_page("pages/stadsdelsprofil.py")
    at.run()
    assert not at.exception
    assert at.selectbox(key="min").value == "Kungsholmen"
    assert at.query_params["min"] == "Kungsholmen"
    assert at.selectbox(key="stadsdel").value == "Kungsholmen"        # the profile opens on it


def test_choosing_no_district_removes_it_from_the_url(app):
    at = app("jamfor_indikator", min="Norrmalm")
    at.selectbox(key="min").set_value("Ingen vald").run()
    assert "min" not in at.query_params
    assert "Min stadsdel:" not in texts(at)


def test_ranked_bars_highlight_my_district():
    f = pl.DataFrame({"district": ["A", "B"], "outcome": [1.0, 2.0], "attainment": ["met", "not_met"],
                      "from_later_report": [False, False], "missing_reason": [None, None]})
    plain = json.dumps(chart_spec(indicator_charts.ranked_bars(f, direction="higher")), ensure_ascii=False)
    marked = json.dumps(chart_spec(indicator_charts.ranked_bars(f, direction="higher", mine="B")), ensure_ascii=False)
    assert "▶" not in plain and "datum.district ===" not in plain
    assert "▶" in marked and 'datum.district === \\"B\\"' in marked      # B's bar at full strength


def test_year_lines_draw_my_district_in_colour_among_many():
    rows = [{"district": d, "year": y, "outcome": float(i + y - 2020), "from_later_report": False}
            for i, d in enumerate("ABCDEFGHIJ") for y in (2020, 2021)]
    spec = chart_spec(indicator_charts.year_lines(pl.DataFrame(rows), highlight=list("ABCDEFGHIJ"), mine="C"))
    domains = [layer["encoding"]["color"]["scale"]["domain"] for layer in spec["layer"]
               if "color" in layer.get("encoding", {}) and "scale" in layer["encoding"]["color"]]
    assert domains and all(d == ["C"] for d in domains)   # ten chosen: too many to colour, mine stands out


def test_overview_summarises_my_district(app):
    at = app("oversikt", min="Kungsholmen")
    text = shown(texts(at))
    assert "Min stadsdel: Kungsholmen" in [s.value for s in at.subheader]
    assert "Senaste dokument: Verksamhetsberättelse 2021" in text
    ahead = next(d.value for d in at.table if "Placering" in d.value.columns)
    row = ahead[ahead["Indikator"].map(shown).str.startswith("Andel barn som lever")].iloc[0]
    assert row["Placering"] == "bäst av 3"                    # 0,9 % is the lowest of three


def test_summary_ranks_by_direction_and_skips_indicators_without_one(fixture_db):
    import duckdb
    con = duckdb.connect(str(fixture_db), read_only=True)
    try:
        s = standing.district_summary(con, "Hägersten-Älvsjö")
        assert s["year"] == 2021 and s["n_city"] >= 2
        behind = s["behind"]
        assert BARN in behind["indicator_id"].to_list()       # 2,1 % is the highest: last of three
        assert behind.filter(pl.col("indicator_id") == BARN)["rank_text"][0] == "3:e bäst av 3"
        every = pl.concat([s["ahead"], s["behind"]])
        assert KOSTNAD not in every["indicator_id"].to_list()  # no direction: neither ahead nor behind
        assert standing.district_summary(con, "Ingenstans")["latest"] is None
    finally:
        con.close()


def test_profile_lists_my_place_per_indicator(app):
    at = app("stadsdelsprofil", min="Norrmalm", vy="Tabell")
    tables = [d.value for d in at.dataframe if "Placering bland stadsdelarna" in d.value.columns]
    assert tables
    both = pl.concat([pl.from_pandas(t[["Indikator", "Placering bland stadsdelarna"]]) for t in tables])
    barn = both.filter(pl.col("Indikator").str.starts_with("Andel barn som lever"))
    assert barn["Placering bland stadsdelarna"][0] == "2:a bäst av 3"
