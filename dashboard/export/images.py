"""Charts to images (PNG, SVG, PDF) with vl-convert, from the same Vega-Lite spec the browser
shows, in a presentation frame: a large title, a subtitle, readable fonts, a source footer and
the sv-SE number locale inside the spec ("1 234,5")."""
from __future__ import annotations

import copy
import json
import textwrap
from typing import Any

import vl_convert as vlc

from dashboard.export.notes import ExportMeta

FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
PRESENTATION_WIDTH = 900  # CSS px of the plot area; at scale 2 a 1800 px wide image
PRESENTATION_HEIGHT = 420
FOOTER_FONT_SIZE = 14
TEXT_COLOR = "#1a1a1a"
MUTED_COLOR = "#555555"


def sv_locale() -> dict:
    """The d3 sv-SE number and time locale for a Vega-Lite config."""
    number = dict(vlc.get_format_locale("sv-SE"))
    number["thousands"] = "\u00a0"
    number["decimal"] = ","
    return {"number": number, "time": vlc.get_time_format_locale("sv-SE")}


def presentation_config() -> dict:
    return {
        "font": FONT,
        "locale": sv_locale(),
        "background": "white",
        "padding": 24,
        "title": {"fontSize": 30, "subtitleFontSize": 20, "anchor": "start",
                  "color": TEXT_COLOR, "subtitleColor": MUTED_COLOR, "offset": 18,
                  "subtitlePadding": 8, "font": FONT, "subtitleFont": FONT, "limit": 0,
                  "lineHeight": 36, "subtitleLineHeight": 24},
        "axis": {"labelFontSize": 16, "titleFontSize": 16, "labelColor": TEXT_COLOR,
                 "titleColor": TEXT_COLOR, "titleFontWeight": "normal", "labelLimit": 320},
        # Legends on top: between the subtitle and the plot, never under the source note.
        # d3 picks ~width/40 ticks: at projector width that is a dense comb of labels.
        "axisQuantitative": {"tickCount": 8},
        "legend": {"labelFontSize": 16, "titleFontSize": 16, "labelLimit": 320,
                   "symbolSize": 160, "orient": "top", "direction": "horizontal"},
        "header": {"labelFontSize": 16, "titleFontSize": 16},
        "text": {"fontSize": 15},
        "view": {"stroke": None},
        "concat": {"spacing": 14},
    }


def chart_dict(chart: Any) -> dict:
    if isinstance(chart, dict):
        return copy.deepcopy(chart)
    if isinstance(chart, str):
        return json.loads(chart)
    to_dict = getattr(chart, "to_dict", None)
    if to_dict is None:
        raise TypeError(f"not an Altair chart or Vega-Lite dict: {type(chart).__name__}")
    return to_dict()


_TOP_LEVEL_ONLY = ("$schema", "config", "datasets", "autosize", "padding", "background",
                   "usermeta", "locale")


def _fix_sizes(spec: dict, width: int, height: int) -> None:
    """Replace responsive sizes ("container") that a static renderer cannot resolve."""
    if spec.get("width") == "container" or ("width" not in spec and _is_unit_like(spec)):
        spec["width"] = width
    if spec.get("height") == "container" or ("height" not in spec and _is_unit_like(spec)):
        spec["height"] = height
    for key in ("layer",):
        for sub in spec.get(key, []) or []:
            for dim in ("width", "height"):
                if sub.get(dim) == "container":
                    sub[dim] = width if dim == "width" else height


def _is_unit_like(spec: dict) -> bool:
    return "mark" in spec or "layer" in spec


def _wrap(text: str, width_px: int, font_size: int, *, bold: bool = False) -> list[str]:
    """Lines of at most the characters that fit width_px (average glyph ~0.52 em)."""
    chars = max(20, int(width_px / (font_size * (0.58 if bold else 0.52))))
    lines: list[str] = []
    for para in text.split("\n"):
        lines.extend(textwrap.wrap(para, chars, break_on_hyphens=False) or [""])
    return lines


