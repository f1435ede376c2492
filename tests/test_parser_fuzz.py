"""A parser that never crashes: mutated excerpts of the real documents (lines dropped, doubled,
swapped, cut, joined, digits changed, table headers and junk inserted) go through every stage
after reading; each returns records and warnings, never an exception, and what it returns
loads into the database schema."""
from __future__ import annotations

import re
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.model import DocMeta, ParsedDocument, RawDocument
from etl.parse.budget import parse_budget
from etl.parse.detect import DetectError, detect, load_registry
from etl.parse.link import link
from etl.parse.sections import parse_sections
from etl.read.text import detect_flavour, lines_from_text
from etl.store.load import create_schema
from tests.helpers import load_documents, recognised

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
DOCS = {p.name: p.read_text(encoding="utf-8").split("\n") for p in sorted(RAW.iterdir()) if p.suffix in (".txt", ".md")}
REGISTRY = load_registry()

# Lines that steer the state machine: headers, goal markers, cells, page furniture.
STRUCTURE = [
    "Indikator Årsmål KF:s årsmål Periodicitet", "Indikator Periodens", "Årsmål KF:s", "årsmål Period",
    "Aktivitet Startdatum Slutdatum", "Aktivitet Startdatum Slutdatum Avvikelse", "Analys", "Kommentar",
    "Nämndmål:", "Enhetsmål:", "KF:s mål för verksamhetsområdet:", "KF:s inriktningsmål:", "Uppfylls delvis",
    "1.2.3 ", "79 % 77 % År", "  Tertial", "Fastställs ", "2021", "VB 2021", "2021-01-01 2021-12-31",
    "Sid 49 (116) ", "# Budget", "Verksamhetsområde\tBudget 2021\tUtfall", "| a | b |", "\t\t", "  ", "-",
    "Tas fram av nämnd", "Max 10 personer", "+/- 1 %", "12 000 st", "3,3 %", "≥ 90 %", "…", "\u00a0",
]
JUNK = st.text(alphabet=st.sampled_from(list("åäöÅÄÖ%,.:-–()0123456789 \t\u00adabcxyzKFÅ*#|")), max_size=40)
OPS = st.sampled_from(["delete", "duplicate", "swap", "truncate", "junk", "structure", "digits", "blank", "join"])


@st.composite
def mutated_documents(draw):
    name = draw(st.sampled_from(sorted(DOCS)))
    lines = DOCS[name]
    length = draw(st.integers(60, 400))
    start = draw(st.integers(0, max(0, len(lines) - length)))
    out = list(lines[start:start + length])
    for _ in range(draw(st.integers(1, 25))):
        if not out:
            out.append("")
        op = draw(OPS)
        i = draw(st.integers(0, len(out) - 1))
        if op == "delete":
            del out[i]
        elif op == "duplicate":
            out.insert(i, out[i])
        elif op == "swap" and i + 1 < len(out):
            out[i], out[i + 1] = out[i + 1], out[i]
        elif op == "truncate":
            out[i] = out[i][: draw(st.integers(0, max(0, len(out[i]))))]
        elif op == "junk":
            out.insert(i, draw(JUNK))
        elif op == "structure":
            out.insert(i, draw(st.sampled_from(STRUCTURE)))
        elif op == "digits":
            d = draw(st.sampled_from(list("0123456789x")))
            out[i] = re.sub(r"\d", d, out[i])
        elif op == "blank":
            out.insert(i, "")
        elif op == "join" and i + 1 < len(out):
            out[i:i + 2] = [out[i] + out[i + 1]]
    text = "\n".join(out)
    flavour = draw(st.sampled_from([None, "pdf", "plain", "spaced", "markdown"]))
    return RawDocument(f"fuzz-{name}", "0" * 64, flavour or detect_flavour(text.split("\n")), lines_from_text(text))


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_documents())
def test_mutated_documents_give_records_and_warnings_not_exceptions(raw):
    goals, rows, activities, warnings = recognised(raw)
    line_nos = {ln.no for ln in raw.lines}
    for r in rows:
        assert r.name.strip()
        assert r.source_line in line_nos and r.source_line <= r.source_line_end
        assert r.goal_key is None or 0 <= r.goal_key < len(goals)
    for g in goals:
        assert g.source_line in line_nos and (g.parent_key is None or 0 <= g.parent_key < len(goals))
    for a in activities:
        assert a.goal_key is None or 0 <= a.goal_key < len(goals)
    assert all(isinstance(w.message, str) and w.message for w in warnings)
    sections = parse_sections(raw)
    budget_lines, budget_warnings = parse_budget(raw, sections)
    try:
        meta = detect(raw, None, REGISTRY)
    except DetectError:
        meta = DocMeta("Fuzz", 2021, "verksamhetsplan", "namnd")
    doc = link(ParsedDocument(raw=raw, meta=meta, goals=goals, indicators=rows, activities=activities,
                              warnings=warnings + budget_warnings, sections=sections, budget_lines=budget_lines))
    con = duckdb.connect()
    try:
        create_schema(con)
        counts = load_documents(con, [doc])
        assert counts["indicator_values"] == len(rows)
        assert con.execute("SELECT count(*) FROM indicator_values").fetchone()[0] == len(rows)
    finally:
        con.close()


# --- damaged PDFs -----------------------------------------------------------------------------

def _small_pdf() -> bytes:
    from tests.test_pdf import simple_pdf

    return simple_pdf(2)


PDF = _small_pdf()


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(PDF) - 1), st.integers(0, 255)), min_size=1, max_size=30),
       st.integers(len(PDF) // 3, len(PDF)))
def test_damaged_pdf_bytes_give_a_document_or_a_read_error(flips, cut):
    """Bytes overwritten and the file cut short: the PDF reader returns lines or a ReadError
    naming the file, never another exception."""
    from etl.read.errors import ReadError
    from etl.read.pdf import read_pdf

    data = bytearray(PDF)
    for at, value in flips:
        data[at] = value
    try:
        raw = read_pdf(None, "skadad.pdf", "", bytes(data[:cut]))
    except ReadError as e:
        assert "skadad.pdf" in str(e)
        return
    assert all(ln.page for ln in raw.lines)
    recognised(raw)
