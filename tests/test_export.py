"""Exports: every file is opened with its own library and its content checked."""
from __future__ import annotations

import io
import json
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import altair as alt
import polars as pl
import pytest
from click.testing import CliRunner

from dashboard import export as ex
from tests.helpers import open_export_panels, read_export_csv

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

NBSP = "\u00a0"

PROVENANCE = pl.DataFrame({
    "district": ["Norrmalm", "Kungsholmen", "Bromma", "Enskede-Årsta-Vantör"],
    "year": [2021, 2021, 2021, 2021],
    "doc_type": ["verksamhetsberattelse", "verksamhetsberattelse", "verksamhetsplan", None],
    "outcome": [1234.5, 87.25, 3.0, None],
})


def _meta(source: str | None = None, unit: str | None = "%") -> ex.ExportMeta:
    src = source if source is not None else ex.source_note(PROVENANCE)
    return ex.ExportMeta(title="Andel elever som känner sig trygga", subtitle="Utfall 2021 per stadsdel",
                         source=src, unit=unit)


def _bar_chart(df: pl.DataFrame = PROVENANCE) -> alt.Chart:
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("outcome:Q", title="Utfall"), y=alt.Y("district:N", sort="-x", title=None)
    ).properties(width="container")


# --- source notes ------------------------------------------------------------------------------

def test_source_note_lists_each_document_with_district_genitive():
    note = ex.source_note([
        {"doc_type": "verksamhetsberattelse", "year": 2021, "district": "Norrmalm"},
        {"doc_type": "verksamhetsplan", "year": 2021, "district": "Norrmalm"},
        {"doc_type": "verksamhetsberattelse", "year": 2021, "district": "Norrmalm"},  # duplicate
        {"doc_type": "verksamhetsplan", "year": 2020, "district": "Bromma"},
    ])
    assert note == ("Källa: Verksamhetsplan 2020, Bromma stadsdelsnämnd; "
                    "Verksamhetsberättelse 2021, Norrmalms stadsdelsnämnd; "
                    "Verksamhetsplan 2021, Norrmalms stadsdelsnämnd")


@pytest.mark.parametrize("district, expected", [
    ("Norrmalm", "Norrmalms"), ("Skärholmen", "Skärholmens"), ("Enskede-Årsta-Vantör", "Enskede-Årsta-Vantörs"),
    ("Bromma", "Bromma"), ("Hägersten-Älvsjö", "Hägersten-Älvsjö"), ("Rinkeby-Kista", "Rinkeby-Kista"),
])
def test_district_genitive(district, expected):
    assert ex.district_genitive(district) == expected


def test_source_note_unit_level_later_report_and_missing_documents():
    note = ex.source_note(pl.DataFrame({
        "doc_type": ["verksamhetsplan", "verksamhetsberattelse", None],
        "year": [2021, 2020, 2021],
        "district": ["Hägersten-Älvsjö", "Kungsholmen", "Farsta"],
        "level": ["enhet", "namnd", "namnd"],
        "unit_name": ["Liljeholmens dagliga verksamheter", None, None],
        "from_later_report": [False, True, False],
    }))
    # The 2020 value was printed in the 2021 report; Farsta has no document behind its row.
    assert note == ("Källa: Verksamhetsplan 2021, Liljeholmens dagliga verksamheter, "
                    "Hägersten-Älvsjö stadsdelsnämnd; Verksamhetsberättelse 2021, Kungsholmens stadsdelsnämnd")
    assert ex.source_note([]) == ""


def test_source_note_groups_many_districts_of_one_document_kind():
    rows = [{"doc_type": "verksamhetsplan", "year": 2021, "district": d}
            for d in ["Norrmalm", "Bromma", "Farsta", "Kungsholmen"]]
    rows.append({"doc_type": "verksamhetsberattelse", "year": 2021, "district": "Norrmalm"})
    note = ex.source_note(rows)
    assert note == ("Källa: Verksamhetsplan 2021 för stadsdelsnämnderna Bromma, Farsta, Kungsholmen "
                    "och Norrmalm; Verksamhetsberättelse 2021, Norrmalms stadsdelsnämnd")


# --- images ----------------------------------------------------------------------------------

def test_presentation_spec_carries_locale_title_source_and_fixed_width():
    spec = ex.presentation_spec(_bar_chart(), _meta())
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["locale"]["number"]["thousands"] == NBSP
    assert spec["title"]["text"] == ["Andel elever som känner sig trygga"]
    assert spec["title"]["subtitle"] == ["Utfall 2021 per stadsdel (%)"]
    body = spec["vconcat"][0]
    assert " ".join(body["title"]["text"]) == ex.source_note(PROVENANCE)
    assert ex.source_note(PROVENANCE).startswith("Källa: Verksamhetsplan 2021, Bromma stadsdelsnämnd; ")
    assert body["vconcat"][0]["width"] == ex.PRESENTATION_WIDTH  # "container" cannot render offline
    assert "google" not in json.dumps(spec).lower()


