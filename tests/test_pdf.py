"""PDF input: the same indicator records as the text of the same document, pages in the provenance,
and clear messages for PDFs that cannot be read. Every PDF is generated here (fpdf2)."""
from __future__ import annotations

import io
import json
from pathlib import Path

import duckdb
import pytest
from fpdf import FPDF

from bench.council_pdf import printed
from etl.model import RawDocument
from etl.read.errors import ReadError
from etl.read.text import detect_flavour, lines_from_text, read_document
from etl.store.build import build_database
from tests.helpers import recognised

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"

# Column x positions (mm) of the two table layouts of the city's templates.
PLAN_COLUMNS = (20, 112, 137, 165)                             # Indikator | Årsmål | KF:s årsmål | Periodicitet
REPORT_COLUMNS = (20, 72, 87, 102, 117, 132, 147, 177)         # Indikator | utfall | män | kvinnor | VB prev | Årsmål | KF | Period
# The header row's labels, as the templates print them (each in its column).
HEADERS = {"plan": ("Indikator", "Årsmål", "KF:s årsmål", "Periodicitet"),
           "report": ("Indikator", "Periodens utfall", "Utfall män", "Utfall kvinnor", "Periodens utfall VB 2020",
                      "Årsmål", "KF:s årsmål", "Period"),
           "activity": ("Aktivitet", "Startdatum", "Slutdatum")}
ACTIVITY_COLUMNS = (20, 125, 150)                             # Aktivitet | Startdatum | Slutdatum
_TO_LATIN1 = str.maketrans({"–": "-", "—": "-", "”": '"', "“": '"', "’": "'", "‘": "'", "…": "...", "•": "-",
                            "\u00a0": " ", "\u2009": " ", "≥": ">=", "≤": "<="})


def excerpt(name: str, start: int, end: int) -> str:
    """Lines start..end (1-based, inclusive) of a seed document, in the core PDF fonts' charset."""
    lines = (RAW / name).read_text(encoding="utf-8").split("\n")[start - 1:end]
    text = "\n".join(lines).translate(_TO_LATIN1)
    return text.encode("latin-1", "replace").decode("latin-1")


def raw_of(text: str) -> RawDocument:
    return RawDocument("x.txt", "", detect_flavour(text.split("\n")), lines_from_text(text))


def row_cells(row, kind: str) -> list[str | None]:
    if kind == "plan":
        return [row.target.raw, row.kf_target.raw, row.periodicity]
    return [row.outcome.raw, row.outcome_men.raw, row.outcome_women.raw, row.prior_outcome.raw,
            row.target.raw, row.kf_target.raw, row.periodicity]


