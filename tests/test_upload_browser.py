"""The upload on the Källor page in a real browser (Playwright + Debian chromium): a new plan is
stored and the database rebuilt; a second plan for the same district/year asks first and is
kept as a version when the user says so."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import duckdb
import pytest

from etl.store.build import build_database
from tests.test_browser import ARGS, CHROMIUM, free_port, no_exception, settle

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"
LILJEHOLMEN = "hagersten-alvsjo_enhet-liljeholmens-dagliga-verksamheter_verksamhetsplan_2021.txt"
KUNGSHOLMEN = "kungsholmen_verksamhetsplan_2020.txt"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("upload")
    raw = tmp / "raw"
    raw.mkdir()
    (raw / LILJEHOLMEN).write_bytes((RAW / LILJEHOLMEN).read_bytes())
    db = tmp / "db.duckdb"
    build_database(raw, db)
    port = free_port()
    log = open(tmp / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env={**os.environ, "STADSDEL_DB": str(db), "STADSDEL_INPUT": str(raw)},
        stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            proc.kill()
            pytest.fail("streamlit did not start:\n" + (tmp / "streamlit.log").read_text())
        time.sleep(0.3)
    yield url, raw, db, tmp
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def documents(db: Path) -> list[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT source_file FROM documents ORDER BY source_file").fetchall()]
    finally:
        con.close()


def test_upload_on_the_sources_page(library):
    url, raw, db, tmp = library
    upload = tmp / "Kungsholmen VP 2020.txt"
    upload.write_bytes((RAW / KUNGSHOLMEN).read_bytes())
    revised = tmp / "Kungsholmen VP 2020 rev.txt"
    revised.write_bytes(upload.read_bytes().replace(b"\n", b"\n\n", 2))
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="sv-SE")
        page.goto(url)                       # app.py first (its navigation), then the page
        page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
        page.goto(f"{url}/kallor")
        settle(page, "Källor och kvalitet")
        page.get_by_text("Lägg till dokument").click()
        add = page.get_by_role("button", name="Lägg till")
        page.locator('input[type="file"]').set_input_files(str(upload))
        page.get_by_text("165.1KB").wait_for(timeout=30_000)          # the file is in the list ...
        sync_api.expect(add).to_be_enabled(timeout=30_000)              # ... and uploaded
        add.click()
        page.get_by_text("sparad som kungsholmen-vp-2020.txt").wait_for(timeout=120_000)
        no_exception(page)
        assert documents(db) == [LILJEHOLMEN, "kungsholmen-vp-2020.txt"]

        # the same district, year and kind again: the page asks before writing anything
        page.locator('input[type="file"]').set_input_files(str(revised))
        page.get_by_text("165.1KB").wait_for(timeout=30_000)
        sync_api.expect(add).to_be_enabled(timeout=30_000)
        add.click()
        page.get_by_text("Välj ersätt eller behåll båda").wait_for(timeout=120_000)
        assert sorted(p.name for p in raw.iterdir()) == sorted([LILJEHOLMEN, "kungsholmen-vp-2020.txt"])
        page.get_by_text("Behåll båda som versioner").click()
        page.get_by_role("button", name="Fortsätt").click()
        page.get_by_text("en ny version bredvid kungsholmen-vp-2020.txt").wait_for(timeout=120_000)
        no_exception(page)
        page.screenshot(path=str(tmp / "upload.png"))
        assert documents(db) == [LILJEHOLMEN, "kungsholmen-vp-2020-rev-v2.txt", "kungsholmen-vp-2020.txt"]
        browser.close()
