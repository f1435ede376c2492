"""Build: every document under a folder -> a DuckDB file, swapped in atomically.

    keys (sha256 of each file, its path, its side-car)
    -> the file to build into (open_target): the standby, updated in place | a copy of the
       live database | a new file
    -> delete the rows of changed/removed files; parse and load only new/changed files
    -> derived stages (indicator identities, cross-document warnings) -> sort the search index
       (new file) -> CHECKPOINT -> swap_in: os.replace over the live file, the old one kept as
       the standby

Parsing runs in worker processes (per-document work) while the main process loads the
documents as they arrive, in order, in batches (etl/store/load.py), so memory stays bounded by a
few documents, not the city. An earlier database is reusable when it was written by the
same code (a fingerprint of etl/*.py, the schema and the parser's data files, stored in
`build_info`); then an unchanged file costs nothing but its sha256.

A failed build leaves the live database untouched; readers holding the old file keep
their snapshot and new connections see the new file. A build that is killed leaves its
temporary file behind; the next build removes it (its process id is in the name).
"""
from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from etl import settings
from etl.model import DocMeta, ParsedDocument, ParseWarning
from etl.read.files import scan_input
from etl.search.index import finish_staging, start_staging
from etl.store.load import Loader, create_schema, delete_files
from etl.store.parse_workers import (
    parse_stream,
)
from etl.store.reuse import OVERRIDES, code_fingerprint, file_key
from etl.store.target import (
    open_target,
    remove_stale_temp_files,
    swap_in,
)

ALL_DOCUMENTS = "(alla dokument)"                          # source_file of cross-document warnings
IGNORED_STAGE = "input"                                     # warnings for entries of the input folder not read


@dataclass
class DocumentSummary:
    """What the build did with one input file."""
    source_file: str
    meta: DocMeta | None                      # None: the file was skipped (see warnings)
    warnings: list[ParseWarning] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)   # goals, indicators, activities
    reused: bool = False                      # unchanged since the previous build: not parsed


@dataclass
class BuildReport:
    db_path: Path
    documents: list[DocumentSummary] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)   # rows in the new database
    seconds: float = 0.0
    reused: int = 0          # files unchanged since the previous build (not parsed again)
    incremental: bool = False
    base: str = "new"        # what the build started from: new | copy | standby (see open_target)
    # seconds per stage: keys (hashing the files), open (the target file, deleting changed
    # files' rows), parse_wait (the loader waiting for the parse), load, derived (identities,
    # KF checks), index (sorting the postings of a full build), commit (COMMIT + CHECKPOINT)
    stages: dict[str, float] = field(default_factory=dict)
    ignored: list[tuple[str, str]] = field(default_factory=list)   # (path, why) of entries not read

    @property
    def loaded(self) -> list[DocumentSummary]:
        return [d for d in self.documents if d.meta is not None]

    @property
    def skipped(self) -> list[DocumentSummary]:
        return [d for d in self.documents if d.meta is None]


# --- what changed ---------------------------------------------------------------------------


# --- parse ---------------------------------------------------------------------------------------


# --- build ---------------------------------------------------------------------------------------