def _png_info(data: bytes) -> tuple[int, int, float]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    i = data.find(b"pHYs")
    ppx = struct.unpack(">I", data[i + 4:i + 8])[0]
    return width, height, ppx * 0.0254  # pixels per metre -> per inch


def test_png_is_two_x_with_200_ppi():
    png = ex.chart_to_png(_bar_chart(), _meta())
    width, height, ppi = _png_info(png)
    assert 2 * ex.PRESENTATION_WIDTH <= width <= 2 * (ex.PRESENTATION_WIDTH + 400)
    assert height > 2 * ex.PRESENTATION_HEIGHT
    assert ppi == pytest.approx(200, abs=1)
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:  # a real image, mostly white background
        im.load()
        assert im.convert("L").getpixel((5, 5)) > 240
    bare = ex.chart_to_png(_bar_chart(), _meta(), decorations=False)
    assert _png_info(bare)[1] < height  # no title and source note


def test_svg_has_title_source_and_swedish_numbers():
    svg = ex.chart_to_svg(_bar_chart(), _meta())
    assert svg.lstrip().startswith("<svg")
    assert ">Andel elever som känner sig trygga<" in svg
    assert ">Utfall 2021 per stadsdel (%)<" in svg
    assert "Källa: Verksamhetsplan 2021, Bromma stadsdelsnämnd" in svg
    assert f">1{NBSP}000<" in svg  # axis tick with the sv-SE thousands separator
    assert ">1,000<" not in svg and ">1000<" not in svg


def test_long_titles_wrap_instead_of_being_cut():
    title = ("Andel personer som har ekonomiskt bistånd i förhållande till befolkningen, "
             "uppdelat på kvinnor och män och på stadsdelsnämnd")
    subtitle = "2021 · svart streck: stadsdelens årsmål · blå linje: KF:s årsmål · streckad: stadens median " * 2
    svg = ex.chart_to_svg(_bar_chart(), ex.ExportMeta(title, subtitle, "Källa: x", None))
    texts = re.findall(r">([^<]+)</(?:text|tspan)>", svg)  # multi-line text: one tspan a line
    assert not any("…" in t for t in texts)
    block = re.search(r"<text[^>]*font-size=\"30px\"[^>]*>(.*?)</text>", svg).group(1)
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", block)
    assert len(lines) >= 2 and " ".join(lines) == title


def test_svg_decimal_comma_in_labels():
    df = pl.DataFrame({"d": ["A", "B"], "v": [0.25, 0.5]})
    chart = alt.Chart(df).mark_bar().encode(x="v:Q", y="d:N")
    svg = ex.chart_to_svg(chart, ex.ExportMeta("T", "", "", None))
    labels = re.findall(r">([^<]+)</text>", svg)
    ticks = [t for t in labels if t[0].isdigit()]
    assert {"0,1", "0,10"} & set(ticks) and {"0,5", "0,50"} & set(ticks) and not any("." in t for t in ticks)
    assert len(ticks) <= 12  # readable at projector size, not a comb of labels


def test_pdf_contains_title_and_source_text():
    import pypdfium2 as pdfium

    pdf = ex.chart_to_pdf(_bar_chart(), _meta())
    assert pdf[:5] == b"%PDF-" and len(pdf) > 5000
    doc = pdfium.PdfDocument(pdf)
    text = doc[0].get_textpage().get_text_range()
    doc.close()
    flat = " ".join(text.split())
    assert "Andel elever som känner sig trygga" in flat
    assert "Källa: Verksamhetsplan 2021, Bromma stadsdelsnämnd" in flat


# --- tables ----------------------------------------------------------------------------------

def test_csv_is_excel_swedish_and_round_trips():
    data = ex.frame_to_csv(PROVENANCE, _meta())
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    text = data.decode("utf-8-sig")
    header = text.splitlines()[0]
    assert header == "Stadsdel;År;Dokumenttyp;Utfall;Enhet;Källa"
    assert "Norrmalm;2021;Verksamhetsberättelse;1234,5;%;Verksamhetsberättelse 2021, Norrmalms stadsdelsnämnd" in text
    back = read_export_csv(data)
    assert back["Stadsdel"].to_list() == PROVENANCE["district"].to_list()
    assert back["År"].to_list() == PROVENANCE["year"].to_list()
    assert back["Utfall"].to_list() == PROVENANCE["outcome"].to_list()
    assert back["Enhet"].to_list() == ["%"] * 4
    # Enskede-Årsta-Vantör has no document behind its row: no source rather than a made-up one
    assert back["Källa"].to_list()[3] is None


def test_csv_without_meta_keeps_values():
    df = pl.DataFrame({"a b": ["x;y", "z"], "v": [0.1, 12345.678]})
    back = read_export_csv(ex.frame_to_csv(df))
    assert back.to_dicts() == df.to_dicts()


