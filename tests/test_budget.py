"""Budget tables: golden excerpts of each table shape, total checks, activity areas.

Golden files: tests/golden/budget/<name>.txt|.md is a real excerpt of a seed document (line
numbers are the excerpt's own), <name>.expected.json its records and warnings, checked by
hand against the document. After an intended change regenerate with
`python -m tests.test_budget` and review the diff.
"""
from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from etl.model import Line, RawDocument
from etl.parse.areas import canonical_area
from etl.parse.budget.header import fit_columns, header_segments, join_lines
from etl.parse.budget.rows import split_row
from etl.parse.budget.tunables import SETTINGS, BudgetSettings
from etl.parse.vocabulary import Vocabulary
from etl.read.text import detect_flavour, lines_from_text
from tests.helpers import budget_records, canonical_areas

GOLDEN = Path(__file__).parent / "golden" / "budget"
RAW = Path(__file__).resolve().parent.parent / "data" / "raw"


def raw_from_text(text: str, name: str = "excerpt.txt") -> RawDocument:
    return RawDocument(name, "", detect_flavour(text.split("\n")), lines_from_text(text))


def records_for(path: Path) -> dict:
    recs, warns = budget_records(raw_from_text(path.read_text(encoding="utf-8"), path.name))
    return {
        "budget_lines": recs,
        "warnings": [{"stage": w.stage, "message": w.message, "source_line": w.source_line} for w in warns],
    }


def expected_path(excerpt: Path) -> Path:
    return excerpt.with_suffix(".expected.json")


EXCERPTS = sorted(p for p in GOLDEN.iterdir() if p.suffix in (".txt", ".md"))


@pytest.mark.parametrize("excerpt", EXCERPTS, ids=lambda p: p.stem)
def test_excerpt_matches_expected_records(excerpt):
    expected = json.loads(expected_path(excerpt).read_text(encoding="utf-8"))
    assert records_for(excerpt) == expected


def _cells(path: Path) -> dict[tuple[str, str], float | None]:
    return {(r["row_label"], r["column_label"]): r["value"] for r in records_for(path)["budget_lines"]}


# -- the oddities, spelled out -------------------------------------------------------------
def test_wrapped_labels_thousands_and_glued_header_words():
    cells = _cells(GOLDEN / "spaced_overview_groups_thousands.txt")
    # "Nämnd- och / förvaltningsadm. / 74,9 2,6 ..." and "NettoVP 2021" (glued) -> "Netto VP 2021"
    assert cells[("Nämnd- och förvaltningsadm.", "Netto VP 2021")] == 72.3
    assert cells[("Stöd och service till personer med funktionsnedsättning", "Kostnader")] == 541.2
    # thousands separators: "Drift totalt 2 813,3 397,6 2 415,7 2 343,6 2 307,4"
    assert cells[("Drift totalt", "Kostnader")] == 2813.3
    assert cells[("Drift totalt", "VB 2019")] == 2307.4
    # a group line ("Investeringar" with empty cells) prefixes the rows under it
    assert cells[("Investeringar › Parkinvesteringar", "Netto VP 2021")] == 21.1


def test_empty_cells_keep_their_column():
    cells = _cells(GOLDEN / "spaced_empty_cells.txt")
    # "Nämnd 2,2  2,2 2,2  ": Intäkter and Omslutningsförändring are empty
    assert cells[("Nämnd", "Kostnader")] == 2.2
    assert ("Nämnd", "Intäkter") not in cells
    assert cells[("Nämnd", "Netto VP 2021")] == 2.2 and cells[("Nämnd", "VP 2020")] == 2.2
    assert ("Nämnd", "Omslutningsförändring") not in cells
    assert cells[("Facklig tid", "Omslutningsförändring")] == 1.9


def test_rows_with_only_deviation_columns():
    cells = _cells(GOLDEN / "report_deviation_only_rows.txt")
    assert cells[("Anslag för nämndens verksamhet (netto)", "Budget 2021")] == 1258.2
    row = {col: v for (label, col), v in cells.items() if label == "Avvikelse före resultatdispositioner"}
    assert row == {"Avvikelse 2021": 50.7, "Avvikelse 2020": 43.2}
    # a one-column table whose header is only its title
    assert cells[("Hög hyra förskola", "Budgetjusteringar Drift Mnkr")] == 8.2


