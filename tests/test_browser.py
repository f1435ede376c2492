"""The dashboard in a real browser: headless Debian Chromium driven by Playwright.

Starts `streamlit run app.py` on a free localhost port against the fixture database (or the
database in env STADSDEL_BROWSER_DB, e.g. a build of the real documents), opens every page,
picks an indicator, switches tabs, follows a shared URL, and saves screenshots at 1280×800
and 1920×1080 into artifacts/screenshots/.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.dashboard_fixture import build_fixture_db

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "artifacts" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORTS = [(1280, 800), (1920, 1080)]
PAGES = [("", "Stadsdelsjämföraren"), ("jamfor_indikator", "Jämför indikator"),
         ("stadsdelsprofil", "Stadsdelsprofil"), ("maluppfyllelse", "Måluppfyllelse"),
         ("ekonomi", "Ekonomi"), ("aktiviteter", "Aktiviteter"), ("sok?q=feriejobb", "Sök i dokumenten"),
         ("dokument?dokument=1&avsnitt=2", "Dokument"), ("stadsdelar", "Stadsdelar"),
         ("kallor", "Källor och kvalitet")]
FERIEJOBB = "Antal tillhandahållna platser för feriejobb"

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


class OutboundTrap:
    """A local listener set as the server's HTTP(S) proxy: any request the app's server
    process makes to the outside world (an IP lookup, a telemetry call) arrives here."""

    def __init__(self):
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.seen: list[bytes] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(2)
            try:
                self.seen.append(conn.recv(200))
            except OSError:
                self.seen.append(b"")
            conn.close()


TRAP = OutboundTrap()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    db_path = os.environ.get("STADSDEL_BROWSER_DB") or str(build_fixture_db(tmp / "fixture.duckdb"))
    port = free_port()
    proxy = f"http://127.0.0.1:{TRAP.port}"
    env = {**os.environ, "STADSDEL_DB": db_path, "HTTP_PROXY": proxy, "HTTPS_PROXY": proxy,
           "http_proxy": proxy, "https_proxy": proxy, "ALL_PROXY": proxy}
    log = open(tmp / "streamlit.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
         "--client.toolbarMode", "viewer"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
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
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def settle(page, title: str) -> None:
    """Wait until the page's title is shown and the script has finished running."""
    page.wait_for_selector(f'h1:has-text("{title}")', timeout=60_000)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(600)          # charts draw after the script finished


def no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    vp = page.viewport_size
    page.screenshot(path=str(SHOTS / f"{name}-{vp['width']}x{vp['height']}.png"))


def params(url: str) -> dict[str, list[str]]:
    return urllib.parse.parse_qs(urllib.parse.urlparse(url).query)


def test_a_shared_link_as_the_first_request_of_a_fresh_server(server, browser):
    """Must stay the first test of the module: the server has served nothing yet, so
    Streamlit's legacy pages/ routing would run the page file without app.py."""
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    link = urllib.parse.urlencode({"indikator": FERIEJOBB, "vy": "Tabell"})
    page.goto(f"{server}/jamfor_indikator?{link}")
    settle(page, "Jämför indikator")
    no_exception(page)
    nav = page.locator('[data-testid="stSidebarNav"]')
    assert "Källor och kvalitet" in nav.inner_text()          # app.py's navigation, titled pages
    assert "jamfor indikator" not in nav.inner_text()         # not the file-name listing
    assert page.get_by_role("combobox", name="Indikator").input_value() == FERIEJOBB
    assert page.get_by_role("tab", name="Tabell").get_attribute("aria-selected") == "true"
    page.close()


@pytest.mark.parametrize("width, height", VIEWPORTS)
def test_every_page_opens(server, browser, width, height):
    page = browser.new_page(viewport={"width": width, "height": height}, locale="sv-SE")
    for path, title in PAGES:
        page.goto(f"{server}/{path}")
        settle(page, title)
        no_exception(page)
        if path in ("", "jamfor_indikator", "maluppfyllelse", "ekonomi"):
            chart = page.locator('[data-testid="stVegaLiteChart"]').first
            chart.wait_for(state="visible", timeout=30_000)
            box = chart.bounding_box()
            assert box and box["height"] > 80 and box["width"] > 300, box
        shot(page, path.split("?")[0] or "oversikt")
    page.close()