def presentation_spec(chart: Any, meta: ExportMeta, *, decorations: bool = True,
                      width: int = PRESENTATION_WIDTH,
                      height: int = PRESENTATION_HEIGHT) -> dict:
    """The chart's Vega-Lite spec in the presentation frame.

    decorations=False leaves out title, subtitle and footer (for a picture placed on a
    slide that carries them as text).
    """
    src = chart_dict(chart)
    inner = {k: v for k, v in src.items() if k not in _TOP_LEVEL_ONLY}
    inner.pop("title", None)
    _fix_sizes(inner, width, height)
    config = src.get("config") or {}
    merged = _deep_merge(config, presentation_config())
    # Altair's default continuous sizes are small; projector size wins.
    merged.setdefault("view", {}).update({"continuousWidth": width, "continuousHeight": height})
    out: dict = {"$schema": src.get("$schema", "https://vega.github.io/schema/vega-lite/v6.json")}
    if src.get("datasets"):
        out["datasets"] = src["datasets"]
    out["config"] = merged
    out["background"] = "white"
    right = (src.get("padding") or {}).get("right", 0) if isinstance(src.get("padding"), dict) else 0
    if right > merged["padding"]:        # room the chart asked for (its line-end labels)
        out["padding"] = {"left": merged["padding"], "top": merged["padding"], "bottom": merged["padding"],
                          "right": right}
    if not decorations:
        out.update(inner)
        return out
    # Long titles wrap instead of being cut off with an ellipsis.
    title: dict = {"text": _wrap(meta.title, width + 120, 30, bold=True)}
    sub = meta.subtitle_line()
    if sub:
        title["subtitle"] = _wrap(sub, width + 120, 20)
    out["title"] = title
    body: dict = inner
    if meta.source:
        # The source is the bottom title of a wrapper around the chart: framed by the full
        # bounds (axis labels and legends included), it starts at the left edge like the
        # headline and sits below any bottom legend.
        lines = _wrap(meta.source, width + 120, FOOTER_FONT_SIZE)
        body = {"vconcat": [inner],
                "title": {"text": lines, "orient": "bottom", "anchor": "start",
                          "frame": "bounds", "fontSize": FOOTER_FONT_SIZE, "limit": 0,
                          "fontWeight": "normal", "color": MUTED_COLOR, "font": FONT,
                          "offset": 22, "lineHeight": FOOTER_FONT_SIZE + 5}}
    out["vconcat"] = [body]
    return out


def _deep_merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in override.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def chart_to_png(chart: Any, meta: ExportMeta, scale: float = 2, ppi: float = 200, *,
                 decorations: bool = True) -> bytes:
    """PNG at ``scale`` × the CSS pixel size, tagged with ``ppi`` pixels per inch.

    vl-convert multiplies pixels by scale × ppi / 72; we divide that back out so that
    scale=2 means a 2× (retina) image and ppi only sets the physical size an office
    program gives it (a 900 px chart at 2× and 200 ppi is ~9 inches wide).
    """
    spec = presentation_spec(chart, meta, decorations=decorations)
    return vlc.vegalite_to_png(spec, scale=scale * 72.0 / ppi, ppi=ppi,
                               format_locale="sv-SE", time_format_locale="sv-SE")


def chart_to_svg(chart: Any, meta: ExportMeta, *, decorations: bool = True) -> str:
    spec = presentation_spec(chart, meta, decorations=decorations)
    return vlc.vegalite_to_svg(spec, format_locale="sv-SE", time_format_locale="sv-SE")


def chart_to_pdf(chart: Any, meta: ExportMeta, *, decorations: bool = True) -> bytes:
    spec = presentation_spec(chart, meta, decorations=decorations)
    return vlc.vegalite_to_pdf(spec, format_locale="sv-SE", time_format_locale="sv-SE")
