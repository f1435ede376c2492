"""The export panel under every chart: downloads and the "collect slides" basket.

    from dashboard.export import ExportMeta, source_note
    from dashboard.export_ui import export_panel, deck_panel
    export_panel(chart, frame, meta=ExportMeta(title, subtitle, source_note(frame), unit),
                 key="ranked")

File bytes are built lazily by the download buttons' callables (st.download_button(data=
callable) runs them without script context, so they only close over plain values, never
st.session_state) and cached per spec, so a rerun costs nothing until someone downloads.
"""
from __future__ import annotations

import datetime as _dt
import functools
import json
import secrets
import threading
from collections import OrderedDict
from typing import Any

import polars as pl
import streamlit as st

from dashboard import export as ex

BASKET_KEY = "export_basket"  # st.session_state: list[SlideSpec]
BASKET_ID_KEY = "export_basket_id"
BASKET_PARAM = "bildspel"     # the URL names the session's basket: a reload finds it again
MAX_BASKETS = 500             # baskets kept in the server's memory (the least recently used go)
_BASKETS: OrderedDict[str, list[ex.SlideSpec]] = OrderedDict()
_BASKETS_LOCK = threading.Lock()


def chart_json(chart: Any) -> str:
    """The chart as the JSON text the panel works from: a Vega-Lite dict, an Altair chart, or
    already this JSON text (dashboard.ui.show_chart makes each chart's spec once)."""
    if isinstance(chart, str):
        return chart
    spec = chart if isinstance(chart, dict) else chart.to_dict()
    return json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)


@functools.lru_cache(maxsize=32)
def _render(kind: str, spec_json: str, meta: ex.ExportMeta) -> bytes:
    spec = json.loads(spec_json)
    if kind == "png":
        return ex.chart_to_png(spec, meta)
    if kind == "png_bare":
        return ex.chart_to_png(spec, meta, decorations=False)
    if kind == "svg":
        return ex.chart_to_svg(spec, meta).encode("utf-8")
    if kind == "pdf":
        return ex.chart_to_pdf(spec, meta)
    raise ValueError(kind)


def _pptx(spec_json: str, frame: pl.DataFrame | None, meta: ex.ExportMeta, native: bool) -> bytes:
    spec = json.loads(spec_json)
    slide = ex.slide_from_chart(spec, frame, meta)
    if slide is None or not native:
        png = _render("png_bare", spec_json, meta)
        if slide is None:
            slide = ex.SlideSpec(meta=meta, kind="bar", categories=[], series={}, png=png)
        slide.png = png
    return ex.slides_to_pptx([slide], native=native)


def _deck(slides: list[ex.SlideSpec], native: bool) -> bytes:
    return ex.slides_to_pptx(slides, native=native)


def n_slides(n: int) -> str:
    return f"{n} bild" if n == 1 else f"{n} bilder"


def basket() -> list[ex.SlideSpec]:
    """The session's collected slides. A reloaded page is a new session: the basket named in
    the URL (?bildspel=<id>) is taken up again from the server's memory."""
    if BASKET_KEY not in st.session_state:
        wanted = st.query_params.get(BASKET_PARAM)
        with _BASKETS_LOCK:
            kept = _BASKETS.get(wanted) if wanted else None
        if kept is not None:
            st.session_state[BASKET_ID_KEY] = wanted
        st.session_state[BASKET_KEY] = list(kept or [])
    return st.session_state[BASKET_KEY]


def _keep(items: list[ex.SlideSpec]) -> None:
    """Store the basket under the session's id (made with the first slide) for a reload."""
    st.session_state[BASKET_KEY] = items
    bid = st.session_state.setdefault(BASKET_ID_KEY, secrets.token_urlsafe(9))
    with _BASKETS_LOCK:
        if items:
            _BASKETS[bid] = list(items)
            _BASKETS.move_to_end(bid)
            while len(_BASKETS) > MAX_BASKETS:
                _BASKETS.popitem(last=False)
        else:
            _BASKETS.pop(bid, None)


def _add_to_basket(spec_json: str, frame: pl.DataFrame | None, meta: ex.ExportMeta) -> None:
    spec = json.loads(spec_json)
    png = _render("png_bare", spec_json, meta)
    slide = ex.slide_from_chart(spec, frame, meta, png=png)
    if slide is None:  # not a simple bar/line chart: a picture slide only
        slide = ex.SlideSpec(meta=meta, kind="bar", categories=[], series={}, png=png)
    items = basket()
    items.append(slide)
    _keep(items)
    st.toast(f"Lade till ”{meta.title}” i bildspelet ({n_slides(len(items))}).")


def _remove_from_basket(index: int) -> None:
    items = basket()
    if 0 <= index < len(items):
        items.pop(index)
    _keep(items)