def test_csv_and_xlsx_accept_list_columns():
    from openpyxl import load_workbook

    df = pl.DataFrame({"name": ["a"], "years": [[2020, 2021]], "v": [1.5]})
    assert read_export_csv(ex.frame_to_csv(df))["years"].to_list() == ["2020, 2021"]
    ws = load_workbook(io.BytesIO(ex.frame_to_xlsx(df, _meta())))["Data"]
    assert ws.cell(2, 2).value == "2020, 2021"


def test_xlsx_real_numbers_with_formats_units_and_sources():
    from openpyxl import load_workbook

    data = ex.frame_to_xlsx(PROVENANCE.with_columns(n=pl.Series([1200, 3, 4, 5])), _meta())
    wb = load_workbook(io.BytesIO(data))
    ws = wb["Data"]
    header = [c.value for c in ws[1]]
    assert header == ["Stadsdel", "År", "Dokumenttyp", "Utfall", "n", "Enhet", "Källa"]
    col = {h: i + 1 for i, h in enumerate(header)}
    utfall = ws.cell(2, col["Utfall"])
    assert utfall.value == 1234.5 and utfall.data_type == "n"
    assert utfall.number_format == "#,##0.00"  # 87,25 needs two decimals
    assert ws.cell(5, col["Utfall"]).value is None  # missing stays empty, not 0
    year = ws.cell(2, col["År"])
    assert year.value == 2021 and year.data_type == "n" and year.number_format == "0"
    assert ws.cell(2, col["n"]).number_format == "#,##0"
    assert ws.cell(2, col["Enhet"]).value == "%"
    assert ws.cell(2, col["Källa"]).value == "Verksamhetsberättelse 2021, Norrmalms stadsdelsnämnd"
    info = {r[0].value: r[1].value for r in wb["Om data"].iter_rows()}
    assert info["Titel"] == "Andel elever som känner sig trygga"
    assert info["Källa"].startswith("Källa: ")


# --- PowerPoint ------------------------------------------------------------------------------

def _chart_shapes(slide):
    return [s for s in slide.shapes if getattr(s, "has_chart", False) and s.has_chart]