def test_broken_header_words_and_number_broken_over_lines():
    recs = records_for(GOLDEN / "report_broken_header_words.txt")
    cols = list(dict.fromkeys(r["column_label"] for r in recs["budget_lines"]))
    assert cols == [
        "Budget (kostnader)", "Budget (intäkter)", "Budget (netto)",
        "Bokslut före resultatöverföringar", "Bokslut efter resultatöverföringar",
        "Avvikelse 2021 efter resultatöverföringar", "Avvikelse 2020 efter resultatöverföringar",
    ]
    cells = {(r["row_label"], r["column_label"]): r["value"] for r in recs["budget_lines"]}
    assert cells[("Totalt", "Budget (netto)")] == 1258.2          # printed "1258," + "2"
    assert cells[("Stadsmiljöverksamhet", "Budget (intäkter)")] == -30
    assert cells[("varav flykting", "Bokslut efter resultatöverföringar")] == -6.4   # "-6,4*"
    # the printed total of one column disagrees with its rows: reported, not fixed
    assert [(w["source_line"], w["stage"]) for w in recs["warnings"]] == [(93, "budget")]
    assert "1210,9" in recs["warnings"][0]["message"]


def test_text_column_table_across_a_page_break():
    recs = records_for(GOLDEN / "spaced_text_column_page_break.txt")
    cells = {(r["row_label"], r["column_label"]): r["value"] for r in recs["budget_lines"]}
    labels = [label for label, _ in cells]
    assert "Stöd och service till personer med funktionsnedsättning" in labels   # after the repeated header
    assert cells[("varav socialpsykiatri", "Omslutningsförändring (mnkr)")] == 18.0   # not the 7,2 in the comment
    assert cells[("Drift totalt", "Omslutningsförändring (mnkr)")] == 317.2
    assert recs["warnings"] == []          # the rows add up to the printed total
    assert not any("Sydost" in label or "(Famrätt" in label for label in labels)


def test_markdown_tables_groups_and_decision_list():
    recs = records_for(GOLDEN / "markdown_tables_and_decisions.md")["budget_lines"]
    omsl = [r for r in recs if r["table_title"] == "Omslutningsförändring (mnkr)"]
    sp = next(r for r in omsl if r["row_label"].endswith("boendehyror och egenavgifter") and r["column_label"] == "Intäkter")
    assert sp["value"] == -10.0 and sp["area"] == "socialpsykiatri"        # area from the group row
    total = next(r for r in recs if r["row_label"] == "Totalt" and r["column_label"] == "VP 2025")
    assert total["value"] == 3224.7 and total["value_raw"] == "3 224,7"   # <b>..</b> removed
    decisions = [r for r in recs if r["column_label"] in ("Budgetjustering", "Omslutningsförändring")
                 and re.match(r"^\d+\. Nämnden", r["row_label"])]
    assert len(decisions) == 14
    assert decisions[0]["value"] == 1.8 and decisions[-1]["value"] == 317.4


def test_markdown_pipe_table_reads_like_a_tab_table():
    md = ("# Plan\n\n## Ekonomi\n\n### Förskola\n\n| Mnkr | VP 2026 | VP 2025 |\n|---|---:|---:|\n"
          "| Kostnader | 1 010,5 | 990,0 |\n| Intäkter | −60,5 | -50,0 |\n| **Netto** | **950,0** | **940,0** |\n")
    recs, warns = budget_records(raw_from_text(md, "plan.md"))
    cells = {(r["row_label"], r["column_label"]): r["value"] for r in recs}
    assert cells == {("Kostnader", "VP 2026"): 1010.5, ("Kostnader", "VP 2025"): 990.0,
                     ("Intäkter", "VP 2026"): -60.5, ("Intäkter", "VP 2025"): -50.0,
                     ("Netto", "VP 2026"): 950.0, ("Netto", "VP 2025"): 940.0}
    assert {r["area"] for r in recs} == {"förskola"} and warns == []


def test_header_words_on_separate_lines_and_a_number_inside_a_label():
    """A layout not in the seeds: one header word per line, "Grupp 2" as a row label."""
    text = ("Budgeten fördelas enligt tabellen nedan.\nVerksamhetsområde\nmnkr\nBudget\n2022\nUtfall\n2022\n"
            "Avvikelse\nFörskola 100,0 98,0 2,0\nGrupp 2 12,0 11,0 1,0\nÄldreomsorg 1 200,5 1 190,0 10,5\n"
            "Hemtjänst 65+ 12,0 11,0 1,0\nSumma 1 324,5 1 310,0 14,5\n"
            "Förvaltningen redovisar ett överskott som beror på lägre kostnader än budgeterat under året.\n")
    recs, warns = budget_records(raw_from_text(text))
    cells = {(r["row_label"], r["column_label"]): r["value"] for r in recs}
    assert cells[("Grupp 2", "Budget 2022")] == 12.0 and cells[("Grupp 2", "Avvikelse")] == 1.0
    assert cells[("Äldreomsorg", "Utfall 2022")] == 1190.0
    assert cells[("Hemtjänst 65+", "Budget 2022")] == 12.0
    assert len(cells) == 15 and warns == []


