"""The PDF reader's stages one by one (etl/pdf_*.py, etl/read/pdf.py) and the recogniser's
guarantees that nothing is lost: page furniture by repetition, a table of contents by its
dot leaders, ruled cells, words broken in a narrow cell, the per-table self-check, and the
plain-text "Kommentar" paragraph that must not swallow the rows after it."""
from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from etl.model import Line, RawDocument, TableCell
from etl.read.pdf_align import PhysLine
from etl.read.pdf_page import Word
from etl.read.pdf_text import ProseWords, broken_word
from etl.read.text import detect_flavour, lines_from_text, read_document
from tests.helpers import recognised

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
BODY = ["Nämnden arbetar för att alla invånare ska känna sig trygga i sin stadsdel {p}.",
        "Förvaltningen följer upp arbetet varje tertial och redovisar det till nämnden {p}.",
        "Samverkan med polisen och civilsamhället är en viktig del av arbetet {p}."]


def _pdf(tmp_path: Path, pages: int, draw) -> Path:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(False)
    for p in range(1, pages + 1):
        pdf.add_page()
        draw(pdf, p)
    path = tmp_path / "doc.pdf"
    path.write_bytes(bytes(pdf.output()))
    return path


def _text_at(pdf: FPDF, x: float, y: float, text: str, size: float = 10, style: str = "") -> None:
    pdf.set_font("Helvetica", style=style, size=size)
    pdf.set_xy(x, y)
    pdf.cell(text=text)


def test_running_header_and_footer_are_left_out_whatever_they_say(tmp_path):
    """Any council's header and footer: found by what repeats at the same place, not by words."""
    def draw(pdf, p):
        _text_at(pdf, 20, 10, f"Tjänsteutlåtande  Sid {p} (4)")
        _text_at(pdf, 20, 15, "Dnr SDN 2022/118")
        for k, line in enumerate(BODY):
            _text_at(pdf, 20, 40 + 6 * k, line.format(p=f"(sida {'ett två tre fyra'.split()[p - 1]})"))
        # a body line that is the same on every page, in the middle of the page: not furniture
        _text_at(pdf, 20, 140, "Nämndmål: Alla barn och unga har en meningsfull fritid")
        _text_at(pdf, 20, 280, "Skarpnäcks stadsdelsförvaltning, Box 5094, 121 16 Johanneshov")
        _text_at(pdf, 20, 285, "skarpnack.stockholm")
    raw = read_document(_pdf(tmp_path, 4, draw), tmp_path)
    texts = [ln.text.strip() for ln in raw.lines]
    assert not [t for t in texts if "Sid" in t or "Dnr" in t or "Box 5094" in t or "stockholm" in t]
    assert sum(t.startswith("Nämnden arbetar") for t in texts) == 4
    assert texts.count("Nämndmål: Alla barn och unga har en meningsfull fritid") == 4
    assert [ln.page for ln in raw.lines if ln.text.startswith("Samverkan")] == [1, 2, 3, 4]


def test_table_of_contents_is_never_read_as_goals(tmp_path):
    def draw(pdf, p):
        if p == 1:
            _text_at(pdf, 20, 20, "Innehåll", size=14, style="B")
            entries = ["KF:s mål för verksamhetsområdet: 1.1 I Stockholm är människor självförsörjande",
                       "Nämndmål: Stadsdelsnämndens verksamheter är klimatsmarta",
                       "Nämndmål: Alla barn och unga har en meningsfull fritid",
                       "Ekonomi"]
            for k, e in enumerate(entries):
                _text_at(pdf, 20, 32 + 7 * k, e + " " + "." * (95 - len(e)) + f" {3 + k}")
        else:
            _text_at(pdf, 20, 20, "Nämndmål: Alla barn och unga har en meningsfull fritid", style="B")
            for k, line in enumerate(BODY):                 # a paragraph after the heading's space
                _text_at(pdf, 20, 32 + 5 * k, line.format(p=""))
    goals, _, _, _ = recognised(read_document(_pdf(tmp_path, 2, draw), tmp_path))
    assert [(g.level, g.text, g.source_page) for g in goals] == [
        ("namndmal", "Alla barn och unga har en meningsfull fritid", 2)]


