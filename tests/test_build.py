"""The build on the embedded documents, and bad input that must not lose anything."""
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from etl.cli.main import cli
from etl.store.build import build_database

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"


def test_seed_documents_are_detected(seed_con):
    rows = seed_con.execute(
        "SELECT district, year, doc_type, level, unit_name FROM documents ORDER BY district, year, level").fetchall()
    assert rows == [
        ("Enskede-Årsta-Vantör", 2021, "verksamhetsplan", "namnd", None),
        ("Hägersten-Älvsjö", 2021, "verksamhetsplan", "enhet", "Liljeholmens dagliga verksamheter"),
        ("Hägersten-Älvsjö", 2025, "verksamhetsplan", "namnd", None),
        ("Kungsholmen", 2020, "verksamhetsplan", "namnd", None),
        ("Norrmalm", 2021, "verksamhetsberattelse", "namnd", None),
    ]


def test_document_sha256_is_of_the_raw_bytes(seed_con):
    import hashlib
    for source_file, sha in seed_con.execute("SELECT source_file, sha256 FROM documents").fetchall():
        assert hashlib.sha256((RAW / source_file).read_bytes()).hexdigest() == sha


def test_every_value_has_provenance_inside_its_document(seed_con):
    bad = seed_con.execute("""
        SELECT count(*) FROM indicator_values v JOIN documents d USING (document_id)
        WHERE v.source_line IS NULL OR v.source_line < 1 OR v.source_line > (SELECT max(n_lines) * 10 FROM documents)
    """).fetchone()[0]
    assert bad == 0
    # the cited line really holds the start of the printed name
    for source_file, line, name in seed_con.execute("""
            SELECT d.source_file, v.source_line, v.name FROM indicator_values v JOIN documents d USING (document_id)
            USING SAMPLE 40 ROWS""").fetchall():
        text = (RAW / source_file).read_text(encoding="utf-8").split("\n")[line - 1]
        first_word = name.split()[0].strip("*")
        assert first_word in text, (source_file, line, name)


def test_report_values_and_goal_assessments(seed_con):
    row = seed_con.execute("""
        SELECT outcome, outcome_men, outcome_women, prior_outcome, prior_year, target, kf_target, unit, kf_goal_code
        FROM indicator_values v JOIN documents d USING (document_id)
        WHERE d.doc_type = 'verksamhetsberattelse' AND v.name = 'Andel barn som lever i familjer som har ekonomiskt bistånd'
    """).fetchall()
    assert row == [(1.3, None, None, 1.3, 2020, 0.8, 2.7, "%", "1.1")]
    grades = dict(seed_con.execute("""
        SELECT assessment, count(*) FROM goals g JOIN documents d USING (document_id)
        WHERE d.doc_type = 'verksamhetsberattelse' AND g.level IN ('kf_mal', 'namndmal') GROUP BY 1""").fetchall())
    assert grades.get("delvis", 0) >= 2 and grades.get("helt", 0) > 20 and None not in grades


def test_goal_hierarchy_codes_and_parents(seed_con):
    rows = seed_con.execute("""
        SELECT g.code, g.parent_code, g.level FROM goals g JOIN documents d USING (document_id)
        WHERE d.district = 'Enskede-Årsta-Vantör' AND g.code IN ('1', '1.1', '1.1.1')
        ORDER BY g.code""").fetchall()
    assert rows == [("1", None, "inriktningsmal"), ("1.1", "1", "kf_mal"), ("1.1.1", "1.1", "namndmal")]


def test_activities_have_dates(seed_con):
    n, dated = seed_con.execute(
        "SELECT count(*), count(*) FILTER (WHERE start_date LIKE '20__-__-__' AND end_date LIKE '20__-__-__') FROM activities"
    ).fetchone()
    assert n > 300 and dated == n


