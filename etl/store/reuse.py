"""What a build can reuse: an earlier database written by the same code (a fingerprint of
the code, the schema and the parser's data files, in build_info) and, in it, the input files
unchanged since (sha256, path, side-car)."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import duckdb

from etl import settings

OVERRIDES = settings.DATA_DIR / "indicator_overrides.csv"


PARSER_DATA = ("districts.csv", "activity_areas.csv")     # data files the parse reads


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
