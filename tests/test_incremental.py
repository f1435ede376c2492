"""Incremental builds (unchanged files are neither parsed nor loaded again, and the result
equals a full build) and the atomic swap (a build killed with SIGKILL leaves the previous
database whole; its temporary file is cleaned up later)."""
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

import etl.store.build
import etl.store.parse_workers
import etl.store.reuse
import etl.store.target
from etl.store.build import build_database

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
SMALL = ("hagersten-alvsjo_enhet-liljeholmens-dagliga-verksamheter_verksamhetsplan_2021.txt",
         "kungsholmen_verksamhetsplan_2020.txt", "norrmalm_verksamhetsberattelse_2021.txt")
# Each table's content without its surrogate ids (an incremental build numbers new rows after
# the old ones): what a user sees must not depend on how the database was built.
CONTENT = {
    "documents": "SELECT district, year, doc_type, level, unit_name, source_file, sha256, text_flavour, detected_by, n_lines FROM documents",
    "goals": "SELECT d.source_file, g.level, g.code, g.text, g.assessment, g.parent_code, p.code, s.heading, g.source_line "
             "FROM goals g JOIN documents d USING (document_id) LEFT JOIN goals p ON p.goal_id = g.parent_goal_id "
             "LEFT JOIN sections s ON s.section_id = g.section_id",
    "indicator_values": "SELECT d.source_file, v.* EXCLUDE (value_id, document_id, goal_id, section_id), g.code, g.text, s.heading "
                        "FROM indicator_values v JOIN documents d USING (document_id) LEFT JOIN goals g USING (goal_id) "
                        "LEFT JOIN sections s ON s.section_id = v.section_id",
    "activities": "SELECT d.source_file, a.* EXCLUDE (activity_id, document_id, goal_id) FROM activities a JOIN documents d USING (document_id)",
    "budget_lines": "SELECT d.source_file, b.* EXCLUDE (budget_line_id, document_id) FROM budget_lines b JOIN documents d USING (document_id)",
    "sections": "SELECT d.source_file, s.* EXCLUDE (section_id, document_id) FROM sections s JOIN documents d USING (document_id)",
    "warnings": "SELECT source_file, stage, message, source_line FROM warnings",
    "indicators": "SELECT * FROM indicators",
    "indicator_matches": "SELECT * FROM indicator_matches",
    "kf_target_checks": "SELECT c.* EXCLUDE (value_id), v.name, v.source_line FROM kf_target_checks c LEFT JOIN indicator_values v USING (value_id)",
    "search": "SELECT d.source_file, s.source_line_start, p.term_id, p.tf, l.n_terms FROM search_postings p "
              "JOIN search_lengths l USING (section_id) JOIN sections s USING (section_id) JOIN documents d USING (document_id)",
    "build_files": "SELECT source_file, file_key, document_id IS NULL FROM build_files",
}


