"""Golden files: real excerpts (tests/golden/indicators/*.txt|md) next to their expected records.

Each excerpt holds one oddity of the documents: wrapped names and cells, empty cells as extra
spaces, a header repeated in the middle of a row, Analys/Kommentar paragraphs, a misspelled
header ("Arsmål"), a broken word ("Fastställ s"). The expected JSON was checked by hand
against the document; regenerate with `python -m tests.golden_tool` and review the diff.
"""
import json

import pytest

from tests.golden_tool import GOLDEN, expected_path, records_for

EXCERPTS = sorted(p for p in GOLDEN.iterdir() if p.suffix in (".txt", ".md"))


@pytest.mark.parametrize("excerpt", EXCERPTS, ids=lambda p: p.stem)
def test_excerpt_matches_expected_records(excerpt):
    expected = json.loads(expected_path(excerpt).read_text(encoding="utf-8"))
    assert records_for(excerpt) == expected


def test_page_break_header_inside_a_row_keeps_the_whole_name():
    recs = records_for(GOLDEN / "report_page_break_mid_row.txt")
    names = [r["name"] for r in recs["indicators"]]
    assert "Andel vuxna med långvarigt ekonomiskt bistånd jämfört med samtliga vuxna invånare" in names
    row = next(r for r in recs["indicators"] if r["name"].startswith("Andel vuxna"))
    assert (row["outcome"], row["outcome_men"], row["outcome_women"], row["prior_outcome"]) == (0.33, 0.36, 0.31, 0.25)
    assert row["analysis_starts"].startswith("Andelen biståndstagare")


def test_lone_kf_phrase_goes_to_kf_target():
    recs = records_for(GOLDEN / "plain_plan_comment_and_wrapped_target.txt")
    row = next(r for r in recs["indicators"] if "hot och våld" in r["name"])
    assert row["target_raw"] is None and row["kf_target_raw"] == "Fastställs 2020"
    assert row["analysis_starts"].startswith("Årsmål fastställs")


def test_markdown_table_with_misspelled_header_and_empty_kf_cell():
    recs = records_for(GOLDEN / "markdown_plan_misspelled_header.txt")
    assert len(recs["indicators"]) == 8
    assert all(r["kf_target_raw"] is None and r["target_raw"] for r in recs["indicators"])


def test_table_with_a_missing_column_is_reported_and_still_read():
    from etl.model import RawDocument
    from etl.read import lines_from_text
    from etl.recognise import recognise

    text = ("Nämndmål:\n1.1.1 Invånare försörjer sig själva\n"
            "Indikator Årsmål Periodicitet\n"
            "Andel barn som lever i familjer som har ekonomiskt bistånd 3,3 % Tertial\n")
    goals, rows, _, warnings = recognise(RawDocument("x.txt", "", "plain", lines_from_text(text)))
    assert [w.stage for w in warnings] == ["indicators"] and "missing or unknown columns" in warnings[0].message
    assert [(r.name, r.target.value, r.kf_target.raw, r.periodicity) for r in rows] == [
        ("Andel barn som lever i familjer som har ekonomiskt bistånd", 3.3, None, "Tertial")]
