"""The documents in an input folder, and file names as they may be printed.

scan_input finds the PDF and text files to read and says why every other entry is not read
(nothing is passed over without a word).
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
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