def build_database(input_dir: Path | str = settings.DEFAULT_INPUT, db_path: Path | str | None = None,
                   progress: Callable[[Path], None] | None = None, reuse: bool = True) -> BuildReport:
    """Build a new database from every document under `input_dir` and swap it in atomically.
    With `reuse`, an earlier database is updated instead: files unchanged since it was built
    (sha256, path, side-car) are neither parsed nor loaded again."""
    t0 = time.perf_counter()
    input_dir, db_path = Path(input_dir), Path(db_path) if db_path is not None else settings.db_path()
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input folder not found: {input_dir}")
    stages: dict[str, float] = {}
    paths, ignored = scan_input(input_dir)
    with ThreadPoolExecutor(max_workers=2) as hashing:      # sha256 releases the GIL
        keys = dict(zip((str(p.relative_to(input_dir)) for p in paths),
                        hashing.map(lambda p: file_key(p, input_dir), paths)))
    stages["keys"] = time.perf_counter() - t0
    db_path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(db_path)
    tmp = db_path.with_name(f"{db_path.name}.tmp{os.getpid()}-{secrets.token_hex(3)}")
    t = time.perf_counter()
    target, con, before = open_target(db_path, tmp, paths, input_dir, keys, reuse)
    unchanged = {rel for rel, key in keys.items() if before is not None and before.get(rel) == key}
    gone = sorted(rel for rel, key in (before or {}).items() if keys.get(rel) != key)
    todo = [p for p in paths if str(p.relative_to(input_dir)) not in unchanged]
    report = BuildReport(db_path=db_path, reused=len(unchanged), incremental=before is not None,
                         base=target.kind, stages=stages, ignored=ignored)
    parsed = parse_stream(todo, input_dir)
    try:
        try:
            if target.kind == "standby":      # updated in place: all or nothing
                con.execute("BEGIN TRANSACTION")
            # Otherwise no transaction around the build: the new file only goes live through
            # os.replace, so a failure at any point loses nothing, and each batch written frees
            # its memory.
            if target.kind == "new":
                create_schema(con)
            delete_files(con, gone)
            con.execute("DELETE FROM warnings WHERE document_id IS NULL AND source_file = ?", [ALL_DOCUMENTS])
            con.execute("DELETE FROM warnings WHERE document_id IS NULL AND stage = ?", [IGNORED_STAGE])
            insert_ignored(con, ignored)
            con.execute("DELETE FROM build_info")
            stages["open"] = time.perf_counter() - t
            for p in paths:
                if str(p.relative_to(input_dir)) in unchanged and progress:
                    progress(p)
            postings = start_staging(con) if before is None else "search_postings"
            summaries = load_stream(con, parsed, input_dir, keys, progress, stages, postings)
            t = time.perf_counter()
            insert_warnings(con, version_warnings(con) + derived_stages(con))
            stages["derived"] = time.perf_counter() - t
            t = time.perf_counter()
            if before is None:
                search_index(con)
            stages["index"] = time.perf_counter() - t
            report.counts = table_counts(con)
            con.execute("INSERT INTO build_info VALUES ('built_at', ?), ('input_dir', ?), ('documents', ?), ('code', ?)",
                        [time.strftime("%Y-%m-%d %H:%M:%S"), str(input_dir), str(report.counts["documents"]),
                         code_fingerprint()])
            report.documents = order_summaries(paths, input_dir, summaries, reused_summaries(con, unchanged))
            t = time.perf_counter()
            if target.kind == "standby":
                con.execute("COMMIT")
            con.execute("CHECKPOINT")
            stages["commit"] = time.perf_counter() - t
        finally:
            con.close()
        swap_in(target.path, db_path)
    except BaseException:
        parsed.close()
        if target.kind != "standby":          # an uncommitted update of the standby rolls back
            for p in (tmp, Path(f"{tmp}.wal")):
                p.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(f"{target.path}.spill", ignore_errors=True)
    report.seconds = time.perf_counter() - t0
    return report


def load_stream(con, parsed: Iterator[tuple[Path, ParsedDocument]], root: Path, keys: dict[str, str],
                progress: Callable[[Path], None] | None, stages: dict[str, float],
                postings: str = "search_postings") -> dict[str, DocumentSummary]:
    """Load documents as the parser hands them over; record every file in build_files."""
    loader = Loader(con, postings=postings)
    summaries: dict[str, DocumentSummary] = {}
    files: list[list] = []
    t_wait = t_load = 0.0
    t = time.perf_counter()
    for path, doc in parsed:
        t_wait += time.perf_counter() - t
        t = time.perf_counter()
        rel = str(path.relative_to(root))
        doc_id = loader.add(doc)
        files.append([rel, keys[rel], doc_id])
        summaries[rel] = DocumentSummary(rel, doc.meta, doc.warnings, {
            "goals": len(doc.goals), "indicators": len(doc.indicators), "activities": len(doc.activities)})
        if progress:
            progress(path)
        t_load += time.perf_counter() - t
        t = time.perf_counter()
    loader.flush()
    if files:
        con.executemany("INSERT INTO build_files VALUES (?, ?, ?)", files)
    stages["parse_wait"] = t_wait      # the part of the parse the loading did not hide
    stages["load"] = t_load + time.perf_counter() - t
    return summaries


