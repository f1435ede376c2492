"""Adding documents to the library: validate first, write only what passes, then rebuild.

    add_files([(name, bytes), ...], input_dir, db_path, on_duplicate="ask") -> AddReport

Each file, before anything is written:
  1. size limit (etl.settings.max_bytes, env STADSDEL_MAX_MB),
  2. type sniffed from the bytes (PDF or text; a web page or Word file named .pdf is refused),
  3. the same bytes (sha256) already in the library -> ``duplicate``, not written again,
  4. read and detected like the build does (a text that is not a plan/report, an encrypted or
     scanned PDF ... -> ``rejected`` with the reason),
  5. a document for the same district, year, kind and level (and unit) already in the library
     -> ``conflict`` unless the caller chose: ``replace`` (the old file is moved to the folder
     ``<input>_replaced/`` next to the input folder) or ``keep`` (both stay, as versions).
Files that pass are stored under a sanitised name (written to a hidden temporary file, then
renamed), and the database is rebuilt incrementally (only the new files are parsed).

The Källor page calls `add_files` with the uploaded files; the CLI is `python -m etl add`.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from etl import settings
from etl.model import DocMeta
from etl.read.sniff import DOCUMENT_KINDS, sanitise_filename, sniff

if TYPE_CHECKING:                   # etl.store.build imports this module's callers; read lazily at run time
    from etl.store.build import BuildReport

CHOICES = ("ask", "replace", "keep")
KIND_SV = {"empty": "en tom fil", "html": "en webbsida (HTML)", "docx": "ett Word-dokument (.docx)",
           "zip": "ett ZIP-arkiv", "doc": "ett äldre Office-dokument (.doc/.xls)", "image": "en bild",
           "binary": "binärdata"}
STATUS_SV = {"added": "tillagd", "replaced": "ersatte", "version": "ny version", "duplicate": "finns redan",
             "conflict": "välj", "rejected": "avvisad"}


@dataclass
class AddResult:
    name: str                         # the name it was uploaded under
    status: str                       # added | replaced | version | duplicate | conflict | rejected
    message: str                      # for the user (Swedish)
    stored_as: str | None = None      # path relative to the input folder, when written
    existing: str | None = None       # the library file it duplicates, replaces or conflicts with
    meta: DocMeta | None = None
    sha256: str | None = None

    @property
    def written(self) -> bool:
        return self.status in ("added", "replaced", "version")


@dataclass
class AddReport:
    results: list[AddResult] = field(default_factory=list)
    build: BuildReport | None = None  # when the database was rebuilt

    @property
    def written(self) -> list[AddResult]:
        return [r for r in self.results if r.written]

    @property
    def conflicts(self) -> list[AddResult]:
        return [r for r in self.results if r.status == "conflict"]

    @property
    def rejected(self) -> list[AddResult]:
        return [r for r in self.results if r.status == "rejected"]


def meta_key(meta: DocMeta) -> tuple:
    return (meta.district, meta.year, meta.doc_type, meta.level, meta.unit_name or "")


def describe_meta(meta: DocMeta) -> str:
    unit = f" ({meta.unit_name})" if meta.unit_name else ""
    return f"{meta.district}{unit}, {meta.doc_type} {meta.year}"


def add_files(files: list[tuple[str, bytes]], input_dir: Path | str, db_path: Path | str | None = None,
              on_duplicate: str | Mapping[str, str] = "ask", max_bytes: int | None = None, build: bool = True,
              progress: Callable[[Path], None] | None = None) -> AddReport:
    """Validate and store uploaded documents, then rebuild the database (see module docstring).

    `on_duplicate` is one of "ask" (report a conflict, write nothing), "replace", "keep", or a
    mapping from uploaded name to one of those (the answers to a previous "ask")."""
    from etl.store.build import build_database

    input_dir = Path(input_dir)
    db_path = Path(db_path) if db_path is not None else settings.db_path()
    max_bytes = settings.max_bytes() if max_bytes is None else max_bytes
    input_dir.mkdir(parents=True, exist_ok=True)
    report = AddReport()
    # one add at a time per library (two browser sessions uploading at once): otherwise a
    # slower build that started first could replace the database of the later one
    lock_name = f"stadsdel-add-{hashlib.sha1(str(input_dir.resolve()).encode()).hexdigest()[:16]}.lock"
    with open(Path(tempfile.gettempdir()) / lock_name, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        library = Library(input_dir, db_path)
        for name, data in files:
            choice = on_duplicate.get(name, "ask") if isinstance(on_duplicate, Mapping) else on_duplicate
            if choice not in CHOICES:
                raise ValueError(f"on_duplicate must be one of {CHOICES}, not {choice!r}")
            report.results.append(_add_one(name, data, library, choice, max_bytes))
        # also when a file already in the library is not in the database (an earlier add was
        # killed between storing and loading it): the same add again loads it
        behind = any(r.status == "duplicate" and r.existing not in library.in_database for r in report.results)
        if build and (report.written or behind):
            report.build = build_database(input_dir, db_path, progress=progress)
    return report


def _add_one(name: str, data: bytes, library: Library, choice: str, max_bytes: int) -> AddResult:
    shown = Path(name.replace("\\", "/")).name or "(namnlös)"
    if len(data) > max_bytes:
        return AddResult(name, "rejected", f"{shown}: filen är för stor ({len(data) / 2**20:.1f} MB, "
                                           f"gränsen är {max_bytes / 2**20:.0f} MB)")
    kind = sniff(data)
    if kind not in DOCUMENT_KINDS:
        return AddResult(name, "rejected", f"{shown}: innehållet är {KIND_SV.get(kind, kind)}, inte en PDF eller text "
                                           "(.txt, .md); spara dokumentet som PDF och försök igen")
    sha = hashlib.sha256(data).hexdigest()
    same = library.by_sha.get(sha)
    if same:
        note = "" if same in library.in_database else \
            " men är inte inläst i databasen (en avbruten inläsning?): databasen byggs om"
        return AddResult(name, "duplicate", f"{shown}: exakt samma fil finns redan som {same}{note}", existing=same,
                         sha256=sha)
    safe = sanitise_filename(shown, kind)
    doc = _parse_bytes(safe, data)
    if doc.meta is None:
        reason = "; ".join(w.message for w in doc.warnings) or "okänt fel"
        return AddResult(name, "rejected", f"{shown}: kan inte läsas in: {reason}", sha256=sha)
    meta = doc.meta
    other = library.by_meta.get(meta_key(meta))
    if other and choice == "ask":
        return AddResult(name, "conflict", f"{shown}: det finns redan ett dokument för {describe_meta(meta)}: "
                                           f"{other}. Välj ersätt eller behåll båda (versioner).",
                         existing=other, meta=meta, sha256=sha)
    if other and choice == "replace":
        library.archive(other)
    target = library.free_name(safe, version=bool(other and choice == "keep"))
    library.store(target, data)
    library.remember(target, sha, meta)
    rel = target.name
    if other and choice == "replace":
        return AddResult(name, "replaced", f"{shown}: sparad som {rel}, ersätter {other} "
                                           f"(flyttad till {library.archive_dir.name}/)",
                         stored_as=rel, existing=other, meta=meta, sha256=sha)
    if other:
        return AddResult(name, "version", f"{shown}: sparad som {rel}, en ny version bredvid {other}",
                         stored_as=rel, existing=other, meta=meta, sha256=sha)
    return AddResult(name, "added", f"{shown}: sparad som {rel} ({describe_meta(meta)})",
                     stored_as=rel, meta=meta, sha256=sha)


def _parse_bytes(safe_name: str, data: bytes):
    """Read and detect the document exactly as the build will, from a private temporary copy."""
    from etl.parse.assemble import parse_file

    with tempfile.TemporaryDirectory(prefix="stadsdel-add-") as tmp:
        path = Path(tmp) / safe_name
        path.write_bytes(data)
        return parse_file(path, Path(tmp))


class Library:
    """What is already in the input folder: sha256 and metadata of every document (metadata
    from the database when its row matches the file's sha256, else by parsing, cached)."""

    def __init__(self, input_dir: Path, db_path: Path):
        from etl.read.files import find_documents

        self.input_dir = input_dir
        self.archive_dir = input_dir.parent / f"{input_dir.name}_replaced"
        self.by_sha: dict[str, str] = {}
        self.by_meta: dict[tuple, str] = {}
        shas: dict[str, str] = {}
        limit = settings.max_bytes()
        for p in find_documents(input_dir):
            rel = str(p.relative_to(input_dir))
            try:
                if p.stat().st_size > limit:
                    continue
                sha = hashlib.sha256(p.read_bytes()).hexdigest()
            except OSError:
                continue
            shas[rel] = sha
            self.by_sha.setdefault(sha, rel)
        known = self._from_database(db_path, shas)
        self.in_database = set(known)        # files the database holds as they are now
        missing = [input_dir / rel for rel in shas if rel not in known]
        if missing:     # files the last build did not load (new, or skipped): detect them now
            from etl.store.parse_workers import parse_stream

            for _, d in parse_stream(missing, input_dir):
                if d.meta is not None:
                    known[d.raw.source_file] = d.meta
        for rel in sorted(known):
            self.by_meta.setdefault(meta_key(known[rel]), rel)

    @staticmethod
    def _from_database(db_path: Path, shas: dict[str, str]) -> dict[str, DocMeta]:
        if not db_path.exists():
            return {}
        try:
            con = duckdb.connect(str(db_path), read_only=True)
        except duckdb.Error:
            return {}
        try:
            rows = con.execute("SELECT source_file, sha256, district, year, doc_type, level, unit_name "
                               "FROM documents").fetchall()
        except duckdb.Error:
            return {}
        finally:
            con.close()
        return {src: DocMeta(district, year, doc_type, level, unit)
                for src, sha, district, year, doc_type, level, unit in rows if shas.get(src) == sha}

    def remember(self, target: Path, sha: str, meta: DocMeta) -> None:
        rel = str(target.relative_to(self.input_dir))
        self.by_sha.setdefault(sha, rel)
        self.by_meta[meta_key(meta)] = rel

    def free_name(self, safe: str, version: bool) -> Path:
        """`safe`, or with -2, -3 ... (-v2, -v3 ... for a version) when that name is taken."""
        stem, _, ext = safe.rpartition(".")
        tag = "v" if version else ""
        names = ([] if version else [safe]) + [f"{stem}-{tag}{n}.{ext}" for n in range(2, 10_000)]
        return next(self.input_dir / n for n in names if not (self.input_dir / n).exists())

    def store(self, target: Path, data: bytes) -> None:
        tmp = self.input_dir / f".incoming-{secrets.token_hex(4)}-{target.name}"
        try:
            tmp.write_bytes(data)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)

    def archive(self, rel: str) -> None:
        """Move a replaced document (and its side-car) out of the input folder, never delete it."""
        self.archive_dir.mkdir(parents=True, exist_ok=True)
        src = self.input_dir / rel
        for f in (src, src.with_name(src.name + ".meta.json")):
            if f.exists():
                dest = self.archive_dir / f.name
                if dest.exists():
                    dest = self.archive_dir / f"{secrets.token_hex(3)}-{f.name}"
                shutil.move(str(f), str(dest))
        self.by_sha = {s: r for s, r in self.by_sha.items() if r != rel}
        self.by_meta = {k: r for k, r in self.by_meta.items() if r != rel}