def test_broken_and_foreign_files_are_reported_and_skipped(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "kungsholmen.txt").write_bytes((RAW / "kungsholmen_verksamhetsplan_2020.txt").read_bytes())
    (src / "empty.txt").write_bytes(b"")
    (src / "junk.txt").write_bytes(bytes(range(256)) * 20)
    (src / "recipe.txt").write_text("Kanelbullar\nSmör, socker och kanel.\n", encoding="utf-8")
    report = build_database(src, tmp_path / "db.duckdb")
    assert [d.source_file for d in report.loaded] == ["kungsholmen.txt"]
    skipped = {d.source_file: d.warnings[0].message for d in report.skipped}
    assert set(skipped) == {"empty.txt", "junk.txt", "recipe.txt"}
    assert "empty" in skipped["empty.txt"] and "could not detect" in skipped["recipe.txt"]
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM warnings WHERE document_id IS NULL").fetchone()[0] == 3
    assert con.execute("SELECT count(*) FROM indicator_values").fetchone()[0] > 50


def test_failed_build_keeps_the_previous_database(tmp_path, monkeypatch):
    db = tmp_path / "db.duckdb"
    src = tmp_path / "in"
    src.mkdir()
    (src / "k.txt").write_bytes((RAW / "kungsholmen_verksamhetsplan_2020.txt").read_bytes())
    build_database(src, db)
    import etl.store.build

    def boom(con):
        raise RuntimeError("disk full")
    monkeypatch.setattr(etl.store.build, "derived_stages", boom)
    (src / "n.txt").write_bytes((RAW / "norrmalm_verksamhetsberattelse_2021.txt").read_bytes())
    for reuse in (True, False):            # an incremental and a full build fail alike
        with pytest.raises(RuntimeError, match="disk full"):
            build_database(src, db, reuse=reuse)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    assert not list(tmp_path.glob("db.duckdb.tmp*"))


def test_sidecar_overrides_detection(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "doc.txt").write_bytes((RAW / "kungsholmen_verksamhetsplan_2020.txt").read_bytes())
    (src / "doc.txt.meta.json").write_text('{"district": "Östermalm", "year": 2019}', encoding="utf-8")
    report = build_database(src, tmp_path / "db.duckdb")
    m = report.loaded[0].meta
    assert (m.district, m.year, m.doc_type, m.detected_by) == ("Östermalm", 2019, "verksamhetsplan", "sidecar")


def test_cli_build_and_inspect(tmp_path):
    runner = CliRunner()
    res = runner.invoke(cli, ["build", "--input", str(RAW), "--db", str(tmp_path / "x.duckdb"), "--quiet"])
    assert res.exit_code == 0, res.output
    assert "5 dokument" in res.output
    res = runner.invoke(cli, ["inspect", str(RAW / "norrmalm_verksamhetsberattelse_2021.txt")])
    assert res.exit_code == 0
    assert "Norrmalm · verksamhetsberattelse 2021" in res.output
    assert "uppfylls delvis" in res.output
    res = runner.invoke(cli, ["build", "--input", str(tmp_path / "missing"), "--db", str(tmp_path / "y.duckdb")])
    assert res.exit_code != 0 and "not found" in res.output


def test_goal_codes_are_unique_per_document_and_toc_is_skipped(seed_con):
    # a table of contents ("KF:s mål … ..... 43") must not create a second set of goals
    dupes = seed_con.execute("""
        SELECT document_id, code, count(*) FROM goals WHERE code IS NOT NULL
        GROUP BY ALL HAVING count(*) > 1""").fetchall()
    assert dupes == []
    texts = [t for (t,) in seed_con.execute("SELECT text FROM goals").fetchall()]
    assert not any("....." in t for t in texts)


def test_goal_text_is_not_extended_by_the_next_heading(seed_con):
    texts = {t for (t,) in seed_con.execute("SELECT text FROM goals WHERE code = '1.2' AND level = 'kf_mal'").fetchall()}
    assert "Stockholm är en trygg, säker och välskött stad att bo och vistas i" in texts
    assert not any(t.endswith(("Agenda 2030", "Beskrivning")) for t in texts)


UNGUARDED = """
from pathlib import Path
import sys
print("module ran", flush=True)            # at import: a worker that re-imported __main__ prints it too
from etl.store.parse_workers import parse_stream
docs = [d for _, d in parse_stream(sorted(Path(sys.argv[1]).iterdir()), Path(sys.argv[1]))]
print("parsed", sum(d.meta is not None for d in docs), flush=True)
"""


