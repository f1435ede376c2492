"""The dashboard's database connection.

- The path comes from env STADSDEL_DB (default data/stadsdelar.duckdb in the project root).
- The file is opened read-only, so any number of app processes can read it while the ETL
  writes a new file next to it and os.replace()s it over the live one.
- Each query checks the file's (inode, mtime, size); when a rebuild replaced the file, a new
  connection is opened and the cached query results of the old file are no longer used.
- On first start, when the file is missing, it is built from the embedded documents
  (data/raw) with etl.store.build.build_database.

Queries run through `run(query_function, *args)`, cached per file version, each on a cursor
of its own of the connection to that version; a version's connection is closed only when
no query uses it any more, so a rebuild never pulls a connection from under a running
query of another session.
"""
from __future__ import annotations

import contextvars
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from etl import settings

_build_lock = threading.Lock()


db_path = settings.db_path           # env STADSDEL_DB, read at call time
input_dir = settings.input_dir       # env STADSDEL_INPUT


def signature(path: Path) -> tuple[int, int, int] | None:
    """(inode, mtime_ns, size) of the file, or None when it does not exist."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection of its own to the file as it is now.

    The file is ATTACHed to a new in-memory database instead of opened with
    ``duckdb.connect(path)``: DuckDB keeps one instance per path in a process, so connecting
    to the same path again while an older connection is open would give the OLD file (the
    inode a rebuild replaced). Each attached instance holds the inode it opened."""
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{_sql_string(str(path))}' AS {_CATALOG} (READ_ONLY)")
    con.execute(f"USE {_CATALOG}")
    return con


_CATALOG = "stadsdelar"


def _sql_string(text: str) -> str:
    return text.replace("'", "''")


def build_if_missing(path: Path | None = None, source: Path | None = None,
                     progress: Callable[..., Any] | None = None) -> bool:
    """Build the database from the input folder when the file is missing.
    Returns True when a build ran."""
    path = path or db_path()
    source = source or input_dir()
    if path.exists():
        return False
    with _build_lock:
        if path.exists():
            return False
        from etl.store.build import build_database

        path.parent.mkdir(parents=True, exist_ok=True)
        build_database(str(source), str(path), progress=progress)
    return True


# --- streamlit cache layer ----------------------------------------------------------------
# Imported lazily so that `dashboard.db` also works outside streamlit (tests, CLI).

def _st():
    import streamlit as st
    return st