# -- total checks ---------------------------------------------------------------------------
TABLE = """Verksamhet, mnkr Kostnader Intäkter Netto VP 2021 VP 2020
Barn och unga 227,8 51,2 176,6 165,5
Vuxna 58,2 12,4 45,8 45,6
varav missbruk 20,0 1,0 19,0 18,0
Socialpsykiatri 84,4 18,0 66,4 63,7
Summa {total} 81,6 288,8 274,7
Individ- och familjeomsorgen budgeteras med netto 288,8 mnkr, vilket är en ökning jämfört med 2020.
"""


def test_total_that_agrees_gives_no_warning():
    recs, warns = budget_records(raw_from_text(TABLE.format(total="370,4")))
    assert warns == []
    assert len({r["row_label"] for r in recs}) == 5     # the prose after the table is not a row


def test_total_that_disagrees_gives_a_warning_and_keeps_the_printed_value():
    recs, warns = budget_records(raw_from_text(TABLE.format(total="371,4")))
    assert [(w.stage, w.source_line) for w in warns] == [("budget", 6)]
    assert "Kostnader" in warns[0].message and "371,4" in warns[0].message and "370,4" in warns[0].message
    summa = next(r for r in recs if r["row_label"] == "Summa" and r["column_label"] == "Kostnader")
    assert summa["value"] == 371.4


def test_one_unit_of_rounding_is_allowed_two_are_not():
    _, warns = budget_records(raw_from_text(TABLE.format(total="370,5")))
    assert warns == []
    _, warns = budget_records(raw_from_text(TABLE.format(total="370,6")))
    assert len(warns) == 1 and "370,6" in warns[0].message


def test_negative_numbers_with_minus_sign_and_dash():
    text = "Mnkr VP 2025 VP 2024\nKostnader 10,0 9,0\nIntäkter −2,5 -2,0\nNetto 7,5 7,0\n"
    recs, warns = budget_records(raw_from_text(text))
    cells = {(r["row_label"], r["column_label"]): r["value"] for r in recs}
    assert cells[("Intäkter", "VP 2025")] == -2.5 and cells[("Intäkter", "VP 2024")] == -2.0
    assert warns == []                                   # Netto = Kostnader + Intäkter


def test_a_table_right_after_another_is_read_as_its_own_table():
    text = ("Mnkr VP 2021 VP 2020\nFörskola 1,0 2,0\nSumma 1,0 2,0\nÄldreomsorg\nVerksamhet,\nmnkr\n"
            "Kostnader Intäkter\nHemtjänst 3,0 1,0\nSumma 3,0 1,0\n")
    recs, warns = budget_records(raw_from_text(text))
    assert warns == []
    by_table = {}
    for r in recs:
        by_table.setdefault(r["table_title"], set()).add((r["row_label"], r["column_label"], r["value"]))
    assert by_table["Mnkr"] == {("Förskola", "VP 2021", 1.0), ("Förskola", "VP 2020", 2.0),
                                ("Summa", "VP 2021", 1.0), ("Summa", "VP 2020", 2.0)}
    assert ("Hemtjänst", "Intäkter", 1.0) in by_table["Verksamhet, mnkr"]


def test_dated_columns_printed_over_several_lines():
    cells = _cells(GOLDEN / "spaced_dated_columns.txt")
    assert cells[("Snösätra förskolor", "2021 Socioekonomiskt anslag (mnkr)")] == 0.8
    assert cells[("Summa", "2021 Socioekonomiskt anslag (mnkr)")] == 3.0


def test_footnote_digit_glued_to_a_column_label_is_dropped():
    # Enskede VP 2021 l.5248-5249: "2020 Socioekonomiskt anslag / (mnkr)2"
    cols = {r["column_label"] for r in records_for(GOLDEN / "spaced_dated_columns.txt")["budget_lines"]}
    assert cols == {"2021 Socioekonomiskt anslag (mnkr)", "2020 Socioekonomiskt anslag (mnkr)"}


