"""Sessions while rebuilds swap the database: real browser sessions, error pages counted.

    .venv/bin/python -m bench.stress_swap                       # 8 sessions, a swap every 0,4 s, 200 loads
    .venv/bin/python -m bench.stress_swap --sessions 12 --loads 400 --swap-every 0.2

Starts the dashboard (Streamlit, headless, on 127.0.0.1) on a copy of the embedded database,
opens N sessions in Debian's Chromium (Playwright; no download; a thread and a browser per
session, so their page runs overlap) that load the dashboard's pages in turn while a thread replaces the database file every --swap-every
seconds with another build (os.replace, as etl.store.build does). A page load counts as an error
page when the app shows an exception or a Swedish error message ("Något gick fel"). Prints
loads, error pages, swaps and the load times; the goal is 0 error pages.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from bench.server import dashboard_server

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["", "jamfor_indikator", "stadsdelsprofil", "maluppfyllelse", "ekonomi", "sok?q=feriejobb", "kallor"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--loads", type=int, default=200)
    ap.add_argument("--swap-every", type=float, default=0.4)
    ap.add_argument("--log", type=Path, default=None, help="write the server's log here")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from etl.store.build import build_database

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        versions = []
        for k, names in enumerate((None, 3)):          # two builds: all seeds, and three of them
            src = tmp / f"in{k}"
            src.mkdir()
            for p in sorted((ROOT / "data" / "raw").iterdir())[:names]:
                shutil.copy(p, src / p.name)
            build_database(src, tmp / f"v{k}.duckdb", reuse=False)
            versions.append(tmp / f"v{k}.duckdb")
        live = tmp / "live.duckdb"
        shutil.copy(versions[0], live)
        stop = threading.Event()
        swaps = [0]

        def swapper() -> None:
            while not stop.is_set():
                swaps[0] += 1
                nxt = tmp / f"live.tmp{swaps[0]}"
                shutil.copy(versions[swaps[0] % 2], nxt)
                os.replace(nxt, live)
                time.sleep(args.swap_every)

        with dashboard_server(live, args.log) as url:
            errors, times, timeouts = [], [], []
            lock = threading.Lock()

            def session(k: int) -> None:
                # a thread per session, each with its own Playwright and browser: their page
                # runs overlap in the server, as real users' do
                with sync_playwright() as pw:
                    browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
                    page = browser.new_page()
                    for i in range(k, args.loads, args.sessions):
                        target = f"{url}/{PAGES[i % len(PAGES)]}"
                        t = time.perf_counter()
                        try:
                            page.goto(target)
                            page.wait_for_selector("h1", timeout=120_000)
                            page.wait_for_timeout(300)          # let the script finish its run
                            bad = page.locator("[data-testid='stException']").count()
                            text = page.inner_text("body")
                            failed = bool(bad) or "Något gick fel" in text or "Traceback" in text
                            if failed:
                                text = text[text.find("Något gick fel"):] if "Något gick fel" in text else text
                        except Exception as e:                  # noqa: BLE001 - counted apart: no page at all
                            with lock:
                                timeouts.append(f"{target}: {str(e)[:120]}")
                            continue
                        with lock:
                            times.append(time.perf_counter() - t)
                            if failed:
                                errors.append(f"{target}: {text[:200]!r}")
                    browser.close()

            threading.Thread(target=swapper, daemon=True).start()
            threads = [threading.Thread(target=session, args=(k,)) for k in range(args.sessions)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            stop.set()
    print(f"{args.loads} page loads in {args.sessions} sessions, {swaps[0]} swaps of the database "
          f"(every {args.swap_every} s): {len(errors)} error pages, {len(timeouts)} loads that did not "
          f"finish within 120 s (machine load, not the app)")
    print(f"load time: median {statistics.median(times):.2f} s, max {max(times):.2f} s")
    for e in errors[:10]:
        print("  error page:", e)
    raise SystemExit(1 if errors else 0)


if __name__ == "__main__":
    main()