def _slide_text(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def test_native_pptx_chart_equals_input_and_is_editable():
    from openpyxl import load_workbook
    from pptx import Presentation
    from pptx.enum.chart import XL_CHART_TYPE

    bar = ex.SlideSpec(_meta(), "bar", ["Norrmalm", "Kungsholmen", "Bromma"],
                       {"Utfall (%)": [1234.5, 87.25, None]})
    line = ex.SlideSpec(ex.ExportMeta("Över tid", "2019–2021", "Källa: x", "st"), "line",
                        ["2019", "2020", "2021"], {"Norrmalm": [1.0, 2.0, 3.5], "Bromma": [2.0, None, 2.5]})
    prs = Presentation(io.BytesIO(ex.slides_to_pptx([bar, line], native=True)))
    assert len(prs.slides) == 2
    for slide, spec, ctype in zip(prs.slides, [bar, line],
                                  [XL_CHART_TYPE.BAR_CLUSTERED, XL_CHART_TYPE.LINE_MARKERS]):
        (shape,) = _chart_shapes(slide)
        chart = shape.chart
        assert chart.chart_type == ctype
        plot = chart.plots[0]
        assert list(plot.categories) == spec.categories
        assert {s.name: list(s.values) for s in plot.series} == spec.series
        text = _slide_text(slide)
        assert spec.meta.title in text and spec.meta.source in text
        # "Edit data": the embedded workbook holds the same numbers
        wb = load_workbook(io.BytesIO(chart.part.chart_workbook.xlsx_part.blob))
        ws = wb.worksheets[0]
        assert [c.value for c in ws[1]][1:] == list(spec.series)
        assert [ws.cell(r, 1).value for r in range(2, len(spec.categories) + 2)] == spec.categories
        first = list(spec.series)[0]
        assert [ws.cell(r, 2).value for r in range(2, len(spec.categories) + 2)] == spec.series[first]
    assert "Utfall 2021 per stadsdel (%)" in _slide_text(prs.slides[0])
    assert "Källa:" in prs.slides[0].notes_slide.notes_text_frame.text


def test_picture_pptx_places_the_given_png():
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    png = ex.chart_to_png(_bar_chart(), _meta(), decorations=False)
    spec = ex.SlideSpec(_meta(), "bar", ["a"], {"v": [1.0]}, png=png)
    prs = Presentation(io.BytesIO(ex.slides_to_pptx([spec], native=False)))
    slide = prs.slides[0]
    assert not _chart_shapes(slide)
    pics = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(pics) == 1 and pics[0].image.blob == png
    assert pics[0].left + pics[0].width <= prs.slide_width
    assert pics[0].top + pics[0].height <= prs.slide_height
    assert "Källa:" in _slide_text(slide)


def test_picture_slide_without_png_is_rendered_from_data():
    from pptx import Presentation

    spec = ex.SlideSpec(_meta(), "column", ["2020", "2021"], {"A": [1.0, 2.0], "B": [3.0, None]})
    prs = Presentation(io.BytesIO(ex.slides_to_pptx([spec], native=False)))
    assert any(s.shape_type == 13 for s in prs.slides[0].shapes)  # a picture


def test_slidespec_rejects_mismatched_series():
    with pytest.raises(ValueError):
        ex.SlideSpec(_meta(), "bar", ["a", "b"], {"v": [1.0]})
    with pytest.raises(ValueError):
        ex.SlideSpec(_meta(), "pie", ["a"], {"v": [1.0]})


def test_slide_from_simple_chart_follows_sort():
    slide = ex.slide_from_chart(_bar_chart(), PROVENANCE, _meta())
    assert slide.kind == "bar"
    assert slide.categories == ["Norrmalm", "Kungsholmen", "Bromma", "Enskede-Årsta-Vantör"]
    assert list(slide.series.values()) == [[1234.5, 87.25, 3.0, None]]


def test_slide_from_dashboard_charts():
    from dashboard import indicator_charts

    df = pl.DataFrame({
        "district": ["Norrmalm", "Kungsholmen", "Bromma"], "year": [2021] * 3,
        "outcome": [1.3, 0.9, None], "outcome_raw": ["1,3", "0,9", None], "target": [1.0, 1.0, None],
        "target_raw": [None] * 3, "kf_target": [None] * 3, "attainment": ["not_met", "met", "missing"],
        "from_later_report": [False] * 3, "missing_reason": [None, None, "saknas i dokumentet"],
        "source_file": ["a", "b", None], "source_line": [1, 2, None]})
    ranked = indicator_charts.ranked_bars(df, unit="%", direction="lower")
    slide = ex.slide_from_chart(ranked, df, _meta())
    # lower is better: best first; the colour (attainment) is not a series
    assert slide.categories == ["Kungsholmen", "Norrmalm", "Bromma"]
    assert list(slide.series.values()) == [[0.9, 1.3, None]]
    over = pl.DataFrame({"district": ["Norrmalm", "Norrmalm", "Bromma"], "year": [2020, 2021, 2021],
                         "outcome": [1.5, 1.3, 2.0], "outcome_raw": [None] * 3,
                         "from_later_report": [True, False, False], "source_file": ["a"] * 3,
                         "source_line": [1] * 3, "target": [None] * 3})
    lines = ex.slide_from_chart(indicator_charts.year_lines(over, unit="%"), over, _meta())
    assert lines.kind == "line"
    assert lines.categories == ["2020", "2021"]
    assert lines.series == {"Norrmalm": [1.5, 1.3], "Bromma": [None, 2.0]}
    # one district with values: its line is still named after it, not after the measure
    alone = over.filter(pl.col("district") == "Norrmalm")
    lines = indicator_charts.year_lines(alone, unit="%")
    assert ex.slide_from_chart(lines, alone, _meta()).series == {"Norrmalm": [1.5, 1.3]}


def test_slide_from_chart_declines_what_one_native_chart_cannot_show():
    chart = alt.Chart(PROVENANCE).mark_rect().encode(x="district:N", y="year:O")
    assert ex.slide_from_chart(chart, PROVENANCE, _meta()) is None
    two = pl.DataFrame({"area": ["skola", "skola"], "district": ["A", "B"], "v": [1.0, 2.0]})
    faceted = alt.Chart(two).mark_bar().encode(y="area:N", x="v:Q", row="district:N")
    assert ex.slide_from_chart(faceted, two, _meta()) is None
    stacked = alt.Chart(two).mark_bar().encode(y="area:N", x="v:Q")  # two values, one bar
    assert ex.slide_from_chart(stacked, two, _meta()) is None
    grouped = alt.Chart(two).mark_bar().encode(y="area:N", x="v:Q", yOffset="district:N")
    assert ex.slide_from_chart(grouped, two, _meta()).series == {"A": [1.0], "B": [2.0]}


# --- command line ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory) -> Path:
    from dashboard_fixture import build_fixture_db

    return build_fixture_db(tmp_path_factory.mktemp("export") / "fx.duckdb")


def _run_export(db: Path, *args: str):
    from etl.cli.export import export_command

    return CliRunner().invoke(export_command, ["--db", str(db), *args], catch_exceptions=False)


def test_cli_pptx_chart_equals_query_result(fixture_db, tmp_path):
    import duckdb
    from dashboard_fixture import BARN
    from pptx import Presentation

    from dashboard import indicator_charts, indicator_queries

    out = tmp_path / "deck.pptx"
    res = _run_export(fixture_db, "--indicator", "barn som lever i familjer", "--year", "2021",
                      "--out", str(out))
    assert res.exit_code == 0, res.output
    con = duckdb.connect(str(fixture_db), read_only=True)
    frame = indicator_queries.indicator_across_districts(con, BARN, 2021)
    con.close()
    order = indicator_charts.district_order(frame, "value", "lower")
    expected = dict(zip(frame["district"], frame["outcome"]))
    prs = Presentation(str(out))
    assert len(prs.slides) == 2  # across districts, and over years (2020 and 2021 known)
    chart = _chart_shapes(prs.slides[0])[0].chart
    assert list(chart.plots[0].categories) == order
    (series,) = chart.plots[0].series
    assert list(series.values) == [expected[d] for d in order]
    text = _slide_text(prs.slides[0])
    assert "Andel barn som lever i familjer som har ekonomiskt bistånd" in text
    assert "Verksamhetsberättelse 2021, Norrmalms stadsdelsnämnd" in text
    over = _chart_shapes(prs.slides[1])[0].chart
    assert list(over.plots[0].categories) == ["2020", "2021"]


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf", "csv", "xlsx"])
def test_cli_other_formats(fixture_db, tmp_path, fmt):
    out = tmp_path / f"x.{fmt}"
    res = _run_export(fixture_db, "--indicator", "andel-barn-ekonomiskt-bistand", "--out", str(out))
    assert res.exit_code == 0, res.output
    data = out.read_bytes()
    if fmt == "png":
        assert _png_info(data)[0] > 1000
    elif fmt == "svg":
        assert "Källa: Verksamhetsberättelse 2021" in data.decode()
    elif fmt == "pdf":
        assert data[:5] == b"%PDF-"
    elif fmt == "csv":
        back = read_export_csv(data)
        values = dict(zip(back["Stadsdel"], back["Utfall"]))
        assert values["Norrmalm"] == 1.3 and values["Kungsholmen"] == 0.9
        assert values["Spånga-Tensta"] is None
    else:
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(data))["Data"]
        header = [c.value for c in ws[1]]
        assert {"Stadsdel", "Utfall", "Enhet", "Källa", "Källfil", "Rad"} <= set(header)


