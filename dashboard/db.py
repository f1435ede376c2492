"""The dashboard's database connection.

- The path comes from env STADSDEL_DB (default data/stadsdelar.duckdb in the project root).
- The file is opened read-only, so any number of app processes can read it while the ETL
  writes a new file next to it and os.replace()s it over the live one.
- Each query checks the file's (inode, mtime, size); when a rebuild replaced the file, a new
  connection is opened and the cached query results of the old file are no longer used.
- On first start, when the file is missing, it is built from the embedded documents
  (data/raw) with etl.build.build_database.

Queries run on a cursor of the shared connection (DuckDB connections are not thread-safe;
cursors are), through `run(query_function, *args)`, cached per file version.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Callable

import duckdb

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DB = ROOT / "data" / "stadsdelar.duckdb"
DEFAULT_INPUT = ROOT / "data" / "raw"

_build_lock = threading.Lock()


def db_path() -> Path:
    env = os.environ.get("STADSDEL_DB")
    return Path(env) if env else DEFAULT_DB


def input_dir() -> Path:
    env = os.environ.get("STADSDEL_INPUT")
    return Path(env) if env else DEFAULT_INPUT


def signature(path: Path) -> tuple[int, int, int] | None:
    """(inode, mtime_ns, size) of the file, or None when it does not exist."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def connect(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def build_if_missing(path: Path | None = None, source: Path | None = None,
                     progress: Callable[..., Any] | None = None) -> bool:
    """Build the database from the input folder when the file is missing.
    Returns True when a build ran. Raises RuntimeError when the ETL is not available."""
    path = path or db_path()
    source = source or input_dir()
    if path.exists():
        return False
    with _build_lock:
        if path.exists():
            return False
        try:
            from etl.build import build_database
        except ImportError as exc:  # the parser is not installed / not written yet
            raise RuntimeError(f"etl.build saknas: {exc}") from exc
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
    except Exception:
        pass


def _make_cached():
    st = _st()

    @st.cache_resource(show_spinner=False, max_entries=4, on_release=_close)
    def open_connection(path: str, sig: tuple) -> duckdb.DuckDBPyConnection:
        return connect(Path(path))

    @st.cache_data(show_spinner=False, max_entries=512)
    def cached_query(path: str, sig: tuple, name: str, args: tuple, kwargs: tuple):
        from dashboard import queries
        con = open_connection(path, sig)
        with con.cursor() as cur:
            return getattr(queries, name)(cur, *args, **dict(kwargs))

    return open_connection, cached_query


_cached = None


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


def run(query: Callable | str, *args, **kwargs):
    """Run a dashboard.queries function (or its name) on the current database file,
    cached per file version (a rebuilt file gets fresh results)."""
    name = query if isinstance(query, str) else query.__name__
    path, sig = current()
    _, cached_query = _cache()
    return cached_query(path, sig, name, tuple(args), tuple(sorted(kwargs.items())))


def ensure_database() -> bool:
    """For app.py: build the database with a progress message when it is missing.
    Returns False (after showing an error) when it cannot be built."""
    st = _st()
    path = db_path()
    if path.exists():
        return True
    try:
        with st.status(f"Bygger databasen från dokumenten i {input_dir()} …", expanded=True) as status:
            bar = st.progress(0.0)

            def progress(*a, **k):
                # build_database reports (done, total, message) or a message; show what we get
                done = next((x for x in a if isinstance(x, (int, float))), None)
                total = a[1] if len(a) > 1 and isinstance(a[1], (int, float)) else None
                text = next((x for x in a if isinstance(x, str)), None) or k.get("message")
                if done is not None and total:
                    bar.progress(min(1.0, float(done) / float(total)), text=text)
                elif text:
                    st.write(text)

            build_if_missing(path, input_dir(), progress=progress)
            status.update(label="Databasen är byggd.", state="complete", expanded=False)
        return True
    except Exception as exc:  # show the reason in the app instead of a stack trace
        st.error(
            f"Databasen {path} saknas och kunde inte byggas: {exc}\n\n"
            "Bygg den med `.venv/bin/python -m etl build --input data/raw` och ladda om sidan."
        )
        return False