class Layout:
    """Writes a text excerpt as a PDF page by page: prose line by line, each recognised indicator
    row as a table row (the name wrapped in the first column, a space kept at each wrap, each value in its own column at
    the height of the name's first line, a single space in an empty cell, as the city's PDFs do),
    and the table's header row (its labels in their columns) repeated after a page break.
    A borderless table: tests/test_council_pdf.py has the word processor's ruled ones."""

    def __init__(self, kind: str):
        self.kind = kind
        self.table(kind)
        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_font("Helvetica", size=8)
        self.y = 1000.0
        self.row_pages: list[int] = []

    def table(self, kind: str) -> None:
        """The columns and header of the next table (an indicator or an activity table)."""
        self.columns = {"plan": PLAN_COLUMNS, "report": REPORT_COLUMNS, "activity": ACTIVITY_COLUMNS}[kind]
        self.header = list(HEADERS[kind])

    def new_page(self) -> None:
        self.pdf.add_page()
        self.y = 20.0
        self.pdf.set_xy(20, 8)
        self.pdf.cell(text=f"Sid {self.pdf.page_no()} ({{nb}})")

    def text_line(self, text: str) -> None:
        if self.y > 270:
            self.new_page()
        self.pdf.set_xy(20, self.y)
        self.pdf.cell(text=text)
        self.y += 4.0

    def header_cells(self, cells: list[str]) -> None:
        """The header row; a label wider than its column wraps inside it ("Periodens" /
        "utfall VB" / "2020"), as in a word processor's table."""
        height = 1
        for x, right, value in zip(self.columns, list(self.columns[1:]) + [200], cells):
            height = max(height, self.cell_text(x, self.y, right - x - 1.5, value))
        self.y += 4 * height + 1.0

    def cell_text(self, x: float, top: float, width: float, value: str | None) -> int:
        """A cell's text wrapped inside its width, as in a word processor's table: a space
        kept where it wrapped at a space, a word too long for the column broken without one
        ("energieffektiviserin" + "g relativt 2018"); a single space in an empty cell. The
        number of lines."""
        parts = self.pdf.multi_cell(width, 4, value, dry_run=True, output="LINES") if value else [" "]
        pos = 0
        for k, part in enumerate(parts):
            pos = value.find(part, pos) + len(part) if value and part in value[pos:] else pos
            at_space = bool(value) and pos < len(value) and value[pos] == " "
            self.pdf.set_xy(x, top + 4 * k)
            self.pdf.cell(text=part + (" " if k < len(parts) - 1 and at_space else ""))
        return len(parts)

    def gap(self) -> None:
        self.y += 2.0

    def row(self, name: str, cells: list[str | None], new_table: bool = False, indicator: bool = True) -> None:
        """A table row; the first row of a table comes with its header on the same page."""
        width = self.columns[1] - self.columns[0] - 3
        name_lines = self.pdf.multi_cell(width, 4, name, dry_run=True, output="LINES")
        header_height = 13 if new_table else 0
        if self.y + header_height + 4 * len(name_lines) > 270:
            self.new_page()
            new_table = True
        if new_table:
            self.header_cells(self.header)
        self.y += 1.5                                   # the cell padding above a table row
        top = self.y
        # a word processor keeps the space at a wrap (PDF text "där man " + "bor"); fpdf2 drops it
        for k, part in enumerate(name_lines):
            self.pdf.set_xy(self.columns[0], top + 4 * k)
            self.pdf.cell(text=part + (" " if k < len(name_lines) - 1 else ""))
        height = len(name_lines)
        edges = list(self.columns[2:]) + [200]
        for x, right, value in zip(self.columns[1:], edges, cells):
            height = max(height, self.cell_text(x, top, right - x - 1.5, value))
        self.y = top + 4 * height + 2
        if indicator:
            self.row_pages.append(self.pdf.page_no())

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def pdf_of_excerpt(text: str, kind: str) -> tuple[bytes, list]:
    """The PDF of a text excerpt, and the rows recognised in the text itself."""
    raw = raw_of(text)
    _, rows, activities, _ = recognised(raw)
    starts = {r.source_line: r for r in rows}
    acts = {a.source_line: a for a in activities}
    layout = Layout(kind)
    lines = text.split("\n")
    in_header = False
    i = 0
    while i < len(lines):
        no = i + 1
        if no in starts:
            r = starts[no]
            layout.row(r.name, row_cells(r, kind), new_table=in_header)
            in_header = False
            i = r.source_line_end
            continue
        if no in acts:                        # an activity: its text, then its dates on a line
            a = acts[no]
            layout.row(a.text, [a.start_date, a.end_date], new_table=in_header, indicator=False)
            in_header = False
            while i < len(lines) and not (a.end_date or a.start_date or "\0") in lines[i]:
                i += 1
            i += 1
            continue
        t = lines[i].strip()
        for table_kind, labels in ((kind, HEADERS[kind]), ("activity", HEADERS["activity"])):
            if t.startswith(labels[0]):       # the table header: printed with the first row
                layout.table(table_kind)
                in_header = True
        if in_header:
            pass
        elif not t:
            layout.gap()
        else:
            layout.text_line(t)
        i += 1
    if in_header:
        layout.header_cells(layout.header)
    return layout.output(), rows, layout.row_pages


def records(rows, kind):
    """Each row as printed (a hyphen the text extraction left before a line break, "SoL-
    dokumentationen", is the PDF's whole word "SoL-dokumentationen")."""
    return [(printed(r.name), *row_cells(r, kind)) for r in rows]