def test_cli_deck_with_several_indicators(fixture_db, tmp_path):
    from pptx import Presentation

    out = tmp_path / "deck.pptx"
    res = _run_export(fixture_db, "--indicator", "andel-barn-ekonomiskt-bistand", "--indicator",
                      "feriejobb", "--year", "2021", "--picture", "--out", str(out))
    assert res.exit_code == 0, res.output
    prs = Presentation(str(out))
    titles = [_slide_text(s).splitlines()[0] for s in prs.slides]
    assert titles[0] == "Andel barn som lever i familjer som har ekonomiskt bistånd"
    assert titles[-1] == "Antal tillhandahållna platser för feriejobb"
    assert all(not _chart_shapes(s) for s in prs.slides)  # --picture
    res = _run_export(fixture_db, "--indicator", "feriejobb", "--indicator", "barn som lever",
                      "--out", str(tmp_path / "x.png"))
    assert res.exit_code != 0 and "pptx" in res.output


def test_cli_ambiguous_indicator_lists_candidates(fixture_db, tmp_path):
    res = CliRunner().invoke(__import__("etl.cli.export", fromlist=["x"]).export_command,
                             ["--db", str(fixture_db), "--indicator", "ekonomiskt bistånd",
                              "--out", str(tmp_path / "x.png")])
    assert res.exit_code != 0
    assert "andel-barn-ekonomiskt-bistand" in res.output and "give the id" in res.output


# --- streamlit panel -------------------------------------------------------------------------

PANEL_SCRIPT = '''
import altair as alt, polars as pl
from dashboard.export import ExportMeta
from dashboard.export_ui import export_panel, deck_panel
df = pl.DataFrame({"district": ["Norrmalm", "Bromma"], "outcome": [1.5, 2.25]})
chart = alt.Chart(df).mark_bar().encode(x="outcome:Q", y="district:N")
export_panel(chart, df, meta=ExportMeta("Testdiagram", "2021", "Källa: x", "%"), key="t")
deck_panel(sidebar=False)
'''


def test_export_panel_buttons_and_basket(tmp_path):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_string(PANEL_SCRIPT, default_timeout=60).run()
    assert not at.exception
    assert not at.get("download_button")          # a closed panel is not made (nothing to render)
    at = open_export_panels(at)
    labels = {b.label for b in at.get("download_button")}
    assert {"PNG (bild)", "SVG", "PDF", "PowerPoint (redigerbart diagram)", "PowerPoint (bild)",
            "CSV", "Excel"} <= labels
    at.button(key="t-basket").click().run()
    assert not at.exception
    basket = at.session_state["export_basket"]
    assert len(basket) == 1 and basket[0].categories == ["Norrmalm", "Bromma"]
    assert basket[0].png and basket[0].png[:4] == b"\x89PNG"
    assert "Ladda ner bildspel (PowerPoint)" in {b.label for b in at.get("download_button")}
    at.button(key="t-basket").click().run()
    assert len(at.session_state["export_basket"]) == 2
    at.button(key="deck-remove-0").click().run()
    assert len(at.session_state["export_basket"]) == 1
    at.button(key="deck-clear").click().run()
    assert at.session_state["export_basket"] == []


