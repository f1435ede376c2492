"""Assemble stage: one file -> ParsedDocument (read -> detect -> sections -> recognise ->
budget -> link). Each step runs once; the document leaves here with finished records (the
link stage has tied each to its section and counted the search terms), so the loader only
writes rows.

Errors in one file never stop the others: `parse_file` returns a ParsedDocument whose meta is
None and whose warnings say what went wrong, and the build reports and skips it.
"""
from __future__ import annotations

from pathlib import Path

from etl.model import ParsedDocument, ParseWarning, RawDocument
from etl.parse.budget import parse_budget
from etl.parse.detect import DetectError, District, detect
from etl.parse.link import link
from etl.parse.recognise import recognise
from etl.parse.sections import heading_lines, parse_sections
from etl.parse.vocabulary import Vocabulary
from etl.read.errors import ReadError
from etl.read.sniff import MAX_NAME_CHARS
from etl.read.text import read_document


def parse_raw(raw: RawDocument, path: Path | None = None, registry: list[District] | None = None) -> ParsedDocument:
    meta = detect(raw, path, registry)
    sections = parse_sections(raw)
    vocab = Vocabulary(raw.lines)     # the document's words, built on first use, shared
    goals, rows, activities, warnings = recognise(raw, heading_lines(sections), vocab)
    doc = ParsedDocument(raw=raw, meta=meta, goals=goals, indicators=rows, activities=activities,
                         warnings=raw.warnings + warnings, sections=sections)
    if not rows and not goals:
        doc.warnings.append(ParseWarning("recognise", "no goals or indicator tables found in this document"))
    _cut_long_names(doc)
    doc.budget_lines, budget_warnings = parse_budget(raw, sections, vocab)
    doc.warnings.extend(budget_warnings)
    return link(doc)


def _cut_long_names(doc: ParsedDocument) -> None:
    """Indicator names and activity texts longer than MAX_NAME_CHARS are cut there, with a
    warning: no printed name is that long, and each name is compared with every other in
    the identity stage (five 1 MB names made every later build 21 s slower)."""
    for item, attr in [(r, "name") for r in doc.indicators] + [(a, "text") for a in doc.activities]:
        text = getattr(item, attr)
        if len(text) > MAX_NAME_CHARS:
            setattr(item, attr, text[:MAX_NAME_CHARS])
            doc.warnings.append(ParseWarning("recognise", f"line {item.source_line}: a {len(text):,}-character "
                                                     f"{'indicator name' if attr == 'name' else 'activity text'} "
                                                     f"cut at {MAX_NAME_CHARS}", item.source_line))


def parse_file(path: Path, root: Path | None = None, registry: list[District] | None = None) -> ParsedDocument:
    path = Path(path)
    rel = str(path.relative_to(root)) if root else path.name
    try:
        raw = read_document(path, root)
    except (ReadError, OSError, UnicodeError) as e:
        empty = RawDocument(source_file=rel, sha256="", flavour="", lines=[])
        return ParsedDocument(raw=empty, meta=None, warnings=[ParseWarning("read", str(e))])
    try:
        return parse_raw(raw, path, registry)
    except DetectError as e:
        return ParsedDocument(raw=raw, meta=None, warnings=[ParseWarning("detect", str(e))])
    except Exception as e:  # a parser bug must not take the other documents down
        return ParsedDocument(raw=raw, meta=None, warnings=[ParseWarning("parse", f"{rel}: {type(e).__name__}: {e}")])