def export_panel(chart: Any, frame: pl.DataFrame | None, *, meta: ex.ExportMeta,
                 key: str) -> None:
    """Download buttons for one chart (PNG, SVG, PDF, PowerPoint native/bild, CSV, Excel)
    and a "Lägg till i bildspel" button. `chart`: an Altair chart, its Vega-Lite dict or
    that dict's JSON text (chart_json)."""
    panel = st.expander("Exportera diagram och data", icon=":material/download:", key=f"{key}-export",
                        on_change="rerun")
    if panel.open is False:
        # made only when opened (a rerun, as for the tabs): a page with three charts does not
        # send 27 buttons to a browser that shows none of them, nor build their slides
        return
    spec_json = chart_json(chart)
    stem = meta.file_stem()
    has_native = ex.slide_from_chart(json.loads(spec_json), frame, meta) is not None
    with panel:
        st.caption("Bilder och bildspel får rubrik, enhet och källa. "
                   "CSV: semikolon och decimalkomma för svenska Excel.")
        c = st.columns(4)
        c[0].download_button("PNG (bild)", data=functools.partial(_render, "png", spec_json, meta),
                             file_name=f"{stem}.png", mime=ex.MIME["png"], key=f"{key}-png",
                             on_click="ignore", icon=":material/image:")
        c[1].download_button("SVG", data=functools.partial(_render, "svg", spec_json, meta),
                             file_name=f"{stem}.svg", mime=ex.MIME["svg"], key=f"{key}-svg",
                             on_click="ignore")
        c[2].download_button("PDF", data=functools.partial(_render, "pdf", spec_json, meta),
                             file_name=f"{stem}.pdf", mime=ex.MIME["pdf"], key=f"{key}-pdf",
                             on_click="ignore", icon=":material/picture_as_pdf:")
        c[3].download_button("PowerPoint (redigerbart diagram)" if has_native
                             else "PowerPoint",
                             data=functools.partial(_pptx, spec_json, frame, meta, has_native),
                             file_name=f"{stem}.pptx", mime=ex.MIME["pptx"],
                             key=f"{key}-pptx", on_click="ignore",
                             icon=":material/slideshow:")
        d = st.columns(4)
        if has_native:
            d[0].download_button("PowerPoint (bild)",
                                 data=functools.partial(_pptx, spec_json, frame, meta, False),
                                 file_name=f"{stem}-bild.pptx", mime=ex.MIME["pptx"],
                                 key=f"{key}-pptx-bild", on_click="ignore")
        if frame is not None:
            d[1].download_button("CSV", data=functools.partial(ex.frame_to_csv, frame, meta),
                                 file_name=f"{stem}.csv", mime=ex.MIME["csv"],
                                 key=f"{key}-csv", on_click="ignore")
            d[2].download_button("Excel", data=functools.partial(ex.frame_to_xlsx, frame, meta),
                                 file_name=f"{stem}.xlsx", mime=ex.MIME["xlsx"],
                                 key=f"{key}-xlsx", on_click="ignore",
                                 icon=":material/table:")
        d[3].button("Lägg till i bildspel", key=f"{key}-basket", icon=":material/add:",
                    on_click=_add_to_basket, args=(spec_json, frame, meta))


def deck_panel(*, key: str = "deck", sidebar: bool = True) -> None:
    """The collected slides: count, titles, download of the whole deck, empty the basket."""
    items = basket()
    if items and st.session_state.get(BASKET_ID_KEY):
        if st.query_params.get(BASKET_PARAM) != st.session_state[BASKET_ID_KEY]:
            st.query_params[BASKET_PARAM] = st.session_state[BASKET_ID_KEY]
    elif BASKET_PARAM in st.query_params:
        del st.query_params[BASKET_PARAM]
    area = st.sidebar if sidebar else st.container()
    with area:
        st.markdown(f"**Bildspel** ({n_slides(len(items))})")
        if not items:
            st.caption("Lägg till diagram med ”Lägg till i bildspel” under diagrammen.")
            return
        for i, s in enumerate(items):
            left, right = st.columns([5, 1], vertical_alignment="center")
            left.caption(f"{i + 1}. {s.meta.title}" + (f" – {s.meta.subtitle}" if s.meta.subtitle else ""))
            right.button("", key=f"{key}-remove-{i}", icon=":material/close:", help="Ta bort bilden",
                         on_click=_remove_from_basket, args=(i,), type="tertiary")
        slides = list(items)  # captured now: the callable runs without session state
        native_ok = any(s.categories for s in slides)
        stamp = _dt.date.today().isoformat()
        st.download_button(
            "Ladda ner bildspel (PowerPoint)",
            data=functools.partial(_deck, slides, native_ok),
            file_name=f"bildspel-{stamp}.pptx", mime=ex.MIME["pptx"], key=f"{key}-download",
            on_click="ignore", type="primary", icon=":material/slideshow:")
        if native_ok:
            st.download_button(
                "Bildspel med bilder", data=functools.partial(_deck, slides, False),
                file_name=f"bildspel-{stamp}-bilder.pptx", mime=ex.MIME["pptx"],
                key=f"{key}-download-bild", on_click="ignore")
        if st.button("Töm bildspelet", key=f"{key}-clear"):
            _keep([])
            st.rerun()