def reused_summaries(con, unchanged: set[str]) -> dict[str, DocumentSummary]:
    """Summaries of the files taken over from the previous database, read from it."""
    if not unchanged:
        return {}
    rows = con.execute("""
        SELECT f.source_file, d.district, d.year, d.doc_type, d.level, d.unit_name, d.detected_by,
               (SELECT count(*) FROM goals g WHERE g.document_id = d.document_id),
               (SELECT count(*) FROM indicator_values v WHERE v.document_id = d.document_id),
               (SELECT count(*) FROM activities a WHERE a.document_id = d.document_id)
        FROM build_files f LEFT JOIN documents d USING (document_id)
        WHERE f.source_file IN (SELECT unnest(?::VARCHAR[]))""", [sorted(unchanged)]).fetchall()
    warns: dict[str, list[ParseWarning]] = {}
    for src, stage, message, line in con.execute(
            "SELECT source_file, stage, message, source_line FROM warnings "
            "WHERE source_file IN (SELECT unnest(?::VARCHAR[])) ORDER BY warning_id", [sorted(unchanged)]).fetchall():
        warns.setdefault(src, []).append(ParseWarning(stage, message, line))
    out = {}
    for src, district, year, doc_type, level, unit, by, n_goals, n_rows, n_acts in rows:
        meta = DocMeta(district, year, doc_type, level, unit, by) if district is not None else None
        out[src] = DocumentSummary(src, meta, warns.get(src, []),
                                   {"goals": n_goals, "indicators": n_rows, "activities": n_acts}, reused=True)
    return out


def order_summaries(paths: list[Path], root: Path, *parts: dict[str, DocumentSummary]) -> list[DocumentSummary]:
    merged = {k: v for part in parts for k, v in part.items()}
    return [merged[str(p.relative_to(root))] for p in paths if str(p.relative_to(root)) in merged]


def table_counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("documents", "goals", "indicator_values", "activities", "budget_lines", "sections", "warnings")}


def insert_ignored(con, ignored: list[tuple[str, str]]) -> None:
    """Every entry of the input folder that is not read, as a warning under its own name."""
    loader = Loader(con)
    for rel, why in ignored:
        loader.add_warning(rel, ParseWarning(IGNORED_STAGE, f"läses inte: {why}"))
    loader.flush()


def insert_warnings(con, warns: list[ParseWarning]) -> None:
    """Cross-document warnings (no single document), shown under ALL_DOCUMENTS."""
    loader = Loader(con)
    for w in warns:
        loader.add_warning(ALL_DOCUMENTS, w)
    loader.flush()


def version_warnings(con) -> list[ParseWarning]:
    """Several documents for the same district, year, kind and level (kept as versions by
    `etl add --keep-both`, or copied in twice): both load; say so where users look."""
    rows = con.execute("""
        SELECT district, doc_type, year, coalesce(unit_name, ''), list(source_file ORDER BY source_file)
        FROM documents GROUP BY district, doc_type, year, level, coalesce(unit_name, '')
        HAVING count(*) > 1 ORDER BY 1, 2, 3""").fetchall()
    return [ParseWarning("versions", f"{len(files)} versions of {district} {doc_type} {year}"
                                f"{' (' + unit + ')' if unit else ''}: {', '.join(files)}")
            for district, doc_type, year, unit, files in rows]


def derived_stages(con: duckdb.DuckDBPyConnection) -> list[ParseWarning]:
    """Cross-document stages that run on the loaded tables (same transaction)."""
    from etl.derive.identity import resolve_identities

    return resolve_identities(con, OVERRIDES)


def search_index(con: duckdb.DuckDBPyConnection) -> None:
    """After a full build: the staged search postings into the index, sorted (an incremental
    build appends a changed document's postings to the sorted ones)."""
    finish_staging(con)