def test_pick_indicator_switch_tabs_and_follow_shared_url(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    page.goto(f"{server}/jamfor_indikator")
    settle(page, "Jämför indikator")

    box = page.get_by_role("combobox", name="Indikator")
    box.click()
    box.fill("feriejobb")
    page.get_by_role("option", name=FERIEJOBB).click()
    page.wait_for_function("() => location.search.includes('indikator=')", timeout=30_000)
    settle(page, "Jämför indikator")
    assert params(page.url)["indikator"] == [FERIEJOBB]
    # the source panel of one district, the one named in the URL
    panel = f"{params(page.url)['kalla'][0]}: "
    page.get_by_text(re.compile(re.escape(panel) + r"\d[\d\s]*\sst — källa")).wait_for(timeout=30_000)
    shot(page, "jamfor-feriejobb-diagram")

    page.get_by_role("tab", name="Tabell").click()
    page.wait_for_function("() => location.search.includes('vy=Tabell')", timeout=30_000)
    settle(page, "Jämför indikator")
    assert page.get_by_role("tab", name="Tabell").get_attribute("aria-selected") == "true"
    page.locator('[data-testid="stDataFrame"] canvas').first.wait_for(state="visible")
    page.wait_for_timeout(1000)         # the data grid paints after it is attached
    no_exception(page)
    shot(page, "jamfor-feriejobb-tabell")
    shared = page.url

    other = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="sv-SE")
    other.goto(shared)
    settle(other, "Jämför indikator")
    no_exception(other)
    assert other.get_by_role("combobox", name="Indikator").input_value() == FERIEJOBB
    assert other.get_by_role("tab", name="Tabell").get_attribute("aria-selected") == "true"
    assert params(other.url)["kalla"] == [panel[:-2]]
    other.get_by_text(re.compile(re.escape(panel) + r"\d[\d\s]*\sst — källa")).wait_for(timeout=30_000)
    shot(other, "jamfor-delad-lank")
    other.close()
    page.close()


