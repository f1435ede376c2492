"""Adding documents (etl.store.add.add_files and `python -m etl add`): nothing is written before a
file passes validation; duplicates and second documents for the same district/year/kind are
caught; the database is rebuilt incrementally."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

import etl.store.build
import etl.store.parse_workers
from etl.cli.main import cli
from etl.store.add import add_files
from tests.test_bad_input import docx_bytes
from tests.test_pdf import excerpt, pdf_of_excerpt

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
LILJEHOLMEN = "hagersten-alvsjo_enhet-liljeholmens-dagliga-verksamheter_verksamhetsplan_2021.txt"
KUNGSHOLMEN = "kungsholmen_verksamhetsplan_2020.txt"


@pytest.fixture()
def library(tmp_path):
    lib = tmp_path / "raw"
    lib.mkdir()
    (lib / LILJEHOLMEN).write_bytes((RAW / LILJEHOLMEN).read_bytes())
    db = tmp_path / "db.duckdb"
    etl.store.build.build_database(lib, db)
    return lib, db


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def documents(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT source_file, district, year FROM documents ORDER BY source_file").fetchall()
    finally:
        con.close()


def test_add_stores_and_rebuilds_parsing_only_the_new_file(library, monkeypatch):
    lib, db = library
    parsed = []
    real = etl.store.parse_workers.parse_file
    monkeypatch.setattr(etl.store.parse_workers, "parse_file", lambda p, *a: parsed.append(Path(p).name) or real(p, *a))
    report = add_files([("Kungsholmen VP 2020.txt", (RAW / KUNGSHOLMEN).read_bytes())], lib, db)
    [r] = report.results
    assert (r.status, r.stored_as) == ("added", "kungsholmen-vp-2020.txt")
    assert (r.meta.district, r.meta.year) == ("Kungsholmen", 2020)
    assert parsed == ["kungsholmen-vp-2020.txt"] and report.build.reused == 1
    assert documents(db) == [(LILJEHOLMEN, "Hägersten-Älvsjö", 2021), ("kungsholmen-vp-2020.txt", "Kungsholmen", 2020)]
    assert not [n for n in listing(lib) if n.startswith(".incoming")]


def test_pdf_upload(library):
    lib, db = library
    data, rows, _ = pdf_of_excerpt(excerpt(KUNGSHOLMEN, 1, 500), "plan")
    [r] = add_files([("plan.pdf", data)], lib, db).results
    assert r.status == "added" and r.stored_as == "plan.pdf"
    con = duckdb.connect(str(db), read_only=True)
    n = con.execute("SELECT count(source_page) FROM indicator_values v JOIN documents d USING (document_id) "
                    "WHERE d.source_file = 'plan.pdf'").fetchone()[0]
    con.close()
    assert n == len(rows) > 5


def test_exact_duplicate_is_not_written_again(library):
    lib, db = library
    before = listing(lib)
    [r] = add_files([("kopia.txt", (RAW / LILJEHOLMEN).read_bytes())], lib, db).results
    assert r.status == "duplicate" and r.existing == LILJEHOLMEN
    assert listing(lib) == before


@pytest.mark.parametrize("name,data,reason", [
    ("plan.pdf", docx_bytes(), "Word"),
    ("plan.pdf", b"<html><body>Sidan finns inte</body></html>", "HTML"),
    ("tom.txt", b"", "tom fil"),
    ("recept.txt", "Kanelbullar\nSmör och socker.\n".encode(), "could not detect"),
    ("skrap.md", bytes(range(256)) * 10, "binär"),
])
def test_invalid_uploads_are_rejected_before_anything_is_written(library, name, data, reason):
    lib, db = library
    before = listing(lib)
    report = add_files([(name, data)], lib, db)
    [r] = report.results
    assert r.status == "rejected" and reason.lower() in r.message.lower() and name in r.message
    assert listing(lib) == before and report.build is None


def test_size_limit(library):
    lib, db = library
    [r] = add_files([("stor.txt", (RAW / KUNGSHOLMEN).read_bytes())], lib, db, max_bytes=100_000).results
    assert r.status == "rejected" and "för stor" in r.message


def test_hostile_file_name_stays_inside_the_library(library):
    lib, db = library
    [r] = add_files([("../../Kungsholmen 2020.txt", (RAW / KUNGSHOLMEN).read_bytes())], lib, db, build=False).results
    assert r.stored_as == "kungsholmen-2020.txt" and (lib / "kungsholmen-2020.txt").exists()
    assert [n for n in listing(lib.parent) if not n.startswith(("raw/", "db.duckdb"))] == []
    assert not list(lib.parent.parent.glob("*.txt"))


def second_version() -> bytes:
    """The same plan, revised: another text for one target."""
    return (RAW / LILJEHOLMEN).read_bytes().replace(b"\n", b"\n\n", 3)


def test_same_district_year_kind_asks_first(library):
    lib, db = library
    before = listing(lib)
    [r] = add_files([("ny.txt", second_version())], lib, db).results
    assert r.status == "conflict" and r.existing == LILJEHOLMEN and "Välj" in r.message
    assert listing(lib) == before


def test_replace_moves_the_old_file_aside(library):
    lib, db = library
    [r] = add_files([("ny.txt", second_version())], lib, db, on_duplicate={"ny.txt": "replace"}).results
    assert r.status == "replaced" and r.existing == LILJEHOLMEN
    assert listing(lib) == ["ny.txt"]
    assert (lib.parent / "raw_replaced" / LILJEHOLMEN).read_bytes() == (RAW / LILJEHOLMEN).read_bytes()
    assert documents(db) == [("ny.txt", "Hägersten-Älvsjö", 2021)]


def test_keep_both_as_versions(library):
    lib, db = library
    [r] = add_files([("ny.txt", second_version())], lib, db, on_duplicate="keep").results
    assert r.status == "version" and r.stored_as == "ny-v2.txt"
    assert [d[0] for d in documents(db)] == [LILJEHOLMEN, "ny-v2.txt"]
    con = duckdb.connect(str(db), read_only=True)
    msg = con.execute("SELECT message FROM warnings WHERE message LIKE '%versions%'").fetchall()
    con.close()
    assert msg and LILJEHOLMEN in msg[0][0] and "ny-v2.txt" in msg[0][0]


def test_two_uploads_of_the_same_plan_in_one_batch(library):
    lib, db = library
    kungsholmen = (RAW / KUNGSHOLMEN).read_bytes()
    results = add_files([("a.txt", kungsholmen), ("b.txt", kungsholmen.replace(b"\n", b"\n\n", 2))], lib, db).results
    assert [r.status for r in results] == ["added", "conflict"] and results[1].existing == "a.txt"


def test_cli_add(library, tmp_path):
    lib, db = library
    f = tmp_path / "Kungsholmen.txt"
    f.write_bytes((RAW / KUNGSHOLMEN).read_bytes())
    runner = CliRunner()
    args = ["add", str(f), "--input", str(lib), "--db", str(db)]
    res = runner.invoke(cli, args)
    assert res.exit_code == 0, res.output
    assert "tillagd" in res.output and "2 dokument" in res.output
    g = tmp_path / "Kungsholmen ny.txt"
    g.write_bytes(f.read_bytes().replace(b"\n", b"\n\n", 2))
    res = runner.invoke(cli, ["add", str(g), "--input", str(lib), "--db", str(db)])
    assert res.exit_code == 1 and "--replace" in res.output
    res = runner.invoke(cli, ["add", str(g), "--input", str(lib), "--db", str(db), "--keep-both"])
    assert res.exit_code == 0 and "ny version" in res.output


def test_a_file_stored_but_not_loaded_is_loaded_by_the_next_add(library):
    """An add killed between storing the file and rebuilding leaves the library ahead of the
    database; adding the same file again loads it (it is not just "finns redan")."""
    lib, db = library
    data = (RAW / KUNGSHOLMEN).read_bytes()
    first = add_files([(KUNGSHOLMEN, data)], lib, db, build=False)       # as if killed before the build
    assert first.results[0].status == "added" and first.build is None
    assert [d[0] for d in documents(db)] == [LILJEHOLMEN]
    again = add_files([(KUNGSHOLMEN, data)], lib, db)
    assert again.results[0].status == "duplicate" and "inte inläst i databasen" in again.results[0].message
    assert again.build is not None
    assert [d[0] for d in documents(db)] == sorted([LILJEHOLMEN, KUNGSHOLMEN])
    third = add_files([(KUNGSHOLMEN, data)], lib, db)                     # now loaded: nothing to do
    assert third.results[0].status == "duplicate" and third.build is None


def test_cli_add_refuses_a_fifo_without_hanging(library, tmp_path):
    import os
    import subprocess
    import sys

    lib, db = library
    fifo = tmp_path / "plan.pdf"
    os.mkfifo(fifo)
    proc = subprocess.run([sys.executable, "-m", "etl", "add", str(fifo), "--input", str(lib), "--db", str(db)],
                          cwd=Path(__file__).resolve().parents[1], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "inte en vanlig fil" in proc.stderr
    assert listing(lib) == [LILJEHOLMEN]


def _pdf_bomb(expanded_mb: int) -> bytes:
    """A small PDF whose one page's content stream inflates to `expanded_mb` MB."""
    import zlib

    comp = zlib.compressobj(9)
    chunk = b" " * 2**20
    stream = b"".join(comp.compress(chunk) for _ in range(expanded_mb)) + comp.flush()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out, offsets = b"%PDF-1.4\n", []
    for k, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % k + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def test_isolated_add_stores_and_loads_like_add(library):
    from etl.store.add_worker import add_files_isolated

    lib, db = library
    report = add_files_isolated([(KUNGSHOLMEN, (RAW / KUNGSHOLMEN).read_bytes())], lib, db)
    assert [r.status for r in report.results] == ["added"] and report.build["counts"]["documents"] == 2
    assert [d[0] for d in documents(db)] == sorted([LILJEHOLMEN, KUNGSHOLMEN])


def test_a_decompression_bomb_is_refused_in_the_worker_and_nothing_is_stored(library):
    """A ~1 MB PDF that inflates to 1,5 GB: the worker hits its memory cap, the file is
    refused with the reason, the library and the database are as before."""
    from etl.store.add_worker import add_files_isolated

    lib, db = library
    bomb = _pdf_bomb(1536)
    assert len(bomb) < 3 * 2**20
    before = documents(db)
    report = add_files_isolated([("bomb.pdf", bomb), (KUNGSHOLMEN, (RAW / KUNGSHOLMEN).read_bytes())], lib, db,
                                memory_mb=1024)
    assert [r.status for r in report.results] == ["rejected", "rejected"]
    assert "behövde mer än 1024 MB minne" in report.results[0].message
    assert listing(lib) == [LILJEHOLMEN] and documents(db) == before
