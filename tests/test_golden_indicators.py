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
    from etl.read.text import lines_from_text
    from tests.helpers import recognised

    text = ("Nämndmål:\n1.1.1 Invånare försörjer sig själva\n"
            "Indikator Årsmål Periodicitet\n"
            "Andel barn som lever i familjer som har ekonomiskt bistånd 3,3 % Tertial\n")
    goals, rows, _, warnings = recognised(RawDocument("x.txt", "", "plain", lines_from_text(text)))
    assert [w.stage for w in warnings] == ["indicators"] and "missing or unknown columns" in warnings[0].message
    assert [(r.name, r.target.value, r.kf_target.raw, r.periodicity) for r in rows] == [
        ("Andel barn som lever i familjer som har ekonomiskt bistånd", 3.3, None, "Tertial")]


def test_kf_cell_of_a_number_and_words_wrapped_with_a_broken_word():
    # Kungsholmen VP 2020 l.2069-2074: "... 2 % 2 % / energieffekti / visering / relativt 2018 / År"
    recs = records_for(GOLDEN / "plain_plan_wrapped_kf_cell_broken_word.txt")
    row = next(r for r in recs["indicators"] if r["name"] == "Relativ energieffektivisering i stadens verksamheter")
    assert (row["target_raw"], row["target"]) == ("2 %", 2.0)
    assert (row["kf_target_raw"], row["kf_target"]) == ("2 % energieffektivisering relativt 2018", 2.0)
    assert row["unit"] == "%" and row["periodicity"] == "År"
    assert recs["warnings"] == []


def test_activity_table_ends_at_a_chapter_heading():
    # Norrmalm VB 2021 l.5372-5380: the last activity of nämndmål 3.2.2, then "Uppföljning av ekonomi"
    recs = records_for(GOLDEN / "report_activity_table_ends_at_heading.txt")
    assert recs["activities"][-1]["text"].startswith("Tydliggöra förutsättningar för tidsbegränsade")
    assert recs["warnings"] == []      # the chapter after the table is not an unreadable row


def test_analys_after_a_chapter_heading_is_not_attached_to_the_last_activity():
    from etl.model import RawDocument
    from etl.read.text import lines_from_text
    from tests.helpers import recognised

    text = (GOLDEN / "report_activity_table_ends_at_heading.txt").read_text(encoding="utf-8")
    # later in the same document (l.6396-6402): a heading, a grade and an Analys paragraph
    text += ("\nBedömning av nämndens interna kontroll \n Tillräcklig \n\nAnalys \n\n"
             "Norrmalms stadsdelsnämnd bedömer att den interna kontrollen under år 2021 har varit \n"
             "tillräcklig. \n")
    _, _, activities, _ = recognised(RawDocument("x.txt", "", "plain", lines_from_text(text)))
    assert activities[-1].text.startswith("Tydliggöra förutsättningar")
    assert all(a.analysis is None for a in activities)


def test_activity_text_whose_first_line_is_shaped_like_a_heading_stays_in_the_table():
    # Kungsholmen VP 2020 l.1121: "Socialnämnden ska i samarbete med stadsdelsnämnderna, SHIS och" is a
    # heading by shape (etl.parse.sections), but the activity's dates follow: it is a row, not the table's end
    recs = records_for(GOLDEN / "plain_activity_text_shaped_like_heading.txt")
    texts = [a["text"] for a in recs["activities"]]
    assert len(texts) == 14 and recs["warnings"] == []
    assert any(t.startswith("Socialnämnden ska i samarbete med stadsdelsnämnderna, SHIS och Bostadsförmedlingen")
               for t in texts)


@pytest.mark.parametrize("excerpt", ["plain_page_footer_between_tables.txt", "report_page_footer_in_activity_table.txt"])
def test_page_footer_under_the_page_number_is_page_furniture(excerpt):
    # Kungsholmen VP 2020 l.609-613 "Tjänsteutlåtande / Sid 16 (59) / stockholm.se / 08-508 08 079";
    # Norrmalm VB 2021 l.2758-2763 "... Sid 49 (116) / Sankt Eriksgatan 117 / start.stockholm / 50809014"
    recs = records_for(GOLDEN / excerpt)
    assert recs["warnings"] == []
    assert not any("stockholm" in a["text"] for a in recs["activities"])
    assert recs["indicators"] or recs["activities"]


def test_a_value_line_under_a_page_number_is_not_page_footer():
    """A row whose values come right after the page number: its numbers are not a phone number
    (a footer has a web address, and a phone number is one cell)."""
    from etl.model import RawDocument
    from etl.read.text import lines_from_text
    from tests.helpers import recognised

    head = "Nämndmål:\n1.1.1 Unga har en meningsfull fritid\nIndikator Årsmål KF:s årsmål Periodicitet\n"
    row = "Antal besök på fritidsgårdar under året\nSid 16 (59)\n{footer}12 000 15 000\nÅr\n"
    for footer in ("", "stockholm.se\n08-508 08 079\n"):      # without and with the real footer
        text = head + row.format(footer=footer)
        _, rows, _, warnings = recognised(RawDocument("x.txt", "", "plain", lines_from_text(text)))
        assert [(r.name, r.target.value, r.kf_target.value, r.periodicity) for r in rows] == [
            ("Antal besök på fritidsgårdar under året", 12000.0, 15000.0, "År")], footer
        assert warnings == []


def test_footer_words_without_a_page_number_are_text():
    from etl.model import RawDocument
    from etl.read.text import lines_from_text
    from tests.helpers import recognised

    text = ("Aktivitet Startdatum Slutdatum\nSprida information till berörda verksamheter.\n"
            "2021-01-01 2021-12-31\nSankt Eriksgatan 117\nstart.stockholm\n")
    _, _, activities, warnings = recognised(RawDocument("x.txt", "", "plain", lines_from_text(text)))
    assert len(activities) == 1
    assert [w.stage for w in warnings] == ["activities"] and "start.stockholm" in warnings[0].message