def test_ruled_table_cells_hold_right_aligned_and_wrapped_values(tmp_path):
    """A word processor's ruled table: a right-aligned number sits in its own cell, a value
    wrapped inside a narrow cell stays one cell ("Tas fram av nämnd")."""
    xs = (20, 110, 135, 160, 190)

    def draw(pdf, p):
        _text_at(pdf, 20, 20, "Nämndmål: Alla barn och unga har en meningsfull fritid")
        pdf.set_line_width(0.3)
        rows = [("Indikator", "Årsmål", "KF:s årsmål", "Periodicitet"),
                ("Andel barn som deltar i lovaktiviteter", "45 %", "Tas fram av nämnd", "År"),
                ("Antal feriejobb", "210 st", "9 000 st", "Tertial")]
        y = 30
        for r, cells in enumerate(rows):
            h = 16 if r == 1 else 8
            for c, (x0, x1) in enumerate(zip(xs, xs[1:])):
                pdf.rect(x0, y, x1 - x0, h)
                pdf.set_font("Helvetica", size=9)
                text = cells[c]
                if c == 2 and r == 1:          # wraps in its narrow cell
                    for k, part in enumerate(("Tas fram av", "nämnd")):
                        pdf.set_xy(x0 + 1, y + 1 + 4 * k)
                        pdf.cell(text=part + (" " if k == 0 else ""))
                elif c in (1, 2) and r:        # numbers right-aligned in their cells
                    pdf.set_xy(x0, y + 1)
                    pdf.cell(w=x1 - x0 - 1, text=text, align="R")
                else:
                    pdf.set_xy(x0 + 1, y + 1)
                    pdf.cell(text=text)
            y += h
    raw = read_document(_pdf(tmp_path, 1, draw), tmp_path)
    table = [ln for ln in raw.lines if ln.cells]
    assert table[0].header and [c.text for c in table[0].cells] == ["Indikator", "Årsmål", "KF:s årsmål", "Periodicitet"]
    assert [[c.text for c in ln.cells] for ln in table[1:]] == [
        ["Andel barn som deltar i lovaktiviteter", "45 %", "Tas fram av nämnd", "År"],
        ["Antal feriejobb", "210 st", "9 000 st", "Tertial"]]
    _, rows, _, _ = recognised(raw)
    assert [(r.target.raw, r.kf_target.raw, r.periodicity) for r in rows] == [
        ("45 %", "Tas fram av nämnd", "År"), ("210 st", "9 000 st", "Tertial")]
    assert rows[1].kf_target.value == 9000
    assert set(rows[0].cell_boxes) >= {"name", "target", "kf_target", "periodicity"}


def _line(*pieces: tuple[str, float, float, bool], top: float = 0.0) -> PhysLine:
    """Words (text, x0, x1, space_after) on one line."""
    return PhysLine([Word(t, x0, x1, top, top + 9, top + 7, 9.0, 0, sp, "", False) for t, x0, x1, sp in pieces])


def test_words_broken_in_a_narrow_cell_are_joined_by_the_documents_vocabulary():
    prose = _line(("Målet", 0, 30, True), ("fastställs", 32, 80, True), ("av", 82, 90, True),
                  ("nämnden", 92, 130, True), ("och", 132, 150, True), ("periodens", 152, 200, True),
                  ("utfall", 202, 230, True), ("redovisas", 232, 280, True), top=100)
    vocab = ProseWords([prose])

    def broken(before, after):
        prev = _line((before.split()[-1], 0, 40, False))             # the line ends at the cell's edge
        words = after.split()
        nxt = _line(*((w, 12 * k, 12 * k + 10, k < len(words) - 1) for k, w in enumerate(words)), top=10)
        return broken_word(before, prev, nxt, avail=41, vocab=vocab)

    assert broken("Fastställ", "s")                  # "Fastställs" is the document's word
    assert broken("VB 202", "1")                     # a year broken in a narrow cell
    assert broken("KF", ":s årsmål")                 # a wrapped line never starts with ':'
    assert not broken("Tas", "fram")                 # two words, each known ("Tas fram av nämnd")
    assert not broken("9", "000 st")                 # a thousands group wrapped at its space
    assert not broken("Periodens", "utfall")


def _cells_line(no, page, texts, header=False, table=1):
    cells = tuple(TableCell(t, c, 1, (10.0 * c, 10.0 * no, 10.0 * c + 9, 10.0 * no + 5)) for c, t in enumerate(texts))
    return Line(no=no, text="\t".join(texts), page=page, gap_before=True, box=(0.0, 10.0 * no, 40.0, 10.0 * no + 5),
                cells=cells, table=table, header=header)