def test_the_slide_basket_survives_a_page_reload():
    """A reload is a new session: the URL's ?bildspel= finds the basket again; another
    session without it starts empty; an emptied basket leaves the URL."""
    from streamlit.testing.v1 import AppTest

    at = open_export_panels(AppTest.from_string(PANEL_SCRIPT, default_timeout=60).run())
    at.button(key="t-basket").click().run()
    at.button(key="t-basket").click().run()
    basket_id = at.query_params["bildspel"]
    assert basket_id
    reloaded = AppTest.from_string(PANEL_SCRIPT, default_timeout=60)
    reloaded.query_params["bildspel"] = basket_id
    reloaded.run()
    assert not reloaded.exception
    assert [s.meta.title for s in reloaded.session_state["export_basket"]] == ["Testdiagram", "Testdiagram"]
    assert "Bildspel** (2 bilder)" in " ".join(m.value for m in reloaded.markdown)
    other = AppTest.from_string(PANEL_SCRIPT, default_timeout=60).run()
    assert other.session_state["export_basket"] == []
    reloaded.button(key="deck-clear").click().run()
    assert "bildspel" not in reloaded.query_params
    again = AppTest.from_string(PANEL_SCRIPT, default_timeout=60)
    again.query_params["bildspel"] = basket_id
    again.run()
    assert again.session_state["export_basket"] == []


def test_export_ui_callables_run_without_streamlit_context():
    from pptx import Presentation

    from dashboard import export_ui

    df = pl.DataFrame({"district": ["Norrmalm", "Bromma"], "outcome": [1.5, 2.25]})
    chart = alt.Chart(df).mark_bar().encode(x="outcome:Q", y="district:N")
    spec_json = export_ui.chart_json(chart)
    meta = ex.ExportMeta("Testdiagram", "2021", "Källa: x", "%")
    prs = Presentation(io.BytesIO(export_ui._pptx(spec_json, df, meta, True)))
    chart_ = _chart_shapes(prs.slides[0])[0].chart
    assert list(chart_.plots[0].series[0].values) == [1.5, 2.25]
    assert export_ui._render("png", spec_json, meta)[:4] == b"\x89PNG"


# --- LibreOffice preview (test.sh installs LibreOffice; skipped where it is missing) ---------

@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_renders_the_native_chart(tmp_path):
    import pypdfium2 as pdfium

    spec = ex.SlideSpec(_meta(), "bar", ["Norrmalm", "Kungsholmen"], {"Utfall (%)": [1.5, 0.25]})
    deck = tmp_path / "deck.pptx"
    deck.write_bytes(ex.slides_to_pptx([spec]))
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "render_pptx_preview.py"), str(deck),
                          "--out-dir", str(tmp_path / "prev")], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    pngs = sorted((tmp_path / "prev").glob("*.png"))
    assert len(pngs) == 1 and pngs[0].stat().st_size > 10_000
    doc = pdfium.PdfDocument(str(tmp_path / "prev" / "deck.pdf"))
    text = " ".join(doc[0].get_textpage().get_text_range().split())
    doc.close()
    # LibreOffice redrew the chart from the embedded data, with Swedish decimals
    assert "Norrmalm" in text and "Kungsholmen" in text and "1,5" in text and "0,25" in text
    assert "Källa:" in text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_draws_the_reference_markers(tmp_path):
    import pypdfium2 as pdfium

    spec = ex.SlideSpec(_meta(), "bar", ["Norrmalm", "Kungsholmen"], {"Utfall (%)": [1.5, 0.25]},
                        markers={"Årsmål": [1.0, None], "KF:s årsmål": [2.7, 2.7]})
    deck = tmp_path / "deck.pptx"
    deck.write_bytes(ex.slides_to_pptx([spec]))
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "render_pptx_preview.py"), str(deck),
                          "--out-dir", str(tmp_path / "prev")], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    doc = pdfium.PdfDocument(str(tmp_path / "prev" / "deck.pdf"))
    text = " ".join(doc[0].get_textpage().get_text_range().split())
    doc.close()
    assert "Årsmål" in text and "KF:s årsmål" in text and "Norrmalm" in text     # the legend names them


# --- real browser: download through the UI -----------------------------------------------------