def _close(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.close()
    except duckdb.Error:
        pass            # already closed, or its file is gone: nothing left to release


# One connection per generation of the file (its signature: inode, mtime, size). When a
# rebuild replaced the file, the next page run opens the new generation; an old one is closed
# only when nothing uses it any more (another session's page run may still be reading it).
# A page run holds its generation from start to end (`pinned`, app.py), so all the queries of
# one page read the same file even when a rebuild swaps it in the middle. Every query gets a
# cursor of its own (DuckDB connections are not thread-safe; cursors are).
class _Generation:
    def __init__(self, path: str, sig: tuple, con: duckdb.DuckDBPyConnection):
        self.path, self.sig, self.con, self.users, self.retired = path, sig, con, 0, False


_gens: dict[tuple[str, tuple], _Generation] = {}
_conn_lock = threading.Lock()
_pin: contextvars.ContextVar[tuple[str, tuple] | None] = contextvars.ContextVar("stadsdel_db_pin", default=None)


def _open(path: str) -> tuple[duckdb.DuckDBPyConnection, tuple]:
    """A connection to the file as it is now, and the signature of exactly what it opened:
    the file is opened first and attached through its descriptor (/proc/self/fd/N names that
    inode even when a rebuild replaces the path a moment later)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        st = os.fstat(fd)
        via_fd = f"/proc/self/fd/{fd}"
        con = connect(Path(via_fd) if os.path.exists(via_fd) else Path(path))
    finally:
        os.close(fd)                 # the attached database keeps its own descriptor
    return con, (st.st_ino, st.st_mtime_ns, st.st_size)


def _acquire(path: str, sig: tuple | None = None) -> _Generation:
    """Generation `sig` of the file (None: the newest), with one more user. Raises
    FileChangedError when `sig` is no longer the file and nobody holds it open."""
    with _conn_lock:
        gen = _gens.get((path, sig or signature(Path(path)) or ()))
        if gen is None:
            gen = _newest(path)
        if sig is not None and gen.sig != sig:
            raise FileChangedError(path)
        gen.users += 1
        return gen


def _newest(path: str) -> _Generation:
    """The generation of the file as it is now (opened, or the open one when it is that);
    the older ones are retired: closed now when unused, else when their last user is done.
    Called under _conn_lock."""
    con, opened = _open(path)
    gen = _gens.get((path, opened))
    if gen is not None:
        _close(con)
        return gen
    for key, g in list(_gens.items()):
        if key[0] == path and not g.retired:
            g.retired = True
            if g.users == 0:
                _close(g.con)
                del _gens[key]
    gen = _gens[(path, opened)] = _Generation(path, opened, con)
    return gen


def _release(gen: _Generation) -> None:
    with _conn_lock:
        gen.users -= 1
        if gen.retired and gen.users == 0 and _gens.get((gen.path, gen.sig)) is gen:
            _close(gen.con)
            del _gens[(gen.path, gen.sig)]


OPEN_ATTEMPTS = 5       # an unpinned query retries when a rebuild replaced the file meanwhile


class FileChangedError(RuntimeError):
    """The database file was replaced between reading its signature and opening it."""


@contextmanager
def cursor(path: str, sig: tuple) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on this version of the file, for one query (``with cursor(...) as cur``)."""
    gen = _acquire(path, sig)
    try:
        cur = gen.con.cursor()
        cur.execute(f"USE {_CATALOG}")
    except Exception:
        _release(gen)
        raise
    try:
        yield cur
    finally:
        cur.close()
        _release(gen)


@contextmanager
def pinned() -> Iterator[tuple[str, tuple] | None]:
    """Hold the current generation of the database for a whole page run: every query of the
    run (`run`) reads that file, also when a rebuild replaces it meanwhile. Yields its
    (path, signature); None when there is no database (nothing is held; the page says so)."""
    path = str(db_path())
    try:
        gen = _acquire(path)
    except (FileNotFoundError, duckdb.Error):
        yield None
        return
    sig = gen.sig
    token = _pin.set((path, sig))
    try:
        yield (path, sig)
    finally:
        _pin.reset(token)
        _release(gen)


def _make_cached():
    st = _st()

    @st.cache_data(show_spinner=False, max_entries=512)
    def cached_query(path: str, sig: tuple, name: str, args: tuple, kwargs: tuple):
        with cursor(path, sig) as cur:
            return _QUERIES[name](cur, *args, **dict(kwargs))

    return cached_query


_cached = None
_QUERIES: dict[str, Callable] = {}     # cache key -> query function (run() registers each it is given)


def _cache():
    global _cached
    if _cached is None:
        _cached = _make_cached()
    return _cached


def current() -> tuple[str, tuple]:
    """(path, signature) of the database file; raises FileNotFoundError when missing."""
    path = db_path()
    sig = signature(path)
    if sig is None:
        raise FileNotFoundError(str(path))
    return str(path), sig


def run(func: Callable, *args, **kwargs):
    """Run a query function (con first; of any query module) on the current database file,
    cached per file version (a rebuilt file gets fresh results)."""
    name = f"{func.__module__}.{func.__qualname__}"      # the cache key; the function by name:
    _QUERIES[name] = func
    pin = _pin.get()
    if pin is not None and pin[0] == str(db_path()):
        return _cache()(*pin, name, tuple(args), tuple(sorted(kwargs.items())))
    for attempt in range(OPEN_ATTEMPTS):   # not in a page run (CLI, tests): the file as it is now
        path, sig = current()
        try:
            return _cache()(path, sig, name, tuple(args), tuple(sorted(kwargs.items())))
        except FileChangedError:
            if attempt == OPEN_ATTEMPTS - 1:
                raise
            time.sleep(0.005)


def ensure_database() -> bool:
    """For app.py: build the database with a progress message when it is missing.
    Returns False (after showing an error) when it cannot be built."""
    from streamlit.errors import StreamlitAPIException

    st = _st()
    path = db_path()
    if path.exists():
        return True
    try:
        with st.status(f"Bygger databasen från dokumenten i {input_dir()} …", expanded=True) as status:
            bar = st.progress(0.0)
            source = input_dir()
            total = max(1, sum(1 for p in source.rglob("*") if p.is_file()))
            done = [0]

            def progress(item=None, *_, **__):
                # build_database calls progress(path) once per parsed file
                done[0] += 1
                name = Path(str(item)).name if item is not None else ""
                try:
                    bar.progress(min(1.0, done[0] / total), text=f"Läst {done[0]} av {total}: {name}")
                except StreamlitAPIException:
                    pass        # the page was left while the build runs: the build goes on

            build_if_missing(path, input_dir(), progress=progress)
            status.update(label="Databasen är byggd.", state="complete", expanded=False)
        return True
    except (OSError, duckdb.Error, RuntimeError) as exc:  # the reason in the app, not a stack trace
        st.error(
            f"Databasen {path} saknas och kunde inte byggas: {exc}\n\n"
            "Bygg den med `.venv/bin/python -m etl build --input data/raw` och ladda om sidan."
        )
        return False