def test_parallel_parse_workers_do_not_import_the_callers_main_module(tmp_path):
    """Streamlit runs the app page as __main__; parse workers must not run it again (they did:
    each worker ran the app and started a build of its own). A plain unguarded script stands in."""
    import subprocess
    import sys

    import etl.store.parse_workers

    src = tmp_path / "in"
    src.mkdir()
    for i in range(4):                       # > PARALLEL_MIN_BYTES: the worker pool is used
        for f in RAW.iterdir():
            (src / f"{i}-{f.name}").write_bytes(f.read_bytes())
    assert sum(f.stat().st_size for f in src.iterdir()) >= etl.store.parse_workers.PARALLEL_MIN_BYTES
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED, encoding="utf-8")
    root = Path(__file__).resolve().parent.parent
    res = subprocess.run([sys.executable, str(script), str(src)], cwd=root, capture_output=True, text=True,
                         env={**__import__("os").environ, "PYTHONPATH": str(root)}, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.splitlines() == ["module ran", "parsed 20"]


def test_entries_that_are_not_read_are_reported_each_with_its_reason(tmp_path):
    """Nothing in the input folder is passed over silently, and links out of it are refused."""
    import os

    from click.testing import CliRunner

    from etl.cli.main import cli

    src = tmp_path / "in"
    src.mkdir()
    (src / "k.txt").write_bytes((RAW / "kungsholmen_verksamhetsplan_2020.txt").read_bytes())
    (src / "arkiv.zip").write_bytes(b"PK\x03\x04")
    (src / "bild.png").write_bytes(b"\x89PNG\r\n")
    (src / ".utkast.txt").write_text("dold", encoding="utf-8")
    (src / ".git").mkdir()
    (src / ".git" / "x.txt").write_text("inne i en dold mapp", encoding="utf-8")
    (src / "gammal.txt.meta.json").write_text('{"year": 2020}', encoding="utf-8")
    os.symlink(tmp_path / "finns-inte.txt", src / "trasig-lank.txt")
    outside = tmp_path / "utanfor.txt"
    outside.write_bytes((RAW / "kungsholmen_verksamhetsplan_2020.txt").read_bytes())
    os.symlink(outside, src / "lank-ut.txt")
    os.mkfifo(src / "ror.txt")
    (src / "rad\nbryt\x1b[31m.zip").write_bytes(b"x")
    report = build_database(src, tmp_path / "db.duckdb")
    assert [d.source_file for d in report.loaded] == ["k.txt"]
    why = dict(report.ignored)
    assert "inte ett dokument" in why["arkiv.zip"] and "inte ett dokument" in why["bild.png"]
    assert "dold fil" in why[".utkast.txt"] and "dold mapp" in why[".git"] and ".git/x.txt" not in why
    assert "side-car utan sitt dokument" in why["gammal.txt.meta.json"]
    assert "leder ingenstans" in why["trasig-lank.txt"] or "inte leder någonstans" in why["trasig-lank.txt"]
    assert "ut ur mappen" in why["lank-ut.txt"]
    assert "inte en vanlig fil" in why["ror.txt"]
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    rows = con.execute("SELECT source_file, message FROM warnings WHERE stage = 'input' ORDER BY 1").fetchall()
    con.close()
    assert {r[0] for r in rows} == set(why)
    # an incremental build reports them again, once
    build_database(src, tmp_path / "db.duckdb")
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM warnings WHERE stage = 'input'").fetchone()[0] == len(why)
    con.close()
    # the command line prints every one, control characters escaped
    out = CliRunner().invoke(cli, ["build", "--input", str(src), "--db", str(tmp_path / "db2.duckdb"), "--quiet"])
    assert out.exit_code == 0, out.output
    assert "IGNORE lank-ut.txt" in out.output and "rad\\nbryt\\x1b[31m.zip" in out.output
    assert "\x1b" not in out.output