BROWSER_APP = '''
import duckdb, streamlit as st
from dashboard import indicator_charts, indicator_queries
from dashboard.export import ExportMeta, source_note
from dashboard.export_ui import export_panel, deck_panel
con = duckdb.connect(r"{db}", read_only=True)
frame = indicator_queries.indicator_across_districts(con, "{iid}", 2021)
chart = indicator_charts.ranked_bars(frame, unit="%", direction="lower")
st.altair_chart(chart, theme=None)
export_panel(chart, frame, meta=ExportMeta("Andel barn", "Utfall 2021 per stadsdel", source_note(frame), "%"),
             key="b")
deck_panel(sidebar=False)
'''


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs /usr/bin/chromium")
def test_browser_downloads_png_and_pptx(fixture_db, tmp_path):
    import os
    import time
    import urllib.request

    from dashboard_fixture import BARN
    from playwright.sync_api import sync_playwright
    from pptx import Presentation

    from dashboard import export_ui

    app = tmp_path / "app.py"
    app.write_text(BROWSER_APP.format(db=fixture_db, iid=BARN), encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.25)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            page = browser.new_page(accept_downloads=True)
            page.goto(url, wait_until="networkidle")
            page.get_by_text("Exportera diagram och data").click()
            with page.expect_download(timeout=60_000) as dl:
                page.get_by_role("button", name="PNG (bild)").click()
            png = Path(dl.value.path()).read_bytes()
            assert dl.value.suggested_filename == "Andel-barn-Utfall-2021-per-stadsdel.png"
            with page.expect_download(timeout=60_000) as dl:
                page.get_by_role("button", name="PowerPoint (redigerbart diagram)").click()
            pptx = Path(dl.value.path()).read_bytes()
            # the basket: add the chart twice, download the whole deck
            for n in (1, 2):
                page.get_by_role("button", name="Lägg till i bildspel").click()
                page.get_by_text(f"Bildspel ({export_ui.n_slides(n)})").wait_for(timeout=30_000)
            with page.expect_download(timeout=60_000) as dl:
                page.get_by_role("button", name="Ladda ner bildspel (PowerPoint)").click()
            deck = Path(dl.value.path()).read_bytes()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert _png_info(png)[0] > 1000
    chart = _chart_shapes(Presentation(io.BytesIO(pptx)).slides[0])[0].chart
    values = dict(zip(chart.plots[0].categories, chart.plots[0].series[0].values))
    assert values["Norrmalm"] == 1.3 and values["Kungsholmen"] == 0.9
    slides = Presentation(io.BytesIO(deck)).slides
    assert len(slides) == 2 and all(_chart_shapes(s) for s in slides)


def test_native_bar_axis_starts_at_zero_and_a_long_source_stays_on_the_slide():
    from pptx import Presentation

    from dashboard.export import ExportMeta, SlideSpec, slides_to_pptx

    long_source = "; ".join(f"stadsdel{k}_verksamhetsberattelse_2021.txt rad {k * 10}–{k * 10 + 4}" for k in range(13))
    spec = SlideSpec(meta=ExportMeta(title="Utfall per kön", source=long_source, unit="st"), kind="bar",
                     categories=["Norrmalm", "Kungsholmen"], series={"Kvinnor": [111.0, 99.0], "Män": [99.0, 104.0]})
    prs = Presentation(io.BytesIO(slides_to_pptx([spec])))
    slide = prs.slides[0]
    chart = next(s for s in slide.shapes if s.name == "Diagram").chart
    assert chart.value_axis.minimum_scale == 0
    src = next(s for s in slide.shapes if s.name == "Källa")
    assert src.top + src.height <= prs.slide_height and src.text_frame.word_wrap
    assert src.height >= 3 * 0.22 * 914400                            # room for the lines it needs
    diagram = next(s for s in slide.shapes if s.name == "Diagram")
    assert diagram.top + diagram.height <= src.top


def test_exported_cells_are_words_not_codes():
    from dashboard.export import ExportMeta, frame_to_csv

    df = pl.DataFrame({"district": ["Norrmalm"], "direction": ["lower"], "attainment": ["not_met"],
                       "doc_type": ["verksamhetsberattelse"], "level": ["namnd"], "from_later_report": [False],
                       "goal_text": ["Fler är självförsörjande"], "target": [0.8]})
    back = read_export_csv(frame_to_csv(df, ExportMeta(title="t", unit="%")))
    row = back.row(0, named=True)
    assert row["Riktning"] == "lägre är bättre" and row["Måluppfyllelse"] == "Ej uppnått"
    assert row["Dokumenttyp"] == "Verksamhetsberättelse" and row["Nivå"] == "nämnd"
    assert row["Från följande års rapport"] == "nej" and row["Mål"] == "Fler är självförsörjande"
    assert row["Årsmål"] == 0.8 and row["Enhet"] == "%"


