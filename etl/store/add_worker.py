"""Uploads parsed in a worker process with a memory and a time limit.

The dashboard receives uploads inside the Streamlit process; a hostile or broken file (a PDF
that decompresses to gigabytes, a text that takes minutes) must not take the app down with it.
`add_files_isolated` writes the uploads to a private folder and runs `add_files` in a new
Python process (``python -m etl.store.add_worker REQUEST``) whose address space is capped
(RLIMIT_AS) and whose run time is bounded; when the worker is killed or runs out of memory,
every file of the batch is reported as refused with the reason, and nothing was stored:
files are stored only after all checks passed, and the rebuild swaps the database atomically.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path

from etl import settings
from etl.store.add import AddReport, AddResult


def add_files_isolated(files: list[tuple[str, bytes]], input_dir: Path | str, db_path: Path | str,
                       on_duplicate: str | Mapping[str, str] = "ask", memory_mb: int | None = None,
                       timeout_s: float | None = None) -> AddReport:
    """etl.store.add.add_files in a worker process with a memory and a time limit (see module
    docstring). The report carries the results; ``build`` is a dict of the rebuild's counts.
    The limits default to the settings (STADSDEL_UPLOAD_MEMORY_MB, STADSDEL_UPLOAD_TIMEOUT_S)."""
    memory_mb = settings.upload_memory_mb() if memory_mb is None else memory_mb
    timeout_s = settings.upload_timeout_s() if timeout_s is None else timeout_s
    with tempfile.TemporaryDirectory(prefix="stadsdel-upload-") as tmp:
        items = []
        for k, (name, data) in enumerate(files):
            p = Path(tmp) / f"upload-{k}"
            p.write_bytes(data)
            items.append([name, str(p)])
        request = Path(tmp) / "request.json"
        result = Path(tmp) / "result.json"
        request.write_text(json.dumps({"files": items, "input_dir": str(input_dir), "db_path": str(db_path),
                                       "on_duplicate": on_duplicate, "memory_mb": memory_mb,
                                       "result": str(result)}), encoding="utf-8")
        try:
            proc = subprocess.run([sys.executable, "-m", "etl.store.add_worker", str(request)], cwd=settings.ROOT,
                                  capture_output=True, text=True, timeout=timeout_s)
            failure = None if proc.returncode == 0 and result.exists() else _failure(proc, memory_mb)
        except subprocess.TimeoutExpired:
            failure = f"tog längre tid än {timeout_s:.0f} s att kontrollera och läsa in"
        if failure is not None:
            return AddReport(results=[AddResult(name, "rejected", f"{Path(name).name}: kunde inte läsas in: {failure}")
                                      for name, _ in files])
        data = json.loads(result.read_text(encoding="utf-8"))
    report = AddReport(results=[AddResult(**{k: v for k, v in r.items() if k != "meta"}) for r in data["results"]])
    report.build = data["build"]
    return report


def _failure(proc: subprocess.CompletedProcess, memory_mb: int) -> str:
    if "MemoryError" in proc.stderr or "bad_alloc" in proc.stderr or proc.returncode < 0:
        # out of memory: Python raises MemoryError, PDFium aborts (a signal)
        return f"behövde mer än {memory_mb} MB minne (eller avbröts)"
    last = (proc.stderr.strip().splitlines() or ["okänt fel"])[-1]
    return f"internt fel ({last[:200]})"


def main(request_path: str) -> None:
    import resource

    request = json.loads(Path(request_path).read_text(encoding="utf-8"))
    limit = request["memory_mb"] * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from etl.store.add import add_files

    files = [(name, Path(p).read_bytes()) for name, p in request["files"]]
    report = add_files(files, request["input_dir"], request["db_path"], on_duplicate=request["on_duplicate"])
    build = None
    if report.build is not None:
        build = {"counts": report.build.counts, "reused": report.build.reused, "db_path": str(report.build.db_path)}
    results = [{k: v for k, v in asdict(r).items() if k != "meta"} for r in report.results]
    Path(request["result"]).write_text(json.dumps({"results": results, "build": build}), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