def test_shared_url_of_other_pages(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    page.goto(f"{server}/stadsdelsprofil?stadsdel=Kungsholmen&ar=2021&vy=Tabell")
    settle(page, "Stadsdelsprofil")
    no_exception(page)
    assert page.get_by_role("combobox", name="Stadsdel", exact=True).input_value() == "Kungsholmen"
    assert page.get_by_role("tab", name="Tabell").get_attribute("aria-selected") == "true"
    shot(page, "stadsdelsprofil-kungsholmen")
    page.goto(f"{server}/sok?q=feriejobb")
    settle(page, "Sök i dokumenten")
    page.get_by_text("Goda exempel").first.wait_for()
    assert page.locator("strong", has_text=re.compile("feriejobb", re.I)).count() >= 1
    page.close()


def test_my_district_is_chosen_once_and_follows_the_user(server, browser):
    """Min stadsdel picked in the sidebar: the compare page says its place, the URL carries
    it, another page reached through the navigation keeps it, and a search hit opens its
    section in the document view."""
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    page.goto(f"{server}/jamfor_indikator")
    settle(page, "Jämför indikator")
    box = page.get_by_role("combobox", name="Min stadsdel")
    box.click()
    page.get_by_role("option", name="Norrmalm").click()
    page.wait_for_function("() => location.search.includes('min=Norrmalm')", timeout=30_000)
    page.get_by_text("2:a bäst av 3 stadsdelar med värde").wait_for(timeout=30_000)
    no_exception(page)
    shot(page, "min-stadsdel-jamfor")
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Stadsdelsprofil").click()
    settle(page, "Stadsdelsprofil")
    page.wait_for_function("() => location.search.includes('min=Norrmalm')", timeout=30_000)
    assert page.get_by_role("combobox", name="Stadsdel", exact=True).input_value() == "Norrmalm"
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Översikt").click()
    settle(page, "Stadsdelsjämföraren")
    page.get_by_text("Min stadsdel: Norrmalm").wait_for(timeout=30_000)
    shot(page, "min-stadsdel-oversikt")
    page.goto(f"{server}/sok?q=feriejobb")
    settle(page, "Sök i dokumenten")
    page.get_by_text("Visa i dokumentet").first.click()
    settle(page, "Dokument")
    page.wait_for_function("() => location.search.includes('avsnitt=')", timeout=30_000)
    no_exception(page)
    page.close()


def test_streamlits_own_hints_are_swedish_or_hidden(server, browser):
    """Typing in a text field shows a Swedish hint, not "Press Enter to apply"; the element
    toolbars (English tooltips, a CSV with decimal points) are not shown: the export panel
    under each chart and table is the Swedish way to download."""
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    page.goto(f"{server}/jamfor_indikator?vy=Tabell")
    settle(page, "Jämför indikator")
    field = page.get_by_role("textbox", name="Sök indikator på namn eller mål")
    field.fill("barn")
    hint = page.locator('[data-testid="InputInstructions"]').first
    hint.wait_for(timeout=10_000)
    shown = page.evaluate("(el) => getComputedStyle(el, '::after').content", hint.element_handle())
    assert "Tryck Enter" in shown
    assert "Press Enter" not in page.evaluate("() => document.body.innerText")
    page.locator('[data-testid="stDataFrame"]:visible').first.hover()
    page.wait_for_timeout(500)
    toolbars = page.locator('[data-testid="stElementToolbar"]')
    assert all(not toolbars.nth(i).is_visible() for i in range(toolbars.count()))
    page.close()


ENGLISH_DROPDOWN = re.compile(r"Select all|Select \d+ matches|No results|options? available|, selected")
ENGLISH_DROPDOWN_LABELS = ("Clear all", "Clear value", "Open", "Selected values", "Dismiss")


def english_in_dropdowns(page) -> list[str]:
    """Streamlit's English left in what the page shows and reads aloud: the rendered text
    (innerText) and the DOM text of the page, the open dropdown and the live announcer, and
    the names (aria-label) of the dropdowns' buttons."""
    texts = page.evaluate("""() => [document.body.innerText,
        ...[...document.querySelectorAll('[data-testid=stMultiSelectDropdown], '
            + '[data-testid=stSelectboxVirtualDropdown], [data-live-announcer]')].map(e => e.textContent)]""")
    labels = page.evaluate("""() => [...document.querySelectorAll(':is([data-testid=stMultiSelect], '
        + '[data-testid=stSelectbox], [data-testid=stMultiSelectDropdown], '
        + '[data-testid=stSelectboxVirtualDropdown]) [aria-label]')].map(e => e.getAttribute('aria-label'))""")
    return ([m.group(0) for t in texts for m in ENGLISH_DROPDOWN.finditer(t)]
            + [a for a in labels if a in ENGLISH_DROPDOWN_LABELS or a.startswith("Remove ")])


def test_dropdowns_are_swedish(server, browser):
    """Streamlit's own words in a multiselect and a select box are Swedish: the bulk option
    ("Välj alla", "Välj N träffar" while filtering), the empty list ("Inga träffar" for a
    filter without matches, "Inga fler alternativ" when every option is chosen), the
    buttons' names (clear, open, remove a tag) and the screen reader's count of options."""
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    page.goto(f"{server}/jamfor_indikator?stadsdelar=Norrmalm")
    settle(page, "Jämför indikator")
    # the script comes with the page's first elements (a dropdown opened before it is English)
    page.get_by_role("button", name="Ta bort Norrmalm").wait_for(timeout=10_000)
    assert page.get_by_role("button", name="Ta bort alla").count() == 1
    box = page.get_by_role("combobox", name="Stadsdelar")
    listbox = page.get_by_role("listbox", name="Stadsdelar")
    box.click()
    listbox.get_by_role("option", name="Välj alla", exact=True).wait_for(timeout=10_000)
    # react-aria announces the count a moment after the list opens
    page.wait_for_function("() => (document.querySelector('[data-live-announcer]') || {}).textContent"
                           "?.includes('alternativ tillgängliga.')", timeout=10_000)
    assert english_in_dropdowns(page) == []
    box.fill("zzzz")
    listbox.get_by_text("Inga träffar", exact=True).wait_for(timeout=10_000)
    assert listbox.inner_text().strip() == "Inga träffar"
    assert english_in_dropdowns(page) == []
    shot(page, "dropdown-inga-traffar")
    box.fill("en")
    bulk = listbox.get_by_role("option", name=re.compile(r"^Välj \d+ träffar$"))
    bulk.wait_for(timeout=10_000)
    matches = listbox.get_by_role("option").count() - 1
    assert matches >= 2 and bulk.inner_text() == f"Välj {matches} träffar"
    assert english_in_dropdowns(page) == []
    bulk.click()                        # the Swedish bulk option still chooses the matches
    page.wait_for_function(f"() => new URLSearchParams(location.search).getAll('stadsdelar').length == {matches + 1}",
                           timeout=30_000)
    settle(page, "Jämför indikator")
    page.keyboard.press("Escape")

    # every district chosen: nothing left to list ("Inga fler alternativ"), also after a
    # filter without matches was emptied (the list stays empty, only the words change)
    box.click()
    listbox.get_by_text("Inga fler alternativ", exact=True).wait_for(timeout=10_000)
    box.fill("zz")
    listbox.get_by_text("Inga träffar", exact=True).wait_for(timeout=10_000)
    box.fill("")
    listbox.get_by_text("Inga fler alternativ", exact=True).wait_for(timeout=10_000)
    assert english_in_dropdowns(page) == []
    page.keyboard.press("Escape")

    year = page.get_by_role("combobox", name="År")
    year.click()
    page.get_by_role("listbox", name="År").get_by_role("option", name="2021").wait_for(timeout=10_000)
    year.fill("zzzz")
    page.get_by_role("listbox", name="År").get_by_text("Inga träffar", exact=True).wait_for(timeout=10_000)
    assert english_in_dropdowns(page) == []
    page.keyboard.press("Escape")

    # a select box that can be emptied has a Swedish clear button
    page.goto(f"{server}/sok?q=feriejobb&stadsdel=Norrmalm")
    settle(page, "Sök i dokumenten")
    page.get_by_role("button", name="Ta bort valet").wait_for(timeout=10_000)
    assert english_in_dropdowns(page) == []
    no_exception(page)
    page.close()


def test_help_icons_have_swedish_names(server, browser):
    """The help icon beside a metric's or a widget's label is named in Swedish for a screen
    reader ("Hjälp om Dokument"), not Streamlit's "Help for Dokument"."""
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    page.goto(server)
    settle(page, "Stadsdelsjämföraren")
    page.get_by_role("button", name="Hjälp om Min stadsdel").wait_for(timeout=10_000)
    names = page.evaluate("() => [...document.querySelectorAll('#root button[aria-label]')]"
                          ".map(e => e.getAttribute('aria-label'))")
    helps = [n for n in names if n.startswith("Hjälp")]
    assert "Hjälp om Dokument" in helps and len(helps) >= 3      # metrics' and the sidebar's
    assert [n for n in names if n == "Help" or n.startswith("Help for ")] == []
    page.close()


def test_no_request_leaves_the_machine(server, browser):
    """Neither the browser nor the app's server asks anything outside the machine: every
    request of every page goes to the app itself (fonts, icons, scripts included), and the
    server made no connection through the proxy that would carry one."""
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="sv-SE")
    hosts: set[str] = set()
    page.on("request", lambda r: hosts.add(urllib.parse.urlparse(r.url).hostname or r.url.split(":")[0]))
    for path, title in PAGES:
        page.goto(f"{server}/{path}")
        settle(page, title)
    page.close()
    assert hosts <= {"127.0.0.1", "data", "blob"}, hosts
    assert TRAP.seen == [], TRAP.seen[:3]


