"""Bad input: each file gets a clear message naming it and the problem, is skipped, and every
other document still loads. Text in latin-1, cp1252 and UTF-16 is decoded correctly."""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import duckdb
import pytest

from etl.read.sniff import sanitise_filename, sniff
from etl.read.text import decode_text
from etl.store.build import build_database
from tests.test_pdf import scanned_pdf, simple_pdf

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
GOOD = "hagersten-alvsjo_enhet-liljeholmens-dagliga-verksamheter_verksamhetsplan_2021.txt"
PLAN = "kungsholmen_verksamhetsplan_2020.txt"


def docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document><w:body><w:p><w:r><w:t>Verksamhetsplan 2021</w:t></w:r></w:p></w:body></w:document>")
    return buf.getvalue()


def mangled_plan() -> bytes:
    """Kungsholmen's plan with its indicator tables damaged: every third table line dropped,
    digits in the value cells turned into letters, a header cut short."""
    out, in_table = [], 0
    for i, line in enumerate((RAW / PLAN).read_text(encoding="utf-8").split("\n")):
        if "Indikator Årsmål" in line:
            in_table = 40
            if i % 2:
                line = "Indikator Årsmål"
        elif in_table:
            in_table -= 1
            if i % 3 == 0:
                continue
            if "%" in line:
                line = re.sub(r"\d", "x", line)
        out.append(line)
    return "\n".join(out).encode("utf-8")


BAD = {
    "empty.txt": (b"", "empty"),
    "blank.md": (b"\n\n   \n", "empty"),
    "junk.txt": (bytes(range(256)) * 40, "binary"),
    "truncated.pdf": (simple_pdf(3)[:1500], "truncated"),
    "locked.pdf": (simple_pdf(1, owner_password="o", user_password="hemligt"), "encrypted"),
    "scan.pdf": (scanned_pdf(), "OCR"),
    "page.pdf": (b"<!DOCTYPE html>\n<html><head><title>Verksamhetsplan</title></head><body>404</body></html>", "web page (HTML)"),
    "word.pdf": (docx_bytes(), "Word document (.docx)"),
    "recipe.txt": ("Kanelbullar\nSmör, socker och kanel.\nGrädda i 225 grader.\n".encode(), "could not detect"),
}


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("bad")
    src = root / "in"
    src.mkdir()
    (src / GOOD).write_bytes((RAW / GOOD).read_bytes())
    (src / "mangled.txt").write_bytes(mangled_plan())
    for name, (data, _) in BAD.items():
        (src / name).write_bytes(data)
    with open(src / "huge.pdf", "wb") as f:        # 100 MB (sparse: nothing is really written)
        f.truncate(100 * 1024 * 1024)
    report = build_database(src, root / "db.duckdb")
    con = duckdb.connect(str(root / "db.duckdb"), read_only=True)
    yield report, con
    con.close()


def test_good_documents_still_load(bad_build):
    report, con = bad_build
    assert sorted(d.source_file for d in report.loaded) == sorted([GOOD, "mangled.txt"])
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM indicator_values v JOIN documents d USING (document_id) "
                       "WHERE d.source_file = ?", [GOOD]).fetchone()[0] == 12


@pytest.mark.parametrize("name", sorted(BAD) + ["huge.pdf"])
def test_bad_file_is_skipped_with_a_clear_message(bad_build, name):
    report, con = bad_build
    skipped = {d.source_file: " ".join(w.message for w in d.warnings) for d in report.skipped}
    expected = BAD[name][1] if name in BAD else "too large"
    assert expected in skipped[name]
    assert name in skipped[name]
    # the message is in the database too, for the Källor page
    rows = con.execute("SELECT message FROM warnings WHERE document_id IS NULL AND source_file = ?", [name]).fetchall()
    assert rows and expected in rows[0][0]


def test_mangled_tables_load_with_warnings(bad_build):
    report, con = bad_build
    doc = next(d for d in report.loaded if d.source_file == "mangled.txt")
    assert (doc.meta.district, doc.meta.year) == ("Kungsholmen", 2020)
    assert len(doc.warnings) > 3             # what could not be read is reported, not dropped silently
    assert 0 < doc.counts["indicators"] < 109     # the undamaged rows are still read


# --- text encodings -----------------------------------------------------------------------

def records(db) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT name, target_raw, kf_target_raw, periodicity FROM indicator_values "
                           "ORDER BY value_id").fetchall()
    finally:
        con.close()


