"""Are two built databases the same, table by table? The check behind every refactoring.

    .venv/bin/python -m etl build --input CORPUS --db /tmp/before.duckdb --full --quiet  # old code
    .venv/bin/python -m etl build --input CORPUS --db /tmp/after.duckdb --full --quiet   # new code
    .venv/bin/python -m bench.compare_databases /tmp/before.duckdb /tmp/after.duckdb

Every table of both files is read whole, its rows sorted by their repr and compared; the
times of the build (and build_info's values, which hold them) are left out. Prints one line
per table with both row counts and exits 1 when a table differs or exists in one file only.
A corpus worth comparing on: data/raw, ``python -m bench.generate --n 60`` and the council
PDFs of ``python -m bench.council_pdf`` in one folder.
"""
from __future__ import annotations

import sys

import duckdb

TIMES = {"built_at", "loaded_at", "created_at", "build_seconds"}


def table_rows(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    cols = [r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_name = ? "
        "order by ordinal_position", [table]).fetchall()]
    skip = TIMES | ({"value"} if table == "build_info" else set())
    listed = ", ".join(f'"{c}"' for c in cols if c not in skip)
    return sorted(map(repr, con.execute(f'select {listed} from "{table}"').fetchall()))


def tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute(
        "select table_name from information_schema.tables where table_schema = 'main'").fetchall()}


def compare(before: str, after: str) -> int:
    a = duckdb.connect(before, read_only=True)
    b = duckdb.connect(after, read_only=True)
    ta, tb = tables(a), tables(b)
    different = len(ta ^ tb)
    for name in sorted(ta ^ tb):
        print(f"{name:28} only in {'the first' if name in ta else 'the second'} file")
    for name in sorted(ta & tb):
        ra, rb = table_rows(a, name), table_rows(b, name)
        same = ra == rb
        different += not same
        print(f"{name:28} {len(ra):9} {len(rb):9}  {'same' if same else 'DIFFERENT'}")
    print(f"tables that differ: {different}")
    return 1 if different else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(compare(sys.argv[1], sys.argv[2]))
