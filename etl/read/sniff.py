"""What a file really is, from its bytes (never its name), and a safe name to store it under.

    sniff(data) -> "empty" | "pdf" | "text" | "html" | "docx" | "zip" | "doc" | "image" | "binary"

Only ``pdf`` and ``text`` are documents the ETL reads (``text`` covers .txt and Markdown in
UTF-8, UTF-16 with a BOM, latin-1 and cp1252).
"""
from __future__ import annotations

import io
import re
import unicodedata
import zipfile

# Bounds inside the size cap (a small file can still ask for a lot of work):
MAX_PAGES = 2000             # a PDF with more pages is refused (the longest plans have ~150)
MAX_PAGE_OBJECTS = 200_000   # text, path and image objects on one PDF page (a decompression bomb has millions)
MAX_TEXT_CHARS = 20_000_000  # characters of text in one document (a 900-page report has ~3 million)
MAX_LINE_CHARS = 5_000       # a longer line is cut there, with a warning
MAX_NAME_CHARS = 500         # a longer indicator name or activity text is cut there, with a warning
DOCUMENT_KINDS = ("pdf", "text")
TEXT_EXTENSIONS = (".txt", ".md")

_DESCRIPTIONS = {
    "empty": "an empty file",
    "pdf": "a PDF document",
    "text": "plain text",
    "html": "a web page (HTML)",
    "docx": "a Word document (.docx)",
    "zip": "a ZIP archive",
    "doc": "an old Office document (.doc/.xls, OLE)",
    "image": "an image",
    "binary": "binary data",
}


def describe(kind: str) -> str:
    return _DESCRIPTIONS.get(kind, kind)


def sniff(data: bytes) -> str:
    """The kind of content, from magic numbers and a look at the first bytes."""
    if not data.strip():
        return "empty"
    head = data[:1024]
    if b"%PDF-" in head:            # the header may follow a few junk bytes
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "doc"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*")):
        return "image"
    utf16 = utf16_encoding(data)
    if utf16:
        text = _decode_or_none(data, utf16)
        return _text_kind(text) if text is not None else "binary"
    if data.startswith(b"\xef\xbb\xbf"):
        data, head = data[3:], data[3:1027]
    if b"\x00" in data[:8192]:
        return "binary"
    sample = data[:8192]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as e:
        # a sample cut in the middle of a character is still UTF-8
        text = sample[: e.start].decode("utf-8") if e.start >= len(sample) - 3 else sample.decode("cp1252", "replace")
    return _text_kind(text)


def utf16_encoding(data: bytes) -> str | None:
    """``utf-16`` for a BOM, ``utf-16-le``/``-be`` for BOM-less UTF-16 (Latin text has a NUL
    in every other byte), else None."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = data[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _decode_or_none(data: bytes, encoding: str) -> str | None:
    try:
        return data[:16384].decode(encoding, errors="strict")
    except UnicodeDecodeError:
        # the sample may end inside a surrogate pair
        try:
            return data[:16382].decode(encoding)
        except UnicodeDecodeError:
            return None


def _text_kind(text: str) -> str:
    stripped = text.lstrip("\ufeff \t\r\n").lower()
    if stripped.startswith(("<!doctype html", "<html", "<?xml")) and ("<html" in stripped[:4096] or "<body" in stripped[:4096]):
        return "html"
    if re.search(r"<(html|head|body)[\s>]", stripped[:4096]) and stripped.startswith("<"):
        return "html"
    controls = sum(1 for c in text if ord(c) < 32 and c not in "\t\r\n\f") + text.count("\ufffd")
    if controls > max(4, len(text) // 100):
        return "binary"
    return "text"


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile:
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    return "zip"


def sanitise_filename(name: str, kind: str) -> str:
    """A safe file name for storing an upload: no directories, ASCII letters, digits, ``-``,
    ``_`` and ``.``, Swedish letters transliterated (å→a), at most 120 characters, and an
    extension that matches the content (``.pdf`` for PDF; ``.md``/``.txt`` for text)."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    ext = ext.lower()
    if kind == "pdf":
        ext = "pdf"
    elif kind == "text":
        ext = ext if f".{ext}" in TEXT_EXTENSIONS else "txt"
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", stem.lower())
    stem = re.sub(r"-{2,}", "-", stem).strip("-_.")[:120] or "dokument"
    if stem.upper() in {"CON", "PRN", "AUX", "NUL"} or re.fullmatch(r"(?i)(com|lpt)\d", stem):
        stem = f"{stem}-dokument"
    return f"{stem}.{ext}" if ext else stem