def test_map_tab_draws_the_city_and_exports_it(server, browser):
    """Karta on the compare page: the map drawn in the browser, Min stadsdel outlined, and its
    export panel gives a PNG and an SVG of the map with the open-data note."""
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="sv-SE", accept_downloads=True)
    page.goto(f"{server}/jamfor_indikator?indikator={urllib.parse.quote(FERIEJOBB)}&vy=Karta&min=Norrmalm")
    settle(page, "Jämför indikator")
    panel = page.get_by_role("tabpanel", name="Karta")
    panel.locator("canvas, svg.marks").first.wait_for(state="visible", timeout=30_000)
    panel.get_by_text("Tjock kant: min stadsdel").wait_for()
    no_exception(page)
    shot(page, "jamfor-karta")
    panel.get_by_text("Exportera diagram och data").click()
    with page.expect_download(timeout=60_000) as dl:
        panel.get_by_role("button", name="PNG (bild)").click()
    png = Path(dl.value.path()).read_bytes()
    assert dl.value.suggested_filename.endswith(".png") and "feriejobb" in dl.value.suggested_filename
    with page.expect_download(timeout=60_000) as dl:
        panel.get_by_role("button", name="SVG").click()
    svg = Path(dl.value.path()).read_text(encoding="utf-8")
    page.close()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > 500 and height > 400
    # every area of the city is a shape in the picture, the note credits the map's data
    assert svg.count("Stadsdel: ") >= 13 and "Stockholms stad, öppna data (CC0)" in svg
