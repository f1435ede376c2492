"""The dashboard as a real server for the browser benchmarks (stress_swap, first_paint)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def dashboard_server(db: Path, log: Path | None = None, app: Path = ROOT / "app.py") -> Iterator[str]:
    """Streamlit on a free 127.0.0.1 port on the database `db` (read-only mode: no upload),
    until it answers its health check; yields its URL and stops it afterwards. ``log``: a
    file for the server's output (the detail of any error page); ``app``: another script to
    serve the same way (the benchmarks' baseline page)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "STADSDEL_DB": str(db), "STADSDEL_READONLY": "1"}
    out = open(log, "w") if log else subprocess.DEVNULL
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(app),
                               "--server.headless", "true", "--server.address", "127.0.0.1",
                               "--server.port", str(port), "--server.fileWatcherType", "none"],
                              cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("the dashboard did not start")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        if log:
            out.close()
