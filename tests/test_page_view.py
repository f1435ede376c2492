"""The page behind a number: a PDF value's printed row cut out of its page, its cell marked,
and a link to the original at that page."""
from __future__ import annotations

import io

import duckdb
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from dashboard import page_view
from etl.store.build import build_database
from tests.test_pages import APP
from tests.test_pdf import Layout

NAME = "Antal tillhandahållna platser för feriejobb"


@pytest.fixture(scope="module")
def pdf_db(tmp_path_factory):
    """A Kungsholmen plan printed as a PDF with one indicator table on its second page."""
    root = tmp_path_factory.mktemp("pageview")
    layout = Layout("plan")
    layout.new_page()
    layout.text_line("Kungsholmens stadsdelsnämnd Verksamhetsplan 2020")
    layout.new_page()
    for t in ("KF:s mål för verksamhetsområdet:", "1.1. I Stockholm är människor självförsörjande"):
        layout.text_line(t)
    layout.gap()
    layout.header_cells(["Indikator", "Årsmål", "KF:s årsmål", "Periodicitet"])
    layout.row("Andel barn som lever i familjer som har ekonomiskt bistånd", ["0,7 %", "2,7 %", "Tertial"])
    layout.row(NAME, ["200 st", None, "År"])
    src = root / "in"
    src.mkdir()
    (src / "kungsholmen_vp_2020.pdf").write_bytes(layout.output())
    build_database(src, root / "db.duckdb")
    return root


def red_frame(png: bytes) -> tuple[int, int, int, int] | None:
    """The bounding box of the pure-red pixels (the marked cell) in the picture."""
    im = Image.open(io.BytesIO(png)).convert("RGB")
    red = [(x, y) for y in range(im.height) for x in range(0, im.width, 2) if im.getpixel((x, y)) == page_view.CELL_COLOR]
    if not red:
        return None
    xs, ys = [p[0] for p in red], [p[1] for p in red]
    return min(xs), min(ys), max(xs), max(ys)


def test_the_cell_of_the_value_is_marked_on_its_page(pdf_db):
    con = duckdb.connect(str(pdf_db / "db.duckdb"), read_only=True)
    value_id, = con.execute("SELECT value_id FROM indicator_values WHERE name = ?", [NAME]).fetchone()
    where = page_view.printed_box(con, "indicator_values", value_id)
    con.close()
    assert where["page"] == 2 and where["source_file"] == "kungsholmen_vp_2020.pdf"
    cell = where["cells"]["target"]
    png = page_view.cutout(pdf_db / "in" / where["source_file"], where["page"], where["box"], cell)
    frame = red_frame(png)
    assert frame is not None
    top = round((where["box"][1] - page_view.CONTEXT_PT) * page_view.SCALE)
    # the red frame surrounds the target cell's box (in the cut-out's pixels), a few pixels out
    x0, y0, x1, y1 = (round(v * page_view.SCALE) for v in cell)
    fx0, fy0, fx1, fy1 = frame
    assert fx0 <= x0 and fx1 >= x1 and fy0 <= y0 - top and fy1 >= y1 - top
    assert fx1 - fx0 < 3 * (x1 - x0) + 40                    # the cell, not the whole row
    assert Image.open(io.BytesIO(png)).height < 0.5 * 841.9 * page_view.SCALE   # a cut-out, not the page


def test_text_documents_have_no_printed_box(tmp_path):
    from tests.dashboard_fixture import build_fixture_db
    con = duckdb.connect(str(build_fixture_db(tmp_path / "f.duckdb")), read_only=True)
    value_id, = con.execute("SELECT min(value_id) FROM indicator_values").fetchone()
    assert page_view.printed_box(con, "indicator_values", value_id) is None
    con.close()


def test_the_link_opens_a_served_copy_of_the_original(pdf_db, tmp_path, monkeypatch):
    monkeypatch.setattr(page_view, "STATIC_DIR", tmp_path / "static" / "original")
    pdf = pdf_db / "in" / "kungsholmen_vp_2020.pdf"
    url = page_view.original_url(pdf, "abc123", 2)
    assert url == "app/static/original/abc123.pdf#page=2"
    assert (tmp_path / "static" / "original" / "abc123.pdf").read_bytes() == pdf.read_bytes()


def test_provenance_shows_the_printed_page(pdf_db, monkeypatch, tmp_path):
    monkeypatch.setenv("STADSDEL_DB", str(pdf_db / "db.duckdb"))
    monkeypatch.setenv("STADSDEL_INPUT", str(pdf_db / "in"))
    monkeypatch.setattr(page_view, "STATIC_DIR", tmp_path / "static")
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["indikator"] = NAME
    at.run()
    at.switch_page("pages/jamfor_indikator.py").run()
    assert not at.exception, [e.message for e in at.exception]
    images = at.get("image")
    assert images, "no cut-out of the page"
    buttons = at.get("link_button")
    assert any("sida 2" in b.proto.label and b.proto.url.endswith("#page=2") for b in buttons)