@pytest.mark.parametrize("name,start,end,kind", [
    ("kungsholmen_verksamhetsplan_2020.txt", 200, 760, "plan"),
    ("norrmalm_verksamhetsberattelse_2021.txt", 180, 640, "report"),
    ("kungsholmen_verksamhetsplan_2020.txt", 1, 10_000, "plan"),          # the whole plan, 35 pages
])
def test_pdf_gives_the_same_indicator_records_as_the_text(tmp_path, name, start, end, kind):
    text = excerpt(name, start, end)
    data, text_rows, row_pages = pdf_of_excerpt(text, kind)
    assert len(text_rows) >= 8                      # the excerpt really holds tables
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    raw = read_document(path, tmp_path)
    assert raw.flavour == "pdf" and all(ln.page for ln in raw.lines)
    _, pdf_rows, _, _ = recognised(raw)
    assert records(pdf_rows, kind) == records(text_rows, kind)
    # provenance: the page each row was printed on, and a line that holds its name
    assert [r.source_page for r in pdf_rows] == row_pages
    assert len(set(row_pages)) >= 3
    by_no = {ln.no: ln for ln in raw.lines}
    for r in pdf_rows:
        assert r.name.split()[0] in by_no[r.source_line].text
        assert by_no[r.source_line].page == r.source_page


def test_empty_cells_keep_their_column(tmp_path):
    layout = Layout("plan")
    layout.new_page()
    for t in ("KF:s mål för verksamhetsområdet:", "1.1. I Stockholm är människor självförsörjande"):
        layout.text_line(t)
    layout.gap()
    layout.header_cells(["Indikator", "Årsmål", "KF:s årsmål", "Periodicitet"])
    layout.row("Andel ungdomar som i stockholmsenkäten uppger att de inte blivit utsatta för hot och våld", [None, "Fastställs 2020", "År"])
    layout.row("Antal tillhandahållna platser för feriejobb", ["200 st", None, "År"])
    layout.row("Andel barn som lever i familjer som har ekonomiskt bistånd", ["0,7 %", "2,7 %", "Tertial"])
    # an activity table on the same page, its columns between the indicator table's columns
    layout.gap()
    layout.table("activity")
    layout.header_cells(layout.header)
    layout.row("Samverkan med civilsamhället kring feriejobb", ["2020-01-01", "2020-12-31"])
    layout.row("Utveckla bostadsvägledningen", ["2020-02-01", "2020-06-30"])
    path = tmp_path / "t.pdf"
    path.write_bytes(layout.output())
    _, rows, activities, _ = recognised(read_document(path, tmp_path))
    assert [(r.target.raw, r.kf_target.raw, r.periodicity) for r in rows] == [
        (None, "Fastställs 2020", "År"), ("200 st", None, "År"), ("0,7 %", "2,7 %", "Tertial")]
    assert rows[1].target.value == 200 and rows[0].source_page == 1
    assert [(a.start_date, a.end_date) for a in activities] == [("2020-01-01", "2020-12-31"), ("2020-02-01", "2020-06-30")]


def test_pdf_build_stores_pages(tmp_path):
    """A full document as PDF goes through detection and load, with source_page on its rows."""
    text = excerpt("kungsholmen_verksamhetsplan_2020.txt", 1, 760)
    data, text_rows, _ = pdf_of_excerpt(text, "plan")
    src = tmp_path / "in"
    src.mkdir()
    (src / "kungsholmen.pdf").write_bytes(data)
    report = build_database(src, tmp_path / "db.duckdb")
    assert [d.source_file for d in report.loaded] == ["kungsholmen.pdf"], report.skipped[0].warnings if report.skipped else ""
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    assert con.execute("SELECT district, year, doc_type, text_flavour FROM documents").fetchall() == [
        ("Kungsholmen", 2020, "verksamhetsplan", "pdf")]
    n, paged = con.execute("SELECT count(*), count(source_page) FROM indicator_values").fetchone()
    assert n == len(text_rows) and paged == n
    assert con.execute("SELECT count(*) = count(source_page) FROM goals").fetchone()[0]
    # the box of each row and of each of its cells on its page, for the page behind a number
    for box, cells, target in con.execute("SELECT source_box, cell_boxes, target_raw FROM indicator_values").fetchall():
        x0, top, x1, bottom = json.loads(box)
        assert 0 <= x0 < x1 <= 595.3 and 0 <= top < bottom <= 841.9          # on an A4 page, in points
        cells = json.loads(cells)
        assert cells["name"][0] == x0 and ("target" in cells) == (target is not None)
    assert con.execute("SELECT count(*) = count(source_box) FROM goals").fetchone()[0]


