"""Swedish full-text search over sections: stemming, å/ä/ö, ranking, provenance, errors."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

import etl.search.index as search
from etl.search.index import SearchUnavailable, search_sections
from tests.helpers import create_index

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = (ROOT / "etl" / "store" / "schema.sql").read_text(encoding="utf-8")

SECTIONS = [
    # (section_id, document_id, heading, text, line)
    (1, 1, "Förskola", "Stadsdelen har tolv förskolor med utbildade pedagoger.", 10),
    (2, 1, "Äldreomsorg", "Äldreomsorgen erbjuder hemtjänst och vård- och omsorgsboende.", 20),
    (3, 2, "Fältarbete", "Fältassistenterna arbetar kvällstid i parkerna.", 30),
    (4, 2, "Trygghet", "Tryggheten i parkerna ska öka. Trygghet, trygghet och åter trygghet.", 40),
    (5, 2, "Parker", "Parkerna sköts av en entreprenör; tryggheten följs upp.", 50),
    (6, 1, "Ekonomi", "Budgeten för nämnden redovisas per verksamhetsområde.", 60),
]


@pytest.fixture()
def con():
    c = duckdb.connect()
    c.execute(SCHEMA)
    c.executemany(
        "INSERT INTO documents (document_id, district, year, doc_type, level, source_file, sha256) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [[1, "Kungsholmen", 2020, "verksamhetsplan", "namnd", "kungsholmen_vp_2020.txt", "x"],
         [2, "Norrmalm", 2021, "verksamhetsberattelse", "namnd", "norrmalm_vb_2021.txt", "y"]],
    )
    c.executemany(
        "INSERT INTO sections (section_id, document_id, heading, heading_path, text, source_line_start, "
        "source_line_end) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [[sid, did, h, f"Del > {h}", t, line, line + 5] for sid, did, h, t, line in SECTIONS],
    )
    create_index(c)
    yield c
    c.close()


def ids(df) -> list[int]:
    return df["section_id"].to_list()


def test_stemming_finds_other_inflections(con):
    # "förskolan" (definite singular) finds a section that only says "förskolor" (plural)
    assert ids(search_sections(con, "förskolan")) == [1]
    assert ids(search_sections(con, "äldreomsorgens")) == [2]


def test_swedish_letters_are_kept_apart_from_plain_letters(con):
    assert ids(search_sections(con, "fältassistent")) == [3]
    assert search_sections(con, "faltassistent").is_empty()
    assert ids(search_sections(con, "ÄLDREOMSORG")) == [2]          # case does not matter


def test_more_mentions_rank_higher(con):
    df = search_sections(con, "trygghet")
    assert ids(df) == [4, 5]
    assert df["score"].to_list() == sorted(df["score"].to_list(), reverse=True)


def test_result_carries_document_and_line_and_marks_the_hits(con):
    df = search_sections(con, "parkerna", limit=5)
    row = next(r for r in df.iter_rows(named=True) if r["section_id"] == 3)
    assert row["district"] == "Norrmalm" and row["year"] == 2021 and row["doc_type"] == "verksamhetsberattelse"
    assert row["source_file"] == "norrmalm_vb_2021.txt" and row["source_line_start"] == 30
    assert row["heading_path"] == "Del > Fältarbete"
    assert "«parkerna»" in row["snippet"]
    assert list(df.columns) == search.RESULT_COLUMNS


def test_limit_and_empty_query(con):
    assert search_sections(con, "parkerna", limit=1).height == 1
    empty = search_sections(con, "   ")
    assert empty.is_empty() and list(empty.columns) == search.RESULT_COLUMNS


def test_definite_forms_in_et_find_the_bare_word(con):
    # Snowball's Swedish stemmer removes "-et": "budgeten" ... "nämnden" are found from any form
    assert ids(search_sections(con, "budget")) == [6]
    assert ids(search_sections(con, "nämnderna")) == [6]


def test_a_chosen_district_gets_its_own_hits_ranked_against_the_whole_city(con):
    city = search_sections(con, "parkerna")
    only = search_sections(con, "parkerna", district="Norrmalm", limit=1)
    assert set(city["district"]) == {"Norrmalm"} and only.height == 1
    assert only["score"][0] == city["score"][0]
    assert search_sections(con, "parkerna", district="Kungsholmen").is_empty()


def test_deleted_documents_leave_the_index(con):
    from etl.store.load import delete_files

    delete_files(con, ["norrmalm_vb_2021.txt"])
    assert search_sections(con, "parkerna").is_empty()
    assert ids(search_sections(con, "förskolan")) == [1]


def test_postings_are_sorted_by_term_after_building(con):
    rows = con.execute("SELECT term_id FROM search_postings").fetchall()
    assert rows == sorted(rows)


def test_search_without_index_says_so():
    c = duckdb.connect()
    c.execute(SCHEMA)
    c.execute("INSERT INTO sections VALUES (1, 1, 'Förskola', NULL, 'Tolv förskolor.', 1, 2, NULL)")
    with pytest.raises(SearchUnavailable, match="index"):
        search_sections(c, "förskola")
    c.execute("DROP TABLE search_postings")          # a database from before the index existed
    with pytest.raises(SearchUnavailable, match="index"):
        search_sections(c, "förskola")


def test_seed_documents_all_found_by_an_inflected_word():
    """Every seed document talks about its 'verksamhet'; any inflection finds all five."""
    from etl.parse.sections import parse_sections
    from etl.read.text import read_document

    raw_dir = ROOT / "data" / "raw"
    c = duckdb.connect()
    c.execute(SCHEMA)
    sid = 0
    paths = sorted(raw_dir.iterdir())
    for did, path in enumerate(paths, 1):
        raw = read_document(path, raw_dir)
        c.execute("INSERT INTO documents (document_id, district, year, doc_type, level, source_file, sha256) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?)", [did, path.name.split("_")[0], 2021, "verksamhetsplan",
                                                   "namnd", raw.source_file, raw.sha256])
        rows = []
        for s in parse_sections(raw):
            sid += 1
            rows.append([sid, did, s.heading, s.heading_path, s.text, s.source_line_start,
                         s.source_line_end, s.source_page])
        c.executemany("INSERT INTO sections VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    create_index(c)
    df = search_sections(c, "verksamheternas", limit=10_000)
    assert set(df["document_id"].to_list()) == set(range(1, len(paths) + 1))
    top = search_sections(c, "förskolan", limit=20)
    assert top.height == 20 and all("rskol" in (h + s).lower() for h, s in zip(top["heading"], top["snippet"]))
    c.close()


def test_stop_words_are_left_out_of_a_query_with_other_words(con):
    assert ids(search_sections(con, "tryggheten i parkerna")) == ids(search_sections(con, "tryggheten parkerna"))
    assert not search_sections(con, "och").is_empty()          # a query of stop words only still searches
