"""First page paint of a fresh session, in Chromium, on a generated city.

    .venv/bin/python -m bench.first_paint                  # 130 documents (13 districts x 5 years x 2 kinds)
    .venv/bin/python -m bench.first_paint --n 130 --runs 5

Generates a city (bench.generate), builds its database, starts the dashboard (Streamlit,
headless, 127.0.0.1), and measures for each page the time from navigation until the page's
title and first chart (or table) are shown and the script has finished, in a fresh session
(a new tab: no Streamlit session state) of two browsers:
  - new browser: a new browser context, nothing cached (every script of Streamlit's
    frontend is fetched and compiled);
  - returning browser: a new context that opened the dashboard's start page once in another
    tab, since closed (Streamlit's scripts are served as immutable, so they come from the
    browser's cache, as for a user who has used the dashboard before).
The first load after the server start is reported apart (cold caches). Prints median and
max per page, and the median over the floor's (Streamlit's own page, measured in the same
run); the goal is <= 2 s for a fresh session's first page.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.server import dashboard_server

ROOT = Path(__file__).resolve().parents[1]
PAGES = [("", "Stadsdelsjämföraren"), ("jamfor_indikator", "Jämför indikator"),
         ("stadsdelsprofil", "Stadsdelsprofil"), ("maluppfyllelse", "Måluppfyllelse"),
         ("ekonomi", "Ekonomi"), ("sok?q=feriejobb", "Sök i dokumenten"),
         ("jamfor_indikator?vy=Karta", "Jämför indikator"), ("aktiviteter", "Aktiviteter"),
         ("stadsdelar", "Stadsdelar")]


# Streamlit's own floor on this machine: a page with a title and one small chart, served and
# measured the same way (what no page of ours can go below)
BASELINE = "(baslinje: Streamlit, en rubrik och ett diagram)"
BASELINE_APP = """import altair as alt
import polars as pl
import streamlit as st

st.title("Baslinje")
st.altair_chart(alt.Chart(pl.DataFrame({"a": [1, 2, 3], "b": [3, 1, 2]})).mark_bar().encode(x="a:O", y="b:Q"))
"""


def _settled(page, title: str) -> None:
    page.wait_for_selector(f'h1:has-text("{title}")', timeout=120_000)
    page.wait_for_selector('[data-testid="stVegaLiteChart"], [data-testid="stDataFrame"], '
                           '[data-testid="stMarkdown"]', timeout=120_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)


def _first_paint(browser, url: str, path: str, title: str, returning: bool = False,
                 start_title: str = "Stadsdelsjämföraren") -> float:
    """Seconds from navigation (a new tab: a fresh session) until the title and the first chart,
    table or text are shown and the script has finished. ``returning``: the browser opened the
    start page (titled ``start_title``) in another tab before (its HTTP cache holds
    Streamlit's scripts); else a new browser context with nothing cached."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    if returning:
        before = ctx.new_page()
        before.goto(url)
        _settled(before, start_title)
        before.close()
    page = ctx.new_page()
    t = time.perf_counter()
    page.goto(f"{url}/{path}")
    _settled(page, title)
    dt = time.perf_counter() - t
    ctx.close()
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=130)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from etl.store.build import build_database

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subprocess.run([sys.executable, "-m", "bench.generate", "--out", str(tmp / "city"), "--n", str(args.n)],
                       cwd=ROOT, check=True, capture_output=True)
        db = tmp / "city.duckdb"
        report = build_database(tmp / "city", db, reuse=False)
        baseline = tmp / "baseline.py"
        baseline.write_text(BASELINE_APP, encoding="utf-8")
        times: dict[str, list[float]] = {}
        again: dict[str, list[float]] = {}       # the returning browser
        cold = None
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            with dashboard_server(db, app=baseline) as url:
                for run in range(args.runs + 1):
                    dt = _first_paint(browser, url, "", "Baslinje")
                    if run > 0:
                        times.setdefault(BASELINE, []).append(dt)
                        again.setdefault(BASELINE, []).append(
                            _first_paint(browser, url, "", "Baslinje", returning=True, start_title="Baslinje"))
            with dashboard_server(db) as url:
                for run in range(args.runs + 1):
                    for path, title in PAGES:
                        dt = _first_paint(browser, url, path, title)
                        if cold is None:
                            cold = (path or "oversikt", dt)
                        elif run > 0:
                            times.setdefault(path or "oversikt", []).append(dt)
                            again.setdefault(path or "oversikt", []).append(
                                _first_paint(browser, url, path, title, returning=True))
            browser.close()
    print(f"city: {report.counts['documents']} documents, {report.counts['indicator_values']} indicator values")
    print(f"first load after server start ({cold[0]}): {cold[1]:.2f} s")
    print(f"fresh session (a new tab), {args.runs} runs; seconds, median and max")
    # the machine's speed varies from run to run (a shared host): each page is also given as
    # its time over this run's floor, the cost of the page's own content
    floor_new, floor_again = statistics.median(times[BASELINE]), statistics.median(again[BASELINE])
    print(f"{'page':42} {'new browser':>17} {'over floor':>10} {'returning browser':>19} {'over floor':>10}")
    for page, ts in times.items():
        ag = again[page]
        new_m, again_m = statistics.median(ts), statistics.median(ag)
        print(f"{page:42} {new_m:9.2f} {max(ts):7.2f} {new_m - floor_new:+10.2f} "
              f"{again_m:11.2f} {max(ag):7.2f} {again_m - floor_again:+10.2f}")


if __name__ == "__main__":
    main()
