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

import glob
import hashlib
import os
import re
import secrets
import shutil
import sys
import time
import types
from collections import deque
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb

from etl import settings
from etl.model import DocMeta, ParsedDocument, ParseWarning
from etl.parse.assemble import parse_file
from etl.parse.detect import load_registry
from etl.read.files import scan_input
from etl.search.index import finish_staging, start_staging
from etl.store.load import Loader, create_schema, delete_files

OVERRIDES = settings.DATA_DIR / "indicator_overrides.csv"
PARSER_DATA = ("districts.csv", "activity_areas.csv")     # data files the parse reads
ALL_DOCUMENTS = "(alla dokument)"                          # source_file of cross-document warnings
IGNORED_STAGE = "input"                                     # warnings for entries of the input folder not read

PARALLEL_MIN_BYTES = 3 * 2**20   # below this much input, starting worker processes costs more than it saves
WINDOW_PER_WORKER = 3            # documents parsed ahead per worker (bounds memory)
MEMORY_LIMIT = "300MB"           # DuckDB's working memory during a build (it spills beyond this)


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

@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The ETL's code, schema and parser data: a database written by other code is not reused."""
    h = hashlib.sha256(b"stadsdel-build 2")
    etl_dir = Path(__file__).resolve().parents[1]
    for p in sorted(etl_dir.rglob("*.py")) + sorted(etl_dir.rglob("*.sql")):
        h.update(p.relative_to(etl_dir).as_posix().encode() + b"\0" + p.read_bytes())
    for name in PARSER_DATA:
        p = settings.DATA_DIR / name
        if p.exists():
            h.update(name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def file_key(path: Path, root: Path) -> str:
    """Changes when the file's bytes, its path in the input folder or its side-car change."""
    h = hashlib.sha256()
    try:
        if path.stat().st_size > settings.max_bytes():       # the read stage refuses it quickly
            h.update(b"too large %d" % path.stat().st_size)
        else:
            h.update(hashlib.sha256(path.read_bytes()).digest())
        side = path.with_name(path.name + ".meta.json")
        h.update(side.read_bytes() if side.exists() else b"")
    except OSError as e:
        h.update(f"unreadable {e}".encode())
    h.update(str(path.relative_to(root)).encode())
    return h.hexdigest()


def previous_files(db_path: Path) -> dict[str, str] | None:
    """{source_file: file_key} of the previous build, when its database can be reused."""
    if not db_path.exists():
        return None
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error:
        return None
    try:
        row = con.execute("SELECT value FROM build_info WHERE key = 'code'").fetchone()
        if not row or row[0] != code_fingerprint():
            return None
        return dict(con.execute("SELECT source_file, file_key FROM build_files").fetchall())
    except duckdb.Error:
        return None
    finally:
        con.close()


# --- parse ---------------------------------------------------------------------------------------

def prepare(doc: ParsedDocument) -> ParsedDocument:
    """A parsed document ready to load: the line list dropped (every stage that needs the
    lines has run; the line count is kept), so it travels back from the worker cheaply."""
    doc.raw.lines = []
    return doc


def _parse_one(args: tuple[Path, Path]) -> ParsedDocument:
    path, root = args
    return prepare(parse_file(path, root, load_registry()))


def parse_stream(paths: list[Path], root: Path, workers: int | None = None,
                 ) -> Generator[tuple[Path, ParsedDocument], None, None]:
    """(path, parsed document) in `paths` order; on several cores when there is enough input.
    At most WINDOW_PER_WORKER documents per worker are parsed ahead of the consumer.

    The workers come from a forkserver (not forked from this possibly multi-threaded process,
    e.g. Streamlit's) and start without this process's __main__ (see `_no_main`)."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    size = sum(p.stat().st_size for p in paths if p.exists())
    if workers < 2 or len(paths) < 2 or size < PARALLEL_MIN_BYTES:
        registry = load_registry()
        for p in paths:
            yield p, prepare(parse_file(p, root, registry))
        return
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["etl.parse.assemble", "etl.search.index"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_watch_parent,
                               initargs=(os.getpid(),))

    def submit(p: Path):
        with _no_main():        # worker processes start during submit
            return pool.submit(_parse_one, (p, root))
    try:
        todo = iter(paths)
        window: deque = deque()
        for p in todo:
            window.append((p, submit(p)))
            if len(window) >= workers * WINDOW_PER_WORKER:
                break
        while window:
            p, fut = window.popleft()
            nxt = next(todo, None)
            if nxt is not None:
                window.append((nxt, submit(nxt)))
            yield p, fut.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


PARENT_CHECK_S = 0.5      # how often a parse worker checks that the build that started it is alive


def _watch_parent(pid: int) -> None:
    """Worker initializer: the worker ends itself when the build process is gone (a SIGKILLed
    build would otherwise leave its workers, children of the forkserver, running on). Linux
    also gets PR_SET_PDEATHSIG for the forkserver's death."""
    import signal
    import threading

    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)      # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_S)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass                                    # alive, under another user (cannot be ours)

    threading.Thread(target=watch, name="watch-build", daemon=True).start()


