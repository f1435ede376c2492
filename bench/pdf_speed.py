"""PDF ingest speed: our table reader against pdfplumber's extract_tables(), same PDFs, same run.

    .venv/bin/python -m bench.pdf_speed                 # the council corpus (bench/council_pdf.py)

The PDFs are the seeds written the way councils write them (python-docx tables exported by
LibreOffice, four layouts; needs `soffice`). Measured:

- ``etl build`` of a folder of these PDFs, in a new process (cold, no earlier database):
  on every core, and pinned to one core (``taskset -c 0``): pages per second of the whole
  build (read, recognise, assemble, load, search index);
- the read stage alone (etl.read.pdf.read_pdf: page geometry, ruled and borderless tables,
  furniture), one process: pages per second;
- pdfplumber, one process: ``page.extract_tables()`` on every page (the tables only, no
  recognition or load), pages per second.

Numbers, not pass/fail: other load on the machine makes them smaller.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pages(pdf: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf.read_bytes())
    try:
        return len(doc)
    finally:
        doc.close()


def _build(input_dir: Path, db: Path, one_core: bool) -> float:
    code = ("import sys, time; from etl.store.build import build_database; t = time.perf_counter(); "
            "r = build_database(sys.argv[1], sys.argv[2], reuse=False); "
            "assert not r.skipped, [s.source_file for s in r.skipped]; print(time.perf_counter() - t)")
    cmd = [sys.executable, "-c", code, str(input_dir), str(db)]
    if one_core:
        if shutil.which("taskset") is None:
            raise SystemExit("taskset (util-linux) is needed for the one-core run")
        cmd = ["taskset", "-c", "0", *cmd]
    if db.exists():
        db.unlink()
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def _read_only(pdfs: list[Path]) -> float:
    from etl.read.pdf import read_pdf

    t = time.perf_counter()
    for p in pdfs:
        read_pdf(p, p.name, "", p.read_bytes())
    return time.perf_counter() - t


def _pdfplumber(pdfs: list[Path]) -> float:
    import pdfplumber

    t = time.perf_counter()
    for p in pdfs:
        with pdfplumber.open(p) as pdf:
            for page in pdf.pages:
                page.extract_tables()
    return time.perf_counter() - t


def main() -> None:
    from bench.council_pdf import build_corpus

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "council-pdfs")
    ap.add_argument("--skip-pdfplumber", action="store_true")
    args = ap.parse_args()

    pdfs = sorted(build_corpus(args.work).values())
    pages = sum(_pages(p) for p in pdfs)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        for p in pdfs:
            shutil.copy(p, src / p.name)
        n_build = pages
        db = Path(tmp) / "db.duckdb"
        rows = []
        all_cores = _build(src, db, one_core=False)
        rows.append((f"etl build, {os.cpu_count()} cores", n_build, all_cores))
        one = _build(src, db, one_core=True)
        rows.append(("etl build, 1 core", n_build, one))
    rows.append(("read stage only (read_pdf), 1 process", pages, _read_only(pdfs)))
    if not args.skip_pdfplumber:
        rows.append(("pdfplumber extract_tables(), 1 process", pages, _pdfplumber(pdfs)))
    print(f"{len(pdfs)} PDFs, {pages} pages (the council corpus: 5 seeds x 4 layouts)")
    print(f"{'':44} {'pages':>6} {'seconds':>8} {'pages/s':>8}")
    for name, n, s in rows:
        print(f"{name:44} {n:6d} {s:8.2f} {n / s:8.1f}")


if __name__ == "__main__":
    main()
