"""Build: every document under a folder -> a new DuckDB file, swapped in atomically.

    parse (per file, errors isolated; unchanged files reused from the parse cache) ->
    load (one transaction) -> derived stages (indicator identities, full-text index) ->
    CHECKPOINT -> os.replace(tmp, db)

A failed build leaves the previous database untouched; readers holding the old file keep
their snapshot and new connections see the new file. A build that is killed leaves its
temporary file behind; the next build removes it (its process id is in the name).
"""
from __future__ import annotations

import glob
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from etl.assemble import parse_file
from etl.detect import load_registry
from etl.load import create_schema, load_documents
from etl.model import ParsedDocument, Warning
from etl.parse_cache import ParseCache
from etl.read import find_documents

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = ROOT / "data" / "raw"
DEFAULT_DB = Path(os.environ.get("STADSDEL_DB", ROOT / "data" / "stadsdelar.duckdb"))


@dataclass
class BuildReport:
    db_path: Path
    documents: list[ParsedDocument] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    reused: int = 0          # documents taken from the parse cache (unchanged since the last build)

    @property
    def loaded(self) -> list[ParsedDocument]:
        return [d for d in self.documents if d.meta is not None]

    @property
    def skipped(self) -> list[ParsedDocument]:
        return [d for d in self.documents if d.meta is None]


PARALLEL_MIN_FILES = 8   # below this, starting worker processes costs more than it saves


def _parse_one(args: tuple[Path, Path]) -> ParsedDocument:
    path, root = args
    return parse_file(path, root, load_registry())


def parse_all(paths: list[Path], root: Path, progress: Callable[[Path], None] | None = None,
              workers: int | None = None) -> list[ParsedDocument]:
    """Parse every file (per-document work: on several cores when there are many files)."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers > 1 and len(paths) >= PARALLEL_MIN_FILES:
        from concurrent.futures import ProcessPoolExecutor

        docs = []
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for p, doc in zip(paths, pool.map(_parse_one, [(p, root) for p in paths], chunksize=4)):
                docs.append(doc)
                if progress:
                    progress(p)
        return docs
    registry = load_registry()
    docs = []
    for p in paths:
        docs.append(parse_file(p, root, registry))
        if progress:
            progress(p)
    return docs


def build_database(input_dir: Path | str = DEFAULT_INPUT, db_path: Path | str = DEFAULT_DB,
                   progress: Callable[[Path], None] | None = None, reuse: bool = True) -> BuildReport:
    """Build a new database from every document under `input_dir` and swap it in atomically.
    With `reuse`, documents unchanged since the last build (sha256, side-car, parser version)
    are taken from the parse cache next to the database instead of being parsed again."""
    t0 = time.perf_counter()
    input_dir, db_path = Path(input_dir), Path(db_path)
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input folder not found: {input_dir}")
    paths = find_documents(input_dir)
    cache = ParseCache(db_path)
    docs, reused = parse_incremental(paths, input_dir, cache, progress, reuse=reuse)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(db_path)
    tmp = db_path.with_name(f"{db_path.name}.tmp{os.getpid()}-{secrets.token_hex(3)}")
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute("BEGIN TRANSACTION")
            create_schema(con)
            counts = load_documents(con, docs)
            extra_warnings = version_warnings(docs) + derived_stages(con)
            for w in extra_warnings:
                con.execute(
                    "INSERT INTO warnings VALUES ((SELECT coalesce(max(warning_id), 0) + 1 FROM warnings), NULL, ?, ?, ?, ?)",
                    ["(alla dokument)", w.stage, w.message, w.source_line],
                )
            con.execute("INSERT INTO build_info VALUES ('built_at', ?), ('input_dir', ?), ('documents', ?)",
                        [time.strftime("%Y-%m-%d %H:%M:%S"), str(input_dir), str(counts["documents"])])
            con.execute("COMMIT")
            search_index(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, db_path)
    except BaseException:
        for p in (tmp, Path(f"{tmp}.wal")):
            p.unlink(missing_ok=True)
        raise
    cache.prune()
    return BuildReport(db_path=db_path, documents=docs, counts=counts, seconds=time.perf_counter() - t0,
                       reused=reused)


def version_warnings(docs: list[ParsedDocument]) -> list[Warning]:
    """Several documents for the same district, year, kind and level (kept as versions by
    `etl add --keep-both`, or copied in twice): both load; say so where users look."""
    groups: dict[tuple, list[str]] = {}
    for d in docs:
        if d.meta is not None:
            m = d.meta
            groups.setdefault((m.district, m.year, m.doc_type, m.level, m.unit_name or ""), []).append(d.raw.source_file)
    return [Warning("versions", f"{len(files)} versions of {k[0]} {k[2]} {k[1]}"
                                f"{' (' + k[4] + ')' if k[4] else ''}: {', '.join(sorted(files))}")
            for k, files in groups.items() if len(files) > 1]


def parse_incremental(paths: list[Path], root: Path, cache: ParseCache,
                      progress: Callable[[Path], None] | None = None,
                      reuse: bool = True) -> tuple[list[ParsedDocument], int]:
    """Parse the documents, taking unchanged ones (same sha256, side-car and parser) from the
    cache of the previous build (unless `reuse` is false: then everything is parsed and the
    cache refreshed). Returns the documents in `paths` order and how many were reused."""
    keys = {p: cache.key(p, root) for p in paths}
    found = {p: cache.get(keys[p]) if reuse else None for p in paths}
    todo = [p for p in paths if found[p] is None]
    for p in paths:
        if found[p] is not None and progress:
            progress(p)
    for p, doc in zip(todo, parse_all(todo, root, progress)):
        found[p] = doc
        cache.put(keys[p], doc)
    return [found[p] for p in paths], len(paths) - len(todo)


_TEMP = re.compile(r"\.tmp(\d+)(?:-[0-9a-f]+)?(?:\.wal)?$")


def remove_stale_temp_files(db_path: Path) -> list[Path]:
    """Temporary database files left by a build that was killed (its process is gone)."""
    removed = []
    for f in db_path.parent.glob(f"{glob.escape(db_path.name)}.tmp*"):
        m = _TEMP.search(f.name[len(db_path.name):])
        if not m:
            continue
        pid = int(m.group(1))
        if pid == os.getpid() or not _alive(pid):
            f.unlink(missing_ok=True)
            removed.append(f)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def derived_stages(con: duckdb.DuckDBPyConnection) -> list[Warning]:
    """Cross-document stages that run on the loaded tables (same transaction)."""
    warnings: list[Warning] = []
    try:
        from etl.identity import resolve_identities
    except ImportError:
        return warnings
    warnings.extend(resolve_identities(con, ROOT / "data" / "indicator_overrides.csv"))
    return warnings


def search_index(con: duckdb.DuckDBPyConnection) -> None:
    try:
        from etl.search import create_index
    except ImportError:
        return
    create_index(con)
