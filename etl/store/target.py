"""The file a build writes and the atomic swap: the standby updated in place, a copy of the
live database, or a new file; os.replace over the live file, the old one kept as the
standby; temporary files of killed builds removed."""
from __future__ import annotations

import glob
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from etl.store.reuse import previous_files

MEMORY_LIMIT = "300MB"           # DuckDB's working memory during a build (it spills beyond this)


def standby_path(db_path: Path) -> Path:
    """The previous generation of the database, kept after a swap to be updated in place."""
    return db_path.with_name(db_path.name + ".standby")


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