def test_self_check_warns_when_two_printed_rows_become_one_record():
    """A row on the next page whose name starts in lower case is read as the rest of the row
    above (a row the page broke); when both printed their last cell, the self-check says so."""
    header = ("Indikator", "Årsmål", "KF:s årsmål", "Periodicitet")
    lines = [Line(1, "Nämndmål: Alla barn och unga har en meningsfull fritid", page=1, gap_before=True),
             _cells_line(2, 1, header, header=True),
             _cells_line(3, 1, ("Andel barn som deltar i lovaktiviteter", "45 %", "", "År")),
             _cells_line(4, 2, header, header=True),
             _cells_line(5, 2, ("andel unga som deltar i föreningsliv", "60 %", "", "År"))]
    _, rows, _, warnings = recognised(RawDocument("x.pdf", "", "pdf", lines))
    assert len(rows) == 1
    assert any("self-check" in w.message and "2 rows" in w.message and "1 records" in w.message for w in warnings)


def test_plain_text_kommentar_paragraph_ends_at_the_next_row():
    """Plain text without blank lines: the Kommentar text under a row ends where a line
    completes the next table row; the rows after it are rows, not comment text."""
    lines = (RAW / "norrmalm_verksamhetsberattelse_2021.txt").read_text(encoding="utf-8").split("\n")[316:420]

    def records(text_lines):
        text = "\n".join(text_lines)
        raw = RawDocument("x.txt", "", detect_flavour(text_lines), lines_from_text(text))
        _, rows, _, _ = recognised(raw)
        return raw.flavour, [(r.name, r.outcome.raw, r.prior_outcome.raw, r.periodicity, r.analysis) for r in rows]

    flavour, with_blanks = records(lines)
    squeezed = ["Kommentar" if ln.strip() == "Analys" else ln for ln in lines if ln.strip()]
    flavour2, without = records(squeezed)
    assert flavour == flavour2 == "plain"
    assert len(with_blanks) == 5 and without == with_blanks
    assert "Andel personer" not in (without[0][4] or "")


def test_borderless_rows_under_a_ruled_two_row_header(tmp_path):
    """A header in ruled cells ("Mål" over "Årsmål | KF:s årsmål"), the rows under it without
    borders, one of them alone between two Analys paragraphs and with an empty KF cell: the
    rows are read in the header's columns."""
    xs = (20, 120, 150, 180, 230)

    def draw(pdf, p):
        _text_at(pdf, 20, 20, "Nämndmål: Alla barn och unga har en meningsfull fritid")
        pdf.set_font("Helvetica", size=9)
        pdf.set_line_width(0.3)
        for x0, x1, y, h, text in ((20, 120, 30, 12, "Indikator"), (120, 180, 30, 6, "Mål"),
                                   (120, 150, 36, 6, "Årsmål"), (150, 180, 36, 6, "KF:s årsmål"),
                                   (180, 230, 30, 12, "Periodicitet")):
            pdf.rect(x0, y, x1 - x0, h)
            pdf.set_xy(x0 + 1, y + 1)
            pdf.cell(text=text)
        for y, cells in ((46, ("Andel barn som deltar i lovaktiviteter", "45 %", "", "År")),
                         (52, ("Antal feriejobb", "210 st", "9 000 st", "Tertial"))):
            for x, text in zip(xs, cells):
                if text:
                    _text_at(pdf, x + 1, y, text, size=9)
        _text_at(pdf, 20, 62, "Analys", size=9)
        _text_at(pdf, 20, 67, "Fler barn har deltagit i lovaktiviteter än året innan, framför allt under sommarlovet.",
                 size=9)
        for x, text in zip(xs, ("Andel unga som deltar i föreningsliv", "60 %", "", "År")):
            if text:
                _text_at(pdf, x + 1, 80, text, size=9)
    _, rows, _, _ = recognised(read_document(_pdf(tmp_path, 1, draw), tmp_path))
    assert [(r.name, r.target.raw, r.kf_target.raw, r.periodicity) for r in rows] == [
        ("Andel barn som deltar i lovaktiviteter", "45 %", None, "År"),
        ("Antal feriejobb", "210 st", "9 000 st", "Tertial"),
        ("Andel unga som deltar i föreningsliv", "60 %", None, "År")]


@pytest.mark.parametrize("bad", [{"seed_gap": 0.0}, {"known_tables": 0}, {"max_header_rows": 1.5},
                                 {"furniture_margin": 1.2}, {"paper_white": 300}, {"grid_snap": "2"}])
def test_pdf_settings_refuse_impossible_values_with_the_field_named(bad):
    from etl.read.pdf_settings import PdfSettings

    with pytest.raises(ValueError, match=f"PdfSettings.{next(iter(bad))}"):
        PdfSettings(**bad)
