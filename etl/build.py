"""Build: every document under a folder -> a new DuckDB file, swapped in atomically.

    parse (per file, errors isolated) -> load (one transaction) -> derived stages
    (indicator identities, full-text index) -> CHECKPOINT -> os.replace(tmp, db)

A failed build leaves the previous database untouched; readers holding the old file keep
their snapshot and new connections see the new file.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from etl.assemble import parse_file
from etl.detect import load_registry
from etl.load import create_schema, load_documents
from etl.model import ParsedDocument, Warning
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
                   progress: Callable[[Path], None] | None = None) -> BuildReport:
    t0 = time.perf_counter()
    input_dir, db_path = Path(input_dir), Path(db_path)
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input folder not found: {input_dir}")
    paths = find_documents(input_dir)
    docs = parse_all(paths, input_dir, progress)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_path.with_name(f"{db_path.name}.tmp{os.getpid()}")
    for p in (tmp, Path(str(tmp) + ".wal")):
        p.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute("BEGIN TRANSACTION")
            create_schema(con)
            counts = load_documents(con, docs)
            extra_warnings = derived_stages(con)
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
        tmp.unlink(missing_ok=True)
        raise
    return BuildReport(db_path=db_path, documents=docs, counts=counts, seconds=time.perf_counter() - t0)


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
