"""Read stage: a file on disk -> RawDocument (decoded text split into numbered lines).

Text extractions come in three flavours, recognised from the content:
- ``spaced``: PDF text with a blank line after (almost) every line,
- ``plain``: PDF text line by line (blank lines only between blocks),
- ``markdown``: Markdown with ``#`` headings and tab-separated tables.
Blank lines are dropped (trailing spaces are kept) but every kept line keeps its 1-based line number in the file, and
``gap_before`` remembers whether a blank line preceded it (a block boundary in ``plain``).
PDF input slots in here as another reader returning the same RawDocument.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from etl.model import Line, RawDocument

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}


class ReadError(Exception):
    """A file that cannot be read as a document (reported and skipped by the build)."""


def decode_text(data: bytes) -> str:
    """Decode text bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def detect_flavour(lines: list[str]) -> str:
    nonblank = [ln for ln in lines if ln.strip()]
    if not nonblank:
        return "plain"
    md_headings = sum(1 for ln in nonblank if ln.startswith("#"))
    tab_rows = sum(1 for ln in nonblank if "\t" in ln)
    if md_headings >= 3 or (tab_rows >= 5 and md_headings >= 1):
        return "markdown"
    blank = len(lines) - len(nonblank)
    return "spaced" if blank >= 0.35 * len(lines) else "plain"


def lines_from_text(text: str, page: int | None = None, start_no: int = 1) -> list[Line]:
    out: list[Line] = []
    gap = False
    for i, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        if not raw.strip():
            gap = True
            continue
        # Trailing spaces are kept: in tables an empty last cell leaves an extra space.
        out.append(Line(no=start_no + i, text=raw.replace("\u00a0", " "), page=page, gap_before=gap))
        gap = False
    return out


def read_document(path: Path, root: Path | None = None) -> RawDocument:
    path = Path(path)
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    rel = str(path.relative_to(root)) if root else path.name
    if not data.strip():
        raise ReadError(f"{rel}: the file is empty")
    if path.suffix.lower() == ".pdf" or data.startswith(b"%PDF"):
        from etl.read_pdf import read_pdf  # optional reader (PDF input)

        return read_pdf(path, rel, sha, data)
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError(f"{rel}: binary content, not a text document")
    text = decode_text(data)
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    flavour = detect_flavour(raw_lines)
    return RawDocument(source_file=rel, sha256=sha, flavour=flavour, lines=lines_from_text(text))


def find_documents(input_dir: Path) -> list[Path]:
    """Every candidate document under the folder (side-car .json files excluded), sorted."""
    input_dir = Path(input_dir)
    return sorted(
        p for p in input_dir.rglob("*")
        if p.is_file() and not p.name.startswith(".")
        and (p.suffix.lower() in TEXT_SUFFIXES or p.suffix.lower() == ".pdf")
    )
