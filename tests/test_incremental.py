"""Incremental builds (unchanged files are not parsed again) and the atomic swap (a build killed
with SIGKILL leaves the previous database whole; its temporary file is cleaned up later)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

import etl.build
from etl.build import build_database

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
TABLES = ("documents", "goals", "indicator_values", "activities", "budget_lines", "sections", "warnings",
          "indicators", "indicator_matches")
SMALL = ("hagersten-alvsjo_enhet-liljeholmens-dagliga-verksamheter_verksamhetsplan_2021.txt",
         "kungsholmen_verksamhetsplan_2020.txt")


def snapshot(db: Path) -> dict:
    """Every table's rows (sorted), so two builds can be compared in full."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES}
    finally:
        con.close()


@pytest.fixture(autouse=True)
def no_search_index(monkeypatch):
    """The full-text index is built after parsing and plays no part here; skipping it halves the time."""
    monkeypatch.setattr(etl.build, "search_index", lambda con: None)


@pytest.fixture()
def corpus(tmp_path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for name in SMALL:
        (src / name).write_bytes((RAW / name).read_bytes())
    return src


@pytest.fixture()
def parse_calls(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = etl.build.parse_file

    def counting(path, root=None, registry=None):
        calls.append(Path(path).name)
        return real(path, root, registry)
    monkeypatch.setattr(etl.build, "parse_file", counting)
    return calls


def test_second_build_of_unchanged_input_parses_nothing(corpus, tmp_path, parse_calls):
    db = tmp_path / "db.duckdb"
    first = build_database(corpus, db)
    assert sorted(parse_calls) == sorted(SMALL) and first.reused == 0
    before = snapshot(db)
    parse_calls.clear()
    second = build_database(corpus, db)
    assert parse_calls == [] and second.reused == 2
    assert snapshot(db) == before
    assert [d.meta for d in second.documents] == [d.meta for d in first.documents]


def test_only_the_changed_file_is_parsed_again(corpus, tmp_path, parse_calls):
    db = tmp_path / "db.duckdb"
    build_database(corpus, db)
    parse_calls.clear()
    changed = corpus / SMALL[1]
    changed.write_bytes(changed.read_bytes().replace(b"0,7 %", b"0,9 %", 1))
    report = build_database(corpus, db)
    assert parse_calls == [SMALL[1]] and report.reused == 1
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM indicator_values WHERE target_raw = '0,9 %'").fetchone()[0] >= 1
    con.close()
    # the entry of the old version is pruned: one cache file per document
    assert len(list((tmp_path / "db.duckdb.parsed").glob("*.pickle"))) == 2


def test_sidecar_or_parser_change_invalidates(corpus, tmp_path, parse_calls, monkeypatch):
    db = tmp_path / "db.duckdb"
    build_database(corpus, db)
    parse_calls.clear()
    (corpus / (SMALL[1] + ".meta.json")).write_text('{"year": 2019}', encoding="utf-8")
    report = build_database(corpus, db)
    assert parse_calls == [SMALL[1]]
    assert {d.meta.year for d in report.loaded} == {2019, 2021}
    parse_calls.clear()
    import etl.parse_cache
    monkeypatch.setattr(etl.parse_cache, "parser_fingerprint", lambda: "a new parser")
    build_database(corpus, db)
    assert sorted(parse_calls) == sorted(SMALL)


def test_unreadable_cache_entries_are_parsed_again(corpus, tmp_path, parse_calls):
    db = tmp_path / "db.duckdb"
    build_database(corpus, db)
    before = snapshot(db)
    for f in (tmp_path / "db.duckdb.parsed").glob("*.pickle"):
        f.write_bytes(b"not a pickle")
    parse_calls.clear()
    build_database(corpus, db)
    assert sorted(parse_calls) == sorted(SMALL)
    assert snapshot(db) == before


def test_reuse_false_parses_everything(corpus, tmp_path, parse_calls):
    db = tmp_path / "db.duckdb"
    build_database(corpus, db)
    parse_calls.clear()
    build_database(corpus, db, reuse=False)
    assert sorted(parse_calls) == sorted(SMALL)
    parse_calls.clear()                     # ... and refreshes the cache for the next build
    assert build_database(corpus, db).reused == 2 and parse_calls == []


# --- atomic swap ----------------------------------------------------------------------------

SLOW_BUILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import etl.build

    real = etl.build.derived_stages
    def slow(con):
        # rows are loaded into the new file; stop here until killed
        Path(sys.argv[3]).write_text("loaded")
        time.sleep(120)
        return real(con)
    etl.build.derived_stages = slow
    etl.build.build_database(sys.argv[1], sys.argv[2])
""")


def test_sigkill_mid_build_leaves_the_old_database_whole(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "k.txt").write_bytes((RAW / SMALL[1]).read_bytes())
    db = tmp_path / "db.duckdb"
    build_database(src, db)
    before = snapshot(db)
    assert len(before["indicator_values"]) > 50
    # the next build has more input; it is killed after loading its rows into the new file
    (src / "l.txt").write_bytes((RAW / SMALL[0]).read_bytes())
    marker = tmp_path / "loaded"
    script = tmp_path / "slow_build.py"
    script.write_text(SLOW_BUILD, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(src), str(db), str(marker)], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, "the build ended before it was killed"
            assert time.monotonic() < deadline, "the build never reached the load stage"
            time.sleep(0.05)
        temps = list(tmp_path.glob("db.duckdb.tmp*"))
        assert temps, "the build writes a separate new file"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    # the live database is the old one, complete, and opens as before
    assert snapshot(db) == before
    assert list(tmp_path.glob("db.duckdb.tmp*"))          # the killed build's leftovers ...
    report = build_database(src, db)                       # ... are removed by the next build
    assert not list(tmp_path.glob("db.duckdb.tmp*"))
    assert report.counts["documents"] == 2
    assert len(snapshot(db)["documents"]) == 2


def test_a_running_builds_temp_file_is_not_removed(tmp_path):
    """Only leftovers of dead processes are cleaned up; a concurrent build keeps its file."""
    db = tmp_path / "db.duckdb"
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        mine = tmp_path / f"db.duckdb.tmp{alive.pid}-abc123"
        mine.write_bytes(b"x")
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        stale = tmp_path / f"db.duckdb.tmp{dead.pid}-def456"
        stale.write_bytes(b"x")
        Path(f"{stale}.wal").write_bytes(b"x")
        removed = etl.build.remove_stale_temp_files(db)
        assert sorted(p.name for p in removed) == sorted([stale.name, stale.name + ".wal"])
        assert mine.exists()
    finally:
        alive.kill()
        alive.wait()