@contextmanager
def _no_main():
    """While worker processes start: hide this process's __main__ module from multiprocessing,
    which would otherwise import it again in every worker. The workers only need etl.store.build,
    and __main__ may be a script that runs on import: Streamlit makes the app's page its
    __main__ (the workers ran the app and started builds of their own), and a script without
    an `if __name__ == "__main__":` guard would start the build again."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main


# --- build ---------------------------------------------------------------------------------------

def standby_path(db_path: Path) -> Path:
    """The previous generation of the database, kept after a swap to be updated in place."""
    return db_path.with_name(db_path.name + ".standby")


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


@dataclass
class Target:
    path: Path      # the file this build writes
    kind: str       # new | copy (of the live database) | standby (the previous generation, in place)


IN_PLACE_MAX_BYTES = 32 * 2**20   # larger updates use a copy: one transaction holds them in memory


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), config={"memory_limit": MEMORY_LIMIT, "temp_directory": f"{path}.spill"})


def open_target(db_path: Path, tmp: Path, paths: list[Path], root: Path, keys: dict[str, str],
                reuse: bool) -> tuple[Target, duckdb.DuckDBPyConnection, dict[str, str] | None]:
    """The file to build into, open, and the input files it already holds ({file: key}):
    1. the standby (the database before the last build), updated in place, when it was written
       by this code, no reader still has it open and the update is small;
    2. else a copy of the live database, when it was written by this code;
    3. else a new file (a full build)."""
    if reuse:
        standby = standby_path(db_path)
        before = previous_files(standby)
        if before is not None:
            size = sum(p.stat().st_size for p in paths if before.get(str(p.relative_to(root))) != keys[str(p.relative_to(root))])
            # file locks keep other processes' readers out, not this process's own (an app
            # rebuilding after an upload may still have the file open from when it was live)
            if size <= IN_PLACE_MAX_BYTES and not open_in_this_process(standby):
                try:
                    return Target(standby, "standby"), _connect(standby), before
                except duckdb.Error:
                    pass        # an app still reads it (it was live until the last build)
        before = previous_files(db_path)
        if before is not None:
            shutil.copyfile(db_path, tmp)
            return Target(tmp, "copy"), _connect(tmp), before
    return Target(tmp, "new"), _connect(tmp), None


def open_in_this_process(path: Path) -> bool:
    """Does this process hold a file descriptor on `path` (a DuckDB connection does)?"""
    try:
        st = path.stat()
        fds = os.listdir("/proc/self/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            other = os.stat(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (st.st_dev, st.st_ino):
            return True
    return False


def swap_in(new: Path, db_path: Path) -> None:
    """Make `new` the live database in one atomic rename; the replaced file is kept as the
    standby for the next build (readers that still have it open keep reading it, and the next
    build copies instead of updating it while they do)."""
    standby = standby_path(db_path)
    old = db_path.with_name(f"{db_path.name}.tmp{os.getpid()}-{secrets.token_hex(3)}")
    had_old = db_path.exists()
    if had_old:
        os.link(db_path, old)
    os.replace(new, db_path)
    if had_old:
        os.replace(old, standby)


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


_TEMP = re.compile(r"\.tmp(\d+)(?:-[0-9a-f]+)?(?:\.wal|\.spill)?$")


def remove_stale_temp_files(db_path: Path) -> list[Path]:
    """Temporary database files left by a build that was killed (its process is gone)."""
    removed = []
    for f in db_path.parent.glob(f"{glob.escape(db_path.name)}.tmp*"):
        m = _TEMP.search(f.name[len(db_path.name):])
        if not m:
            continue
        pid = int(m.group(1))
        if pid == os.getpid() or not _alive(pid):
            if f.is_dir():
                shutil.rmtree(f, ignore_errors=True)
            else:
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


def derived_stages(con: duckdb.DuckDBPyConnection) -> list[ParseWarning]:
    """Cross-document stages that run on the loaded tables (same transaction)."""
    from etl.derive.identity import resolve_identities

    return resolve_identities(con, OVERRIDES)


def search_index(con: duckdb.DuckDBPyConnection) -> None:
    """After a full build: the staged search postings into the index, sorted (an incremental
    build appends a changed document's postings to the sorted ones)."""
    finish_staging(con)