def test_a_table_whose_stub_was_taken_for_a_heading_sits_in_the_section_above():
    # Enskede VP 2021 l.5244-5265: the row header "Enhet" is found as a heading by shape; the table
    # is in "Förskoleverksamhet", so the rows without an area word ("Östberga", "Summa") are förskola
    recs = records_for(GOLDEN / "spaced_table_stub_under_heading.txt")["budget_lines"]
    grant = [r for r in recs if r["column_label"].endswith("Socioekonomiskt anslag (mnkr)")]
    assert len(grant) == 16 and {r["section"] for r in grant} == {"Förskoleverksamhet"}
    assert {r["area"] for r in grant} == {"förskola"}
    assert {r["row_label"] for r in grant} >= {"Östberga", "Summa"}


def test_markdown_sub_tables_under_emphasised_lines_take_their_area():
    # Hägersten-Älvsjö VP 2025 l.1787-1805: "– *Socialpsykiatri*" and "– *Nyanlända*" are not '#'
    # headings, but they name the area of the table under them (not the IFO heading above)
    recs = records_for(GOLDEN / "markdown_emphasised_subheadings.md")["budget_lines"]
    area_by_table = {}
    for r in recs:
        area_by_table.setdefault(r["table_no"], set()).add(r["area"])
    assert area_by_table == {1: {"individ- och familjeomsorg"}, 2: {"individ- och familjeomsorg"},
                             3: {"individ- och familjeomsorg"}, 4: {"socialpsykiatri"}, 5: {"flyktingmottagande"}}
    netto = {r["area"]: r["value"] for r in recs if r["row_label"] == "Netto" and r["column_label"] == "VP 2025"}
    assert netto["socialpsykiatri"] == 82.1 and netto["flyktingmottagande"] == 0.0


def test_a_caption_line_names_the_tables_area():
    # Kungsholmen VP 2020 l.3006-3042: "Nämndens parkinvesteringsmedel fördelas följande:" above a
    # "Mnkr Budget 2020 Beskrivning" table: the park rows and the Totalt are stadsmiljö
    recs = records_for(GOLDEN / "plain_text_column_groups.txt")["budget_lines"]
    assert {r["area"] for r in recs} == {"stadsmiljö"}
    assert any(r["row_label"] == "Totalt" for r in recs)


def test_every_budget_line_has_its_tables_number_in_document_order():
    recs = records_for(GOLDEN / "markdown_tables_and_decisions.md")["budget_lines"]
    assert all(isinstance(r["table_no"], int) for r in recs)
    first_line = {}
    for r in recs:
        first_line[r["table_no"]] = min(first_line.get(r["table_no"], r["source_line"]), r["source_line"])
    assert sorted(first_line) == list(range(1, len(first_line) + 1))
    assert [n for n, _ in sorted(first_line.items(), key=lambda kv: kv[1])] == sorted(first_line)
    # the decision list is one table, the first in this document
    decisions = {r["table_no"] for r in recs if re.match(r"^\d+\. Nämnden", r["row_label"])}
    assert decisions == {1}
    # two tables with the same title and section are told apart by their number
    mnkr = {(r["table_no"]) for r in recs if r["table_title"] == "Mnkr" and r["section"] == "Nämndens ekonomiska förutsättningar"}
    assert len(mnkr) == 2


# -- building blocks ------------------------------------------------------------------------
def test_split_row_keeps_empty_cells_and_labels_with_percent():
    sp = split_row("Peng - tillägg 3 % 16,8  16,8 16,5  ")
    assert sp.label == "Peng - tillägg 3 %"
    assert sp.cells == ["16,8", "", "16,8", "16,5"]      # trailing empty cells: padded to the table width later
    assert split_row("Verksamhetsområdet budgeteras med netto 72,3 mnkr.") is None


def test_header_columns_fit_the_row_width():
    assert fit_columns(header_segments("Kostnader Intäkter NettoVP 2021 VP 2020 VB 2019"), 5) == [
        "Kostnader", "Intäkter", "Netto VP 2021", "VP 2020", "VB 2019"]
    segs = header_segments("Budget netto Utfall netto Avvikelse Bokslut 2021 Avvikelse Bokslut 2020")
    assert fit_columns(segs, 4) == ["Budget netto", "Utfall netto", "Avvikelse Bokslut 2021", "Avvikelse Bokslut 2020"]


