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
import re
import unicodedata
from dataclasses import replace
from pathlib import Path

from etl import settings
from etl.model import Line, ParseWarning, RawDocument
from etl.read.errors import ReadError
from etl.read.sniff import MAX_LINE_CHARS, MAX_TEXT_CHARS, describe, sniff, utf16_encoding


def decode_text(data: bytes) -> str:
    """Decode text bytes to NFC text: UTF-8 (with or without BOM), UTF-16 (with a BOM, or
    BOM-less little/big endian), else Windows-1252, the superset of latin-1 that Swedish
    Windows programs write. A UTF-8 file with a few broken bytes stays UTF-8 (the broken
    bytes become U+FFFD) instead of turning every å into mojibake."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="replace")
    elif (enc := utf16_encoding(data)) is not None:
        text = data.decode(enc, errors="replace").lstrip("\ufeff")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            multibyte = len(re.findall(rb"[\xc2-\xf4][\x80-\xbf]+", data))
            broken = len(data.decode("utf-8", errors="replace").split("\ufffd")) - 1
            if multibyte >= 4 * broken:
                text = data.decode("utf-8", errors="replace")
            else:
                text = data.decode("cp1252", errors="replace")
    return unicodedata.normalize("NFC", text)


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
    rel = str(path.relative_to(root)) if root else path.name
    size = path.stat().st_size
    max_bytes = settings.max_bytes()
    if size > max_bytes:
        raise ReadError(f"{rel}: the file is too large ({size / 2**20:.0f} MB; the limit is "
                        f"{max_bytes / 2**20:.0f} MB, env STADSDEL_MAX_MB)")
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise ReadError(f"{rel}: the file is empty")
    kind = sniff(data)
    if path.suffix.lower() == ".pdf" or kind == "pdf":
        from etl.read.pdf import read_pdf  # PDF input (etl/read/pdf.py)

        return read_pdf(path, rel, sha, data)
    if kind != "text":
        raise ReadError(f"{rel}: the content is {describe(kind)}, not a text document")
    text = decode_text(data)
    if len(text) > MAX_TEXT_CHARS:
        raise ReadError(f"{rel}: the text is too long ({len(text):,} characters; the limit is {MAX_TEXT_CHARS:,})")
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    flavour = detect_flavour(raw_lines)
    lines = lines_from_text(text)
    return RawDocument(source_file=rel, sha256=sha, flavour=flavour, lines=lines, warnings=cut_long_lines(lines))


def cut_long_lines(lines: list[Line]) -> list[ParseWarning]:
    """Lines longer than MAX_LINE_CHARS cut there (no table cell or sentence is that long;
    such a line is an extraction accident or an attack), each with a warning."""
    out = []
    for k, ln in enumerate(lines):
        if len(ln.text) > MAX_LINE_CHARS:
            out.append(ParseWarning("read", f"line {ln.no} has {len(ln.text):,} characters; cut at {MAX_LINE_CHARS:,}",
                               ln.no))
            lines[k] = replace(ln, text=ln.text[:MAX_LINE_CHARS], cells=None)
    return out
