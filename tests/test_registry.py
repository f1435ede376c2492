"""The district registry (dashboard/registry_queries.py) and the Stadsdelar page (pages/stadsdelar.py).

Expectations about the registry are read from data/districts.csv here with the csv module,
independently of the code under test (etl.parse.detect.load_registry).
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import registry_queries as rq
from tests.dashboard_fixture import DOCUMENTS, build_empty_db, build_fixture_db
from tests.helpers import run_page

ROOT = Path(__file__).resolve().parents[1]
CSV = ROOT / "data" / "districts.csv"
PAGE = "pages/stadsdelar.py"
MERGED = "Hägersten-Älvsjö"


def csv_rows() -> list[dict]:
    with open(CSV, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def shown(markdown: str) -> str:
    """What the user reads of Markdown whose text is escaped (fmt.md_escape)."""
    return re.sub(r"\\(.)", r"\1", markdown)


# --- the registry ------------------------------------------------------------------------------

def test_registry_lists_the_current_and_former_councils_of_the_csv():
    rows = csv_rows()
    reg = rq.registry()
    assert reg["name"].to_list() == [r["name"] for r in rows]
    current = reg.filter(reg["current"])["name"].to_list()
    assert current == [r["name"] for r in rows if not r["valid_to"]]
    assert len(current) == 13
    former = reg.filter(~reg["current"])
    expected = {r["name"]: (int(r["valid_to"]), r["successor"]) for r in rows if r["valid_to"]}
    assert {r["name"]: (r["valid_to"], r["successor"]) for r in former.iter_rows(named=True)} == expected
    assert set(former["successor"].to_list()) <= set(current)       # every former council went into a current one


def test_registry_has_years_and_predecessors():
    rows = {r["name"]: r for r in csv_rows()}
    reg = {r["name"]: r for r in rq.registry().iter_rows(named=True)}
    merged = reg[MERGED]
    assert merged["valid_from"] == int(rows[MERGED]["valid_from"])
    assert merged["years"] == f"{rows[MERGED]['valid_from']}–"
    assert merged["predecessors"] == [n for n, r in rows.items() if r["successor"] == MERGED]
    for name, r in rows.items():
        if r["valid_to"]:
            assert reg[name]["years"] == f"{r['valid_from']}–{r['valid_to']}"
            assert reg[name]["predecessors"] == []


def test_the_two_predecessors_of_hagersten_alvsjo_with_their_years():
    expected = [{"name": r["name"], "valid_from": int(r["valid_from"]), "valid_to": int(r["valid_to"])}
                for r in csv_rows() if r["successor"] == MERGED]
    assert len(expected) == 2
    assert rq.predecessors(MERGED) == expected
    assert [p["name"] for p in expected] == ["Hägersten-Liljeholmen", "Älvsjö"]
    assert rq.predecessors("Norrmalm") == []
    assert rq.predecessors("Atlantis") == []


def test_lineage_note_names_the_predecessors_for_years_crossing_the_merger():
    start = int(next(r for r in csv_rows() if r["name"] == MERGED)["valid_from"])
    note = rq.lineage_note(MERGED, list(range(start - 2, start + 2)))
    assert note == (f"{MERGED} bildades {start} av Hägersten-Liljeholmen och Älvsjö; "
                    f"åren före {start} visas för de tidigare nämnderna.")
    assert rq.lineage_note(MERGED, [start - 1]) == note         # only years before it existed: the same note


@pytest.mark.parametrize("district, years", [
    (MERGED, [2020, 2021, 2022]),           # all after the merger
    (MERGED, [2021]),
    (MERGED, []),
    ("Norrmalm", [2015, 2020, 2021]),       # never merged
    ("Atlantis", [2018, 2021]),             # not in the registry
    ("Älvsjö", [2017, 2018, 2019]),         # a former council within its own years
])
def test_lineage_note_is_none_when_the_years_do_not_cross_a_merger(district, years):
    assert rq.lineage_note(district, years) is None


def test_lineage_note_for_a_former_council_shown_after_its_last_year():
    assert rq.lineage_note("Älvsjö", [2018, 2019, 2020]) == \
        "Älvsjö fanns till och med 2019; från 2020 ingår området i Hägersten-Älvsjö."


def test_documents_by_district_counts_per_district_type_and_year(tmp_path):
    path = build_fixture_db(tmp_path / "fixture.duckdb")
    with duckdb.connect(str(path), read_only=True) as con:
        counts = rq.documents_by_district(con)
    with duckdb.connect(str(build_empty_db(tmp_path / "empty.duckdb")), read_only=True) as con:
        empty = rq.documents_by_district(con)
    assert counts["n_documents"].sum() == len(DOCUMENTS)
    got = {(r["district"], r["year"], r["doc_type"], r["level"]): r["n_documents"] for r in counts.iter_rows(named=True)}
    assert got[(MERGED, 2021, "verksamhetsberattelse", "namnd")] == 1
    assert got[(MERGED, 2021, "verksamhetsplan", "enhet")] == 1
    kungsholmen = counts.filter(counts["district"] == "Kungsholmen")
    assert kungsholmen.select("year", "doc_type").rows() == [(2020, "verksamhetsplan"), (2021, "verksamhetsberattelse")]
    assert empty.height == 0 and "n_documents" in empty.columns


# --- the page ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    return build_fixture_db(tmp_path_factory.mktemp("registry") / "fixture.duckdb")


@pytest.fixture()
def page(fixture_db, monkeypatch):
    def open_page(**params) -> AppTest:
        return run_page(PAGE, fixture_db, monkeypatch, **params)
    return open_page


def table(at: AppTest, heading: str):
    """The first table with the column `heading`."""
    return next(t.value for t in at.dataframe if heading in t.value.columns)


def test_page_lists_current_and_former_councils(page):
    at = page()
    assert at.title[0].value == "Stadsdelar"
    rows = csv_rows()
    current = at.dataframe[0].value
    assert list(current.columns) == ["Stadsdelsnämnd", "Sedan", "Bildad av", "Inlästa dokument"]
    assert current["Stadsdelsnämnd"].tolist() == [r["name"] for r in rows if not r["valid_to"]]
    merged = current[current["Stadsdelsnämnd"] == MERGED].iloc[0]
    assert merged["Bildad av"] == "Hägersten-Liljeholmen och Älvsjö"
    assert merged["Inlästa dokument"] == 2
    former = at.dataframe[1].value
    assert list(former.columns) == ["Stadsdelsnämnd", "År", "Uppgick i", "Inlästa dokument"]
    assert former.values.tolist() == [[r["name"], f"{r['valid_from']}–{r['valid_to']}", r["successor"], 0]
                                      for r in rows if r["valid_to"]]


def test_page_grid_has_swedish_document_labels(page):
    at = page()
    grid = table(at, "Nämndens dokument").set_index("Stadsdel")
    assert grid.loc["Norrmalm", "Nämndens dokument"] == "Verksamhetsberättelse 2020, Verksamhetsberättelse 2021"
    assert grid.loc["Kungsholmen", "Nämndens dokument"] == "Verksamhetsplan 2020, Verksamhetsberättelse 2021"
    assert grid.loc[MERGED, "Enheternas dokument"] == "Verksamhetsplan 2021"
    assert grid.loc["Bromma", "Nämndens dokument"] == "inga inlästa"
    assert grid.loc["Älvsjö", "Antal"] == 0
    assert len(grid) == len(csv_rows())


def test_picked_district_shows_its_documents_with_file_names(page):
    at = page(stadsdel=MERGED)
    assert at.selectbox(key="stadsdel").value == MERGED
    assert at.query_params["stadsdel"] == MERGED
    docs = table(at, "Fil")
    expected = sorted(d[6] for d in DOCUMENTS if d[1] == MERGED)
    assert sorted(docs["Fil"]) == expected
    assert set(docs["Dokument"]) == {"Verksamhetsberättelse", "Verksamhetsplan"}
    assert set(docs["Nivå"]) == {"nämnd", "enhet"}
    assert "Bildad 2020 av Hägersten-Liljeholmen och Älvsjö." in [shown(c.value) for c in at.caption]


def test_the_picker_changes_district_and_the_url_follows(page):
    at = page()
    assert at.query_params["stadsdel"] == at.selectbox(key="stadsdel").value     # the default is in the URL too
    at.selectbox(key="stadsdel").set_value("Kungsholmen").run()
    assert not at.exception and not at.error
    assert at.query_params["stadsdel"] == "Kungsholmen"
    assert sorted(table(at, "Fil")["Fil"]) == ["kungsholmen_verksamhetsberattelse_2021.txt",
                                               "kungsholmen_verksamhetsplan_2020.txt"]


def test_a_district_without_documents_says_so(page):
    at = page(stadsdel="Älvsjö")
    assert at.selectbox(key="stadsdel").value == "Älvsjö"
    assert any("Inga dokument för Älvsjö är inlästa." == shown(i.value) for i in at.info)
    assert "Fanns 1997–2019; uppgick 2020 i Hägersten-Älvsjö." in [shown(c.value) for c in at.caption]


def test_page_with_an_empty_database(tmp_path, monkeypatch):
    at = run_page(PAGE, build_empty_db(tmp_path / "empty.duckdb"), monkeypatch)
    assert at.title[0].value == "Stadsdelar"
    assert len(at.dataframe[0].value) == 13          # the registry is data: shown without documents
    assert any("Databasen innehåller inga dokument" in i.value for i in at.info)


def test_over_the_years_a_merged_district_brings_its_predecessors_with_a_note(tmp_path, monkeypatch):
    """Hägersten-Älvsjö chosen: its predecessor's 2019 value is drawn and the chart says why
    the lines change name, instead of a silent gap before 2020."""
    from tests.dashboard_fixture import BARN, BARN_NAME, _value

    path = build_fixture_db(tmp_path / "merged.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO documents VALUES (90, 'Hägersten-Liljeholmen', 2019, 'verksamhetsberattelse', "
                    "'namnd', NULL, 'hl_vb_2019.txt', ?, 'spaced', 'content', 100)", ["1" * 64])
        row = _value(900, 90, BARN, BARN_NAME, 40, unit="%", outcome=1.9, outcome_raw="1,9 %")
        cols = list(row)
        con.execute(f"INSERT INTO indicator_values ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                    [row[c] for c in cols])
    monkeypatch.setenv("STADSDEL_DB", str(path))
    monkeypatch.setenv("STADSDEL_INPUT", str(tmp_path))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["stadsdelar"] = ["Hägersten-Älvsjö"]
    at.query_params["vy"] = "Tabell"
    at.run()
    at.switch_page(str(ROOT / "pages" / "jamfor_indikator.py")).run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "Hägersten-Älvsjö bildades 2020 av Hägersten-Liljeholmen och Älvsjö" in captions
    over = at.dataframe[1].value                      # over the years, Tabell tab
    assert ("Hägersten-Liljeholmen", 2019) in set(zip(over["Stadsdel"], over["År"]))