def test_broken_words_are_rejoined_only_when_the_document_uses_the_whole_word():
    prose = [Line(1, "Resultatöverföringar och budget för kostnader och intäkter beskrivs i denna text här."),
             Line(2, "Omslutningsförändringar och omslutningsförändring samt netto nämns också i texten.")]
    vocab = Vocabulary(prose)
    assert join_lines(["Budge", "t", "(kostnad", "er)"], vocab) == "Budget (kostnader)"
    assert join_lines(["Omslutnings-", "förändring"], vocab) == "Omslutningsförändring"
    assert join_lines(["Individ-", "och familjeomsorg"], vocab) == "Individ- och familjeomsorg"
    assert join_lines(["Bokslut", "efter"], vocab) == "Bokslut efter"


@pytest.mark.parametrize("label,area", [
    ("Nämnd- och förvaltningsadm.", "nämnd och administration"),
    ("Nämnd och förvaltningsövergripandeadministration", "nämnd och administration"),
    ("Individ- ochfamiljeomsorg", "individ- och familjeomsorg"),
    ("varav barn och unga", "individ- och familjeomsorg"),
    ("- varav socialpsykiatri", "socialpsykiatri"),
    ("varav flykting", "flyktingmottagande"),
    ("varav nyanlända", "flyktingmottagande"),
    ("Förskoleverksamhet", "förskola"),
    ("Stöd och service till personer med funktionsnedsättning", "funktionsnedsättning"),
    ("Stadsmiljö avskrivningar", "stadsmiljö"),
    ("Fritid och kultur", "barn, kultur och fritid"),
    ("Ekonomiskt bistånd", "ekonomiskt bistånd"),
    ("Äldreomsorg", "äldreomsorg"),
    ("Biståndsenheten", None),
    ("Summa", None),
])
def test_activity_area_names_are_normalised(label, area):
    assert canonical_area(label) == area


def test_canonical_area_list_is_small_and_unique():
    areas = canonical_areas()
    assert len(areas) == len(set(areas)) and 8 <= len(areas) <= 15


# -- the reader's settings ------------------------------------------------------------------
def test_the_default_settings_are_valid_and_frozen():
    assert SETTINGS == BudgetSettings()
    assert SETTINGS.max_label_chars == 60 and SETTINGS.rounding_units == 1.5 and SETTINGS.heading_lookback == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        SETTINGS.max_label_chars = 10      # type: ignore[misc]


@pytest.mark.parametrize("change, message", [
    ({"max_label_chars": 0}, "max_label_chars must be a whole number of at least 1, not 0"),
    ({"max_header_lines": -3}, "max_header_lines must be a whole number of at least 1, not -3"),
    ({"heading_lookback": -1}, "heading_lookback must be a whole number of at least 0, not -1"),
    ({"max_caption_chars": 1}, "max_caption_chars must be a whole number of at least 2, not 1"),
    ({"max_label_words": 2.5}, "max_label_words must be a whole number of at least 1, not 2.5"),
    ({"max_pending_lines": True}, "max_pending_lines must be a whole number of at least 0, not True"),
    ({"rounding_units": -0.5}, "rounding_units must be a finite number of at least 0, not -0.5"),
    ({"rounding_units": float("nan")}, "rounding_units must be a finite number of at least 0, not nan"),
    ({"rounding_units": "1,5"}, "rounding_units must be a finite number of at least 0, not '1,5'"),
])
def test_impossible_settings_are_refused_with_the_field_named(change, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        dataclasses.replace(SETTINGS, **change)


def test_settings_at_their_minimum_are_accepted():
    s = BudgetSettings(max_pending_lines=0, max_header_lines_above=0, max_row_header_words=0,
                       heading_lookback=0, max_caption_chars=2, rounding_units=0)
    assert s.heading_lookback == 0 and s.rounding_units == 0


# -- the seed documents ---------------------------------------------------------------------
def _seed(name: str):
    from etl.read.text import read_document
    path = next(RAW.glob(name))
    return budget_records(read_document(path, RAW))


def test_every_seed_plan_and_report_has_budget_rows_with_source_lines():
    counts = {}
    for path in sorted(RAW.iterdir()):
        recs, _ = _seed(path.name)
        counts[path.name] = len({(r["source_line"], r["row_label"]) for r in recs})
        assert all(r["source_line"] > 0 and r["unit"] == "mnkr" for r in recs)
        assert all(r["value"] is not None for r in recs)
    # the unit-level plan has no budget table; every district plan/report has many rows
    assert counts["hagersten-alvsjo_enhet-liljeholmens-dagliga-verksamheter_verksamhetsplan_2021.txt"] == 0
    assert all(n >= 50 for name, n in counts.items() if "_enhet-" not in name)


if __name__ == "__main__":
    for p in EXCERPTS:
        expected_path(p).write_text(json.dumps(records_for(p), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print("wrote", expected_path(p))