def snapshot(db: Path) -> dict:
    """Every table's content (sorted), so two builds can be compared in full."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: sorted(map(repr, con.execute(sql).fetchall())) for t, sql in CONTENT.items()}
    finally:
        con.close()


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
    real = etl.store.parse_workers.parse_file

    def counting(path, root=None, registry=None):
        calls.append(Path(path).name)
        return real(path, root, registry)
    monkeypatch.setattr(etl.store.parse_workers, "parse_file", counting)
    return calls


def full_build(src: Path, tmp_path: Path) -> dict:
    db = tmp_path / f"full-{len(list(tmp_path.iterdir()))}.duckdb"
    build_database(src, db, reuse=False)
    return snapshot(db)


def test_second_build_of_unchanged_input_parses_nothing(corpus, tmp_path, parse_calls):
    db = tmp_path / "db.duckdb"
    first = build_database(corpus, db)
    assert sorted(parse_calls) == sorted(SMALL) and first.reused == 0 and not first.incremental
    before = snapshot(db)
    parse_calls.clear()
    second = build_database(corpus, db)
    assert parse_calls == [] and second.reused == 3 and second.incremental
    assert snapshot(db) == before
    assert [(d.source_file, d.meta, d.counts, d.warnings) for d in second.documents] == \
        [(d.source_file, d.meta, d.counts, d.warnings) for d in first.documents]
    assert all(d.reused for d in second.documents)


def test_a_changed_file_is_parsed_again_and_the_result_equals_a_full_build(corpus, tmp_path, parse_calls):
    db = tmp_path / "db.duckdb"
    build_database(corpus, db)
    parse_calls.clear()
    changed = corpus / SMALL[1]
    changed.write_bytes(changed.read_bytes().replace(b"0,7 %", b"0,9 %", 1))
    report = build_database(corpus, db)
    assert parse_calls == [SMALL[1]] and report.reused == 2
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM indicator_values WHERE target_raw = '0,9 %'").fetchone()[0] >= 1
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 3
    con.close()
    assert snapshot(db) == full_build(corpus, tmp_path)


def test_removed_and_added_files(corpus, tmp_path, parse_calls):
    db = tmp_path / "db.duckdb"
    build_database(corpus, db)
    (corpus / SMALL[2]).unlink()
    (corpus / "not-a-plan.txt").write_text("Kanelbullar\nSmör och socker.\n", encoding="utf-8")
    parse_calls.clear()
    report = build_database(corpus, db)
    assert parse_calls == ["not-a-plan.txt"] and [d.source_file for d in report.skipped] == ["not-a-plan.txt"]
    got = snapshot(db)
    assert not any("norrmalm" in row for rows in got.values() for row in rows)   # nothing of it is left
    assert got == full_build(corpus, tmp_path)


def test_identities_and_kf_targets_are_recomputed_over_all_documents(corpus, tmp_path):
    """Cross-document results (indicator identities, KF:s årsmål filled from other districts)
    follow the documents that are in the database now, also after an incremental build."""
    db = tmp_path / "db.duckdb"
    build_database(corpus, db)
    (corpus / SMALL[1]).unlink()                    # the plan that printed KF:s årsmål
    build_database(corpus, db)
    assert snapshot(db) == full_build(corpus, tmp_path)
    (corpus / SMALL[1]).write_bytes((RAW / SMALL[1]).read_bytes())
    build_database(corpus, db)
    assert snapshot(db) == full_build(corpus, tmp_path)


def test_sidecar_or_code_change_invalidates(corpus, tmp_path, parse_calls, monkeypatch):
    db = tmp_path / "db.duckdb"
    build_database(corpus, db)
    parse_calls.clear()
    (corpus / (SMALL[1] + ".meta.json")).write_text('{"year": 2019}', encoding="utf-8")
    report = build_database(corpus, db)
    assert parse_calls == [SMALL[1]]
    assert {d.meta.year for d in report.loaded} == {2019, 2021}
    parse_calls.clear()
    monkeypatch.setattr(etl.store.reuse, "code_fingerprint", lambda: "a new parser")
    report = build_database(corpus, db)
    assert sorted(parse_calls) == sorted(SMALL) and not report.incremental


def test_an_unreadable_previous_database_means_a_full_build(corpus, tmp_path, parse_calls):
    db = tmp_path / "db.duckdb"
    build_database(corpus, db)
    before = snapshot(db)
    db.write_bytes(b"not a database")
    parse_calls.clear()
    report = build_database(corpus, db)
    assert sorted(parse_calls) == sorted(SMALL) and not report.incremental
    assert snapshot(db) == before


def change(path: Path, n: int) -> None:
    path.write_bytes(path.read_bytes().replace(b" %", b"  %", n))


def test_the_previous_generation_is_updated_in_place(corpus, tmp_path, parse_calls):
    """After two builds the replaced database is kept as a standby; the next build updates it
    in place (no copy of the live file) and the result still equals a full build."""
    db = tmp_path / "db.duckdb"
    assert build_database(corpus, db).base == "new"
    change(corpus / SMALL[1], 1)
    assert build_database(corpus, db).base == "copy"          # the standby was built by nothing yet
    assert etl.store.target.standby_path(db).exists()
    change(corpus / SMALL[0], 1)
    parse_calls.clear()
    report = build_database(corpus, db)
    # the standby lags one build: it re-reads the file changed in the last build too
    assert report.base == "standby" and sorted(parse_calls) == sorted(SMALL[:2])
    assert snapshot(db) == full_build(corpus, tmp_path)
    assert sorted(p.name for p in tmp_path.glob("db.duckdb*")) == ["db.duckdb", "db.duckdb.standby"]


HOLD = "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); print('open', flush=True); time.sleep(60)"


def test_a_standby_still_read_by_an_app_is_not_touched(corpus, tmp_path):
    db = tmp_path / "db.duckdb"
    build_database(corpus, db)
    change(corpus / SMALL[1], 1)
    build_database(corpus, db)
    standby = etl.store.target.standby_path(db)
    reader = subprocess.Popen([sys.executable, "-c", HOLD, str(standby)], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "open"
        change(corpus / SMALL[0], 1)
        assert build_database(corpus, db).base == "copy"
    finally:
        reader.kill()
        reader.wait()
    assert snapshot(db) == full_build(corpus, tmp_path)


def test_a_standby_open_in_this_process_is_not_touched(corpus, tmp_path):
    """An app that rebuilds after an upload may still read the replaced file itself; file locks
    do not keep a process from its own file, so the build checks its open files."""
    db = tmp_path / "db.duckdb"
    build_database(corpus, db)
    reader = duckdb.connect(str(db), read_only=True)          # the app's connection, before the rebuild
    try:
        change(corpus / SMALL[1], 1)
        build_database(corpus, db)                            # db -> standby, still open here
        change(corpus / SMALL[0], 1)
        assert build_database(corpus, db).base == "copy"
        assert reader.execute("SELECT count(*) FROM documents").fetchone()[0] == 3
    finally:
        reader.close()
    assert build_database(corpus, db).base == "standby"


def test_a_failed_update_in_place_leaves_the_standby_as_it_was(corpus, tmp_path, monkeypatch):
    db = tmp_path / "db.duckdb"
    build_database(corpus, db)
    change(corpus / SMALL[1], 1)
    build_database(corpus, db)
    live = snapshot(db)
    change(corpus / SMALL[0], 1)
    real = etl.store.build.derived_stages

    def boom(con):
        raise RuntimeError("disk full")
    monkeypatch.setattr(etl.store.build, "derived_stages", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        build_database(corpus, db)
    assert snapshot(db) == live                                # the live database is untouched
    monkeypatch.setattr(etl.store.build, "derived_stages", real)
    assert build_database(corpus, db).base == "standby"       # the rolled-back standby is still usable
    assert snapshot(db) == full_build(corpus, tmp_path)


def test_reuse_false_parses_everything(corpus, tmp_path, parse_calls):
    db = tmp_path / "db.duckdb"
    build_database(corpus, db)
    parse_calls.clear()
    build_database(corpus, db, reuse=False)
    assert sorted(parse_calls) == sorted(SMALL)
    parse_calls.clear()                     # ... and the next build reuses its result again
    assert build_database(corpus, db).reused == 3 and parse_calls == []


# --- atomic swap ----------------------------------------------------------------------------

SLOW_BUILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import etl.store.build

    real = etl.store.build.derived_stages
    def slow(con):
        # rows are loaded into the new file; stop here until killed
        Path(sys.argv[3]).write_text("loaded")
        time.sleep(120)
        return real(con)
    etl.store.build.derived_stages = slow
    etl.store.build.build_database(sys.argv[1], sys.argv[2])
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
        removed = etl.store.target.remove_stale_temp_files(db)
        assert sorted(p.name for p in removed) == sorted([stale.name, stale.name + ".wal"])
        assert mine.exists()
    finally:
        alive.kill()
        alive.wait()


def _children(pid: int) -> list[int]:
    """The process's descendants (from /proc)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = [], [pid]
    while todo:
        kids = parents.get(todo.pop(), [])
        out += kids
        todo += kids
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_killed_parallel_build_leaves_no_worker_behind(tmp_path):
    """SIGKILL a build on several cores while its workers parse: the forkserver and the
    workers end too (they do not run on holding the caller's pipes)."""
    src = tmp_path / "in"
    src.mkdir()
    text = (RAW / SMALL[0]).read_text(encoding="utf-8")
    for k in range(150):                                   # > PARALLEL_MIN_BYTES: the parallel path
        (src / f"doc{k:02d}.txt").write_text(text + f"\nKopia {k}\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from etl.store.build import build_database; "
                             "build_database(sys.argv[1], sys.argv[2])", str(src), str(tmp_path / "db.duckdb")],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 60
        kids: list[int] = []
        while len(kids) < 3:                               # the forkserver and its workers
            assert proc.poll() is None and time.monotonic() < deadline, "no workers started"
            time.sleep(0.05)
            kids = _children(proc.pid)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [k for k in kids if _alive(k)]
    for k in left:
        os.kill(k, signal.SIGKILL)
    assert not left, f"{len(left)} of {len(kids)} worker processes outlived the build"
