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
import os
import re
import stat
import unicodedata
from dataclasses import replace
from pathlib import Path

from etl.model import Line, ParseWarning, RawDocument
from etl.sniff import MAX_BYTES, MAX_LINE_CHARS, MAX_TEXT_CHARS, describe, sniff, utf16_encoding

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}


class ReadError(Exception):
    """A file that cannot be read as a document (reported and skipped by the build)."""


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
    if size > MAX_BYTES:
        raise ReadError(f"{rel}: the file is too large ({size / 2**20:.0f} MB; the limit is "
                        f"{MAX_BYTES / 2**20:.0f} MB, env STADSDEL_MAX_MB)")
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise ReadError(f"{rel}: the file is empty")
    kind = sniff(data)
    if path.suffix.lower() == ".pdf" or kind == "pdf":
        from etl.read_pdf import read_pdf  # PDF input (etl/read_pdf.py)

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


SIDECAR_SUFFIX = ".meta.json"


def find_documents(input_dir: Path) -> list[Path]:
    """Every candidate document under the folder, sorted (see scan_input)."""
    return scan_input(input_dir)[0]


def scan_input(input_dir: Path) -> tuple[list[Path], list[tuple[str, str]]]:
    """The documents under the folder (PDF and text files, regular, inside the folder), and
    every other entry with the reason it is not read: hidden files and folders (not entered),
    other file types, side-cars without their document, symbolic links that lead nowhere or
    outside the folder, folders behind symbolic links, FIFOs, sockets and devices. Nothing
    is passed over without a word."""
    input_dir = Path(input_dir)
    root = input_dir.resolve()
    docs: list[Path] = []
    ignored: list[tuple[str, str]] = []
    for dirpath, dirnames, filenames in os.walk(input_dir, followlinks=False):
        here = Path(dirpath)
        keep = []
        for name in sorted(dirnames):
            p = here / name
            rel = str(p.relative_to(input_dir))
            if name.startswith("."):
                ignored.append((rel, "dold mapp (hidden folder), läses inte"))
            elif p.is_symlink():
                ignored.append((rel, "symbolisk länk till en mapp, följs inte"))
            else:
                keep.append(name)
        dirnames[:] = keep
        names = set(filenames)
        for name in sorted(filenames):
            p = here / name
            rel = str(p.relative_to(input_dir))
            suffix = p.suffix.lower()
            if name.startswith("."):
                ignored.append((rel, "dold fil (hidden file), läses inte"))
            elif name.endswith(SIDECAR_SUFFIX):
                if name[:-len(SIDECAR_SUFFIX)] not in names:
                    ignored.append((rel, "side-car utan sitt dokument"))
            elif suffix not in TEXT_SUFFIXES and suffix != ".pdf":
                ignored.append((rel, "inte ett dokument (bara .pdf, .txt, .md läses)"))
            elif p.is_symlink() and not p.exists():
                ignored.append((rel, "symbolisk länk som inte leder någonstans"))
            elif p.is_symlink() and not p.resolve().is_relative_to(root):
                ignored.append((rel, "symbolisk länk ut ur mappen, följs inte"))
            elif not stat.S_ISREG(p.stat().st_mode):
                ignored.append((rel, "inte en vanlig fil (FIFO, socket eller enhet)"))
            else:
                docs.append(p)
    return sorted(docs), ignored


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable_name(name: str) -> str:
    """A file name as it may be printed: control characters (newlines, ANSI escapes) shown
    as escapes, never sent to the terminal."""
    return _CONTROL.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), name)
