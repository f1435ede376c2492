"""The dashboard's connection layer while a rebuild swaps the database file under running
queries (dashboard/db.py): many threads (Streamlit's sessions) query at once, the file is
replaced every few milliseconds, and no query fails or reads a mix of two files."""
from __future__ import annotations

import os
import shutil
import threading
import time

import duckdb

from dashboard import db, document_queries


def _version(path, value: int) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE documents AS SELECT range AS document_id, ? AS version FROM range(2000)", [value])
    con.close()


def test_queries_of_many_sessions_survive_swaps_of_the_file(tmp_path):
    versions = []
    for v in range(1, 4):
        p = tmp_path / f"v{v}.duckdb"
        _version(p, v)
        versions.append(p)
    live = tmp_path / "live.duckdb"
    shutil.copy(versions[0], live)
    errors: list[str] = []
    seen: set[int] = set()
    stop = threading.Event()

    def session() -> None:
        while not stop.is_set():
            try:
                with db.pinned() as version, db.cursor(*version) as cur:
                    # two statements on one cursor: both must see the same file
                    a = cur.execute("SELECT min(version), max(version), count(*) FROM documents").fetchone()
                    time.sleep(0.002)                     # hold the connection while the file is swapped
                    b = cur.execute("SELECT min(version) FROM documents").fetchone()
                assert a[0] == a[1] == b[0] and a[2] == 2000, (a, b)
                seen.add(a[0])
            except Exception as e:                         # noqa: BLE001 - every failure counts
                errors.append(f"{type(e).__name__}: {e}")

    def swapper() -> None:
        k = 0
        while not stop.is_set():
            k += 1
            tmp = tmp_path / f"live.tmp{k}"
            shutil.copy(versions[k % len(versions)], tmp)
            os.replace(tmp, live)                          # as etl.store.build does
            time.sleep(0.01)

    old = os.environ.get("STADSDEL_DB")
    os.environ["STADSDEL_DB"] = str(live)
    try:
        threads = [threading.Thread(target=session) for _ in range(8)] + [threading.Thread(target=swapper)]
        for t in threads:
            t.start()
        time.sleep(3)
        stop.set()
        for t in threads:
            t.join()
    finally:
        if old is None:
            os.environ.pop("STADSDEL_DB", None)
        else:
            os.environ["STADSDEL_DB"] = old
    assert not errors, f"{len(errors)} failed queries, e.g. {errors[:3]}"
    assert seen == {1, 2, 3}                               # every version was read while it was live


def test_a_page_run_reads_one_generation_of_the_file(tmp_path, monkeypatch):
    """All queries of one page run (db.pinned, app.py) read the same file, also when a
    rebuild replaces it between two of them (the profile page once got its default district
    from one file and the district list from the next)."""
    from tests.dashboard_fixture import build_empty_db, build_fixture_db

    full, empty = build_fixture_db(tmp_path / "full.duckdb"), build_empty_db(tmp_path / "empty.duckdb")
    live = tmp_path / "live.duckdb"
    shutil.copy(full, live)
    monkeypatch.setenv("STADSDEL_DB", str(live))
    with db.pinned() as version:
        assert version is not None
        before = db.run(document_queries.districts)
        assert before
        shutil.copy(empty, tmp_path / "next.duckdb")
        os.replace(tmp_path / "next.duckdb", live)         # a rebuild swaps the file mid-run
        assert db.run(document_queries.districts) == before
    assert db.run(document_queries.districts) == []     # the next run reads the new file