def test_cp1252_and_utf16_files_give_the_same_records(tmp_path):
    text = (RAW / GOOD).read_text(encoding="utf-8")
    assert "–" in text and "”" in text          # characters that only cp1252 (not latin-1) has
    variants = {
        "utf8.txt": text.encode("utf-8"),
        "cp1252.txt": text.encode("cp1252"),
        "utf16le-bom.txt": b"\xff\xfe" + text.encode("utf-16-le"),
        "utf16be-bom.txt": b"\xfe\xff" + text.encode("utf-16-be"),
        "utf16le.txt": text.encode("utf-16-le"),
        "utf8-bom.txt": b"\xef\xbb\xbf" + text.encode("utf-8"),
    }
    results = {}
    for name, data in variants.items():
        assert decode_text(data) == text, name
        src = tmp_path / name.replace(".txt", "")
        src.mkdir()
        (src / name).write_bytes(data)
        results[name] = records(build_database(src, tmp_path / f"{name}.duckdb").db_path)
    assert len(results["utf8.txt"]) == 12
    assert all(r == results["utf8.txt"] for r in results.values())


@pytest.mark.parametrize("text,encoding", [
    ("Årsmål för äldreomsorgen: nöjdhet 85 %", "latin-1"),
    ("Måluppfyllelse – ”helt” • 3,3 %", "cp1252"),
    ("Stadsdelsnämnd Östermalm\r\n", "utf-16"),
])
def test_decode_text(text, encoding):
    assert decode_text(text.encode(encoding)) == text


def test_decode_keeps_utf8_with_a_stray_byte():
    """One broken byte must not turn every å in a UTF-8 file into mojibake."""
    data = "Förskolor i Älvsjö och Årsta".encode() * 20 + b"\xff" + b" slut"
    text = decode_text(data)
    assert "Förskolor i Älvsjö" in text and text.endswith("\ufffd slut")


def test_decoded_text_is_nfc():
    decomposed = "A\u030arsma\u030al"          # Å and å as letter + combining ring (macOS)
    assert decode_text(decomposed.encode()) == "Årsmål"


# --- sniffing and file names -----------------------------------------------------------------

@pytest.mark.parametrize("data,kind", [
    (b"", "empty"),
    (b"%PDF-1.7\n...", "pdf"),
    (b"\xef\xbb\xbf%PDF-1.4", "pdf"),
    ("Verksamhetsplan 2021\nNämndmål".encode(), "text"),
    ("Verksamhetsplan 2021".encode("cp1252"), "text"),
    ("Verksamhetsplan 2021".encode("utf-16"), "text"),
    (b"  <!doctype html><html><body>x</body></html>", "html"),
    (b"<html lang='sv'><body>x</body></html>", "html"),
    (docx_bytes(), "docx"),
    (b"PK\x03\x04" + b"\x00" * 40, "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "doc"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image"),
    (bytes(range(256)) * 4, "binary"),
])
def test_sniff(data, kind):
    assert sniff(data) == kind


@pytest.mark.parametrize("name,kind,safe", [
    ("Södermalm VP 2024.PDF", "pdf", "sodermalm-vp-2024.pdf"),
    ("../../etc/passwd", "text", "passwd.txt"),
    ("C:\\Users\\anna\\Årsrapport (slutlig).docx.pdf", "pdf", "arsrapport-slutlig-docx.pdf"),
    ("plan.md", "text", "plan.md"),
    ("plan.pdf", "text", "plan.txt"),              # the content decides the extension
    ("....pdf", "pdf", "dokument.pdf"),
    (".hidden.txt", "text", "hidden.txt"),
    ("CON.txt", "text", "con-dokument.txt"),
    ("a" * 300 + ".txt", "text", "a" * 120 + ".txt"),
])
def test_sanitise_filename(name, kind, safe):
    assert sanitise_filename(name, kind) == safe


def test_limits_inside_the_size_cap_cut_with_a_warning(tmp_path):
    """A very long line is cut at MAX_LINE_CHARS and a very long indicator name at
    MAX_NAME_CHARS, each with a warning; the document still loads."""
    from etl.parse.assemble import parse_file
    from etl.read.sniff import MAX_LINE_CHARS, MAX_NAME_CHARS

    text = (RAW / "kungsholmen_verksamhetsplan_2020.txt").read_text(encoding="utf-8")
    long_name = "Andel " + "mycket " * 120 + "nöjda brukare"            # ~ 850 characters, wrapped over lines
    wrapped = "\n".join(long_name[k:k + 80] for k in range(0, len(long_name), 80))
    marker = "Andel barn som lever i familjer som har ekonomiskt bistånd"
    text = text.replace(marker, wrapped, 1)
    text += "\n" + "x" * (MAX_LINE_CHARS * 3) + "\n"
    p = tmp_path / "k.txt"
    p.write_text(text, encoding="utf-8")
    doc = parse_file(p, tmp_path)
    assert doc.meta is not None
    assert any("cut at" in w.message and "characters" in w.message and w.stage == "read" for w in doc.warnings)
    assert max(len(ln.text) for ln in doc.raw.lines) <= MAX_LINE_CHARS
    assert all(len(r.name) <= MAX_NAME_CHARS for r in doc.indicators)
    assert any(w.stage == "recognise" and "cut at" in w.message for w in doc.warnings)