# --- PDFs that cannot be read ------------------------------------------------------------

PAGE_WORDS = ("ett", "två", "tre", "fyra", "fem")


def simple_pdf(pages: int = 2, **encryption) -> bytes:
    """Running text on each page (different on each page: text repeated at the same place
    on every page is page furniture, see test_council_pdf.py)."""
    pdf = FPDF()
    pdf.set_font("Helvetica", size=10)
    if encryption:
        pdf.set_encryption(**encryption)
    for p in range(pages):
        pdf.add_page()
        for i in range(30):
            pdf.set_xy(20, 20 + 6 * i)
            pdf.cell(text=f"Verksamhetsplan 2021 rad {i} på sida {PAGE_WORDS[p]}")
    return bytes(pdf.output())


def scanned_pdf(pages: int = 2) -> bytes:
    from PIL import Image, ImageDraw

    pdf = FPDF()
    for p in range(pages):
        img = Image.new("L", (600, 800), 255)
        ImageDraw.Draw(img).text((40, 40), f"Verksamhetsplan 2021 sida {p + 1}", fill=0)
        buf = io.BytesIO()
        img.save(buf, "PNG")
        pdf.add_page()
        pdf.image(buf, x=0, y=0, w=210)
    return bytes(pdf.output())


def read_error(tmp_path, name: str, data: bytes) -> str:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ReadError) as e:
        read_document(tmp_path / name, tmp_path)
    assert name in str(e.value)
    return str(e.value)


def test_readable_pdf_lines_have_pages(tmp_path):
    (tmp_path / "ok.pdf").write_bytes(simple_pdf(3))
    raw = read_document(tmp_path / "ok.pdf", tmp_path)
    assert [ln.page for ln in raw.lines] == [1] * 30 + [2] * 30 + [3] * 30
    assert raw.lines[31].text == "Verksamhetsplan 2021 rad 1 på sida två"
    assert [ln.no for ln in raw.lines] == sorted({ln.no for ln in raw.lines})


def test_owner_password_only_pdf_is_read(tmp_path):
    """Permissions-only encryption (no password to open) is common and harmless."""
    (tmp_path / "perm.pdf").write_bytes(simple_pdf(1, owner_password="ägare"))
    assert read_document(tmp_path / "perm.pdf", tmp_path).lines[0].text.startswith("Verksamhetsplan 2021")


def test_encrypted_pdf(tmp_path):
    msg = read_error(tmp_path, "locked.pdf", simple_pdf(1, owner_password="o", user_password="hemligt"))
    assert "encrypted" in msg and "password" in msg


@pytest.mark.parametrize("fraction", [0.2, 0.5, 0.97])
def test_truncated_pdf(tmp_path, fraction):
    data = simple_pdf(3)
    msg = read_error(tmp_path, "cut.pdf", data[: int(len(data) * fraction)])
    assert "truncated" in msg or "damaged" in msg


def test_scanned_pdf_needs_ocr(tmp_path):
    msg = read_error(tmp_path, "scan.pdf", scanned_pdf())
    assert "OCR" in msg and "text layer" in msg


def test_pdf_without_text_or_images(tmp_path):
    pdf = FPDF()
    pdf.add_page()
    msg = read_error(tmp_path, "blank.pdf", bytes(pdf.output()))
    assert "no text" in msg and "OCR" not in msg


def test_pdf_page_limit(tmp_path, monkeypatch):
    import etl.read.pdf

    monkeypatch.setattr(etl.read.pdf, "MAX_PAGES", 2)
    msg = read_error(tmp_path, "long.pdf", simple_pdf(3))
    assert "3 pages" in msg and "limit is 2" in msg
