"""The number and cell conventions every part of the product relies on."""
import pytest

from etl.parse.cells import readings
from etl.parse.numbers import parse_number


@pytest.mark.parametrize("raw, value, unit, text", [
    ("3,3 %", 3.3, "%", "3,3 %"),
    ("12 000", 12000.0, None, "12 000"),
    ("1 487,5", 1487.5, None, "1 487,5"),
    ("Max 10 personer", 10.0, "personer", "Max 10 personer"),
    ("+/- 1 %", 1.0, "%", "+/- 1 %"),
    ("0,48 %", 0.48, "%", "0,48 %"),
    ("-2 %", -2.0, "%", "-2 %"),
    ("Tas fram av nämnd", None, None, "Tas fram av nämnd"),
    ("Ökning", None, None, "Ökning"),
    ("öka", None, None, "öka"),
    ("Fastställs 2021", None, None, "Fastställs 2021"),
    ("Fastställ s 2021", None, None, "Fastställs 2021"),
    ("nämnd/styrel se", None, None, "nämnd/styrelse"),
    ("13,7 barn/avd.", 13.7, "barn/avd.", "13,7 barn/avd."),
    ("1,8 kg CO2 per kg livsmedel", 1.8, "kg CO2 per kg livsmedel", "1,8 kg CO2 per kg livsmedel"),
    # words with a year qualify a number with a unit: the unit is the one printed before them
    ("2 % energieffektivisering relativt 2018", 2.0, "%", "2 % energieffektivisering relativt 2018"),
    ("5 st 2020", None, None, "5 st 2020"),
])
def test_parse_number_conventions(raw, value, unit, text):
    assert parse_number(raw) == (value, unit, text)


def best(text, n):
    return next(r.cells for r in readings(text) if len(r.cells) == n)


def test_report_row_extra_spaces_are_empty_cells():
    # utfall, män, kvinnor, VB föregående år, årsmål, KF:s årsmål, period
    assert best("1,3 %   1,3 % 0,8 % 2,7 % VB 2021", 7) == ("1,3 %", None, None, "1,3 %", "0,8 %", "2,7 %", "VB 2021")


def test_thousands_grouping_is_resolved_by_the_cell_count():
    assert best("230   184 200 st Tas fram av nämnd VB 2021", 7) == (
        "230", None, None, "184", "200 st", "Tas fram av nämnd", "VB 2021")
    assert readings("12 000 Tas fram av nämnd År")[0].cells == ("12 000", "Tas fram av nämnd", "År")


def test_wrapped_phrase_is_one_cell():
    assert best("100 100 % 100 %  25 Fastställ s  2021 VB 2021", 7) == (
        "100", "100 %", "100 %", None, "25", "Fastställs 2021", "VB 2021")


def test_number_with_a_wrapped_phrase_that_ends_in_a_year_is_one_cell():
    # Kungsholmen VP 2020 l.2069-2074: "2 % 2 % / energieffekti / visering / relativt 2018 / År"
    assert best("2 % 2 % energieffektivisering relativt 2018 År", 3) == (
        "2 %", "2 % energieffektivisering relativt 2018", "År")
    # a year right after a number is still its own cell (a report's period)
    assert best("80 % 75 % 2021", 3) == ("80 %", "75 %", "2021")


def test_a_word_broken_across_lines_is_mended_only_when_the_document_uses_the_whole_word():
    from etl.model import Line
    from etl.parse.recognise.row_text import cell_texts
    from etl.parse.vocabulary import Vocabulary

    prose = Line(1, "Verksamheterna arbetar med energieffektiviseringar och klimatsmarta inköp i hela staden. ")
    vocab = Vocabulary([prose])
    row = [Line(2, "2 % 2 % "), Line(3, "energieffekti"), Line(4, "visering "), Line(5, "relativt 2018")]
    assert [t for t in cell_texts(row, vocab) if t.strip()] == ["2 % 2 %", "energieffektivisering", "relativt 2018"]
    # two words of the document, or a line that ends with a space, stay apart
    assert cell_texts([Line(2, "arbetar"), Line(3, "klimatsmarta")], vocab) == ["arbetar", "klimatsmarta"]
    assert cell_texts([Line(2, "energieffekti "), Line(3, "visering")], vocab) == ["energieffekti", "visering"]
    assert cell_texts(row, None)[1:3] == ["energieffekti", "visering"]


def test_a_row_of_hundreds_of_values_is_read_without_recursion():
    """A value row of 500 numbers (or 400 double-spaced cells) used to raise RecursionError or
    take seconds; the grammar reads from the last word back and a row split only tries value
    starts that `expected` cells can hold (timings: bench/fuzz_cells.py)."""
    from etl.model import Line
    from etl.parse.cells import best_readings
    from etl.parse.recognise.row_text import split_row

    assert best_readings(" ".join(["5"] * 500) + " 2021", 7) is not None
    name, cells = split_row([Line(1, "Andel barn " + "  ".join(["12 %"] * 400) + " 3 % 4 % År")], 3)
    assert cells == ("3 %", "4 %", "År") and name.startswith("Andel barn 12 %")
    assert split_row([Line(1, "Namn " + "1 " * 470 + "År")], 7) is not None


def test_the_unit_mismatch_cost_decides_a_bare_number_beside_a_percentage():
    """A plan row whose values follow the name on its line: "9" is the name's school year, not
    a target beside "85 %" (RowCosts.unit_mismatch); without that cost it would be a cell."""
    from etl.model import Line
    from etl.parse.cells import RowCosts
    from etl.parse.recognise.row_text import split_row

    row = [Line(1, "Andel elever i årskurs 9 85 % År")]
    assert split_row(row, 3) == ("Andel elever i årskurs 9", ("85 %", "År"))
    assert split_row(row, 3, costs=RowCosts(unit_mismatch=0.0)) == ("Andel elever i årskurs", ("9", "85 %", "År"))


@pytest.mark.parametrize("bad", [{"best_readings": 0}, {"segment_readings": 2.5}, {"unit_mismatch": -1.0},
                                 {"empty_cell": "1"}])
def test_row_costs_refuse_impossible_values_with_the_field_named(bad):
    from etl.parse.cells import RowCosts

    with pytest.raises(ValueError, match=f"RowCosts.{next(iter(bad))}"):
        RowCosts(**bad)