def test_the_charts_of_one_view_download_under_different_names():
    from dashboard.export import ExportMeta

    title = "Andel barn som lever i familjer som har ekonomiskt bistånd"
    stems = {ExportMeta(title, sub).file_stem() for sub in
             ("2021 · svart streck: stadsdelens årsmål", "2021 per kön", "Utfall per år")}
    assert len(stems) == 3 and all(s.startswith("Andel-barn") for s in stems)
    assert ExportMeta(title, "2021 per kön").file_stem().endswith("2021-per-kön")


def test_a_years_chart_names_its_districts_once_in_the_source():
    from dashboard.export import source_note

    districts = ["Bromma", "Farsta", "Kungsholmen", "Norrmalm", "Skarpnäck"]
    rows = [{"doc_type": "verksamhetsberattelse", "year": y, "district": d} for y in range(2021, 2026) for d in districts]
    note = source_note(rows)
    assert note == ("Källa: Verksamhetsberättelse 2021–2025 för stadsdelsnämnderna Bromma, Farsta, Kungsholmen, "
                    "Norrmalm och Skarpnäck")


def test_native_bars_keep_the_apps_attainment_colours():
    from pptx import Presentation

    from dashboard import chart_style, indicator_charts
    from dashboard.export import ExportMeta, slide_from_chart, slides_to_pptx

    frame = pl.DataFrame({"district": ["Norrmalm", "Kungsholmen"], "outcome": [1.3, 0.9], "outcome_raw": ["1,3 %", "0,9 %"],
                          "target": [0.8, 1.0], "target_raw": ["0,8 %", "1,0 %"], "kf_target": [2.7, 2.7],
                          "attainment": ["not_met", "met"], "from_later_report": [False, False],
                          "missing_reason": [None, None], "source_file": ["n.txt", "k.txt"], "source_line": [1, 2]},
                         schema_overrides={"missing_reason": pl.String})
    bars = indicator_charts.ranked_bars(frame, unit="%", direction="lower")
    slide = slide_from_chart(bars, frame, ExportMeta(title="t"))
    attainment = dict(zip(frame["district"], frame["attainment"]))
    assert slide.point_colors == [chart_style.ATTAINMENT_COLORS[attainment[c]] for c in slide.categories]
    prs = Presentation(io.BytesIO(slides_to_pptx([slide])))
    chart = next(s for s in prs.slides[0].shapes if s.name == "Diagram").chart
    got = [str(p.format.fill.fore_color.rgb) for p in chart.plots[0].series[0].points][:len(slide.categories)]
    assert got == [c[1:].upper() for c in slide.point_colors]


def test_the_native_chart_carries_the_target_kf_and_median_the_picture_shows():
    """The editable chart has the comparison, not only "Utfall": the district's target and
    the KF target and city median as marker series over the bars, values as drawn."""
    from pptx import Presentation

    from dashboard import indicator_charts
    from dashboard.export import ExportMeta, slide_from_chart, slides_to_pptx

    frame = pl.DataFrame({"district": ["Norrmalm", "Kungsholmen", "Bromma"], "outcome": [1.3, 0.9, 2.0],
                          "target": [0.8, None, 1.5], "kf_target": [2.7, 2.7, 2.7],
                          "attainment": ["not_met", "no_target", "not_met"], "from_later_report": [False] * 3,
                          "missing_reason": [None] * 3}, schema_overrides={"missing_reason": pl.String})
    with_refs = indicator_charts.ranked_bars(frame, unit="%", direction="lower", median=1.3, kf_target=2.7)
    slide = slide_from_chart(with_refs, frame, ExportMeta(title="t", unit="%"))
    by_district = dict(zip(frame["district"], frame["target"]))
    assert slide.markers["Årsmål"] == [by_district[c] for c in slide.categories]
    assert slide.markers["KF:s årsmål"] == [2.7] * 3 and slide.markers["Stadens median"] == [1.3] * 3
    # no KF rule in the picture (a city total shown as text): no KF series on the slide
    plain = slide_from_chart(indicator_charts.ranked_bars(frame, unit="%", direction="lower", median=1.3), frame,
                             ExportMeta(title="t", unit="%"))
    assert "KF:s årsmål" not in plain.markers and "Stadens median" in plain.markers

    prs = Presentation(io.BytesIO(slides_to_pptx([slide])))
    chart = next(s for s in prs.slides[0].shapes if s.name == "Diagram").chart
    kinds = {plot.__class__.__name__: [s.name for s in plot.series] for plot in chart.plots}
    assert kinds["BarPlot"] == ["Utfall (%)"]
    assert sorted(kinds["LinePlot"]) == ["KF:s årsmål", "Stadens median", "Årsmål"]
    line = next(p for p in chart.plots if p.__class__.__name__ == "LinePlot")
    assert list(line.series[0].values) == [by_district[c] for c in slide.categories]
    assert chart.has_legend
    # the file opens in LibreOffice-compatible form: every series has its values in the workbook
    assert len(chart.plots[0].categories) == 3
