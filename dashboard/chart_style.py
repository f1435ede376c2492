"""The charts' one style, with the Swedish locale inside the spec, and the pieces every chart
builder shares (Min stadsdel's marks, long labels, the empty chart).

Streamlit ignores Altair's embed options, so the sv-SE number locale (decimal comma,
non-breaking-space thousands) is put into each chart's config by `finish()`; the same spec
renders the same way in the browser and in vl-convert (PNG/SVG/PDF exports).

The builders (indicator_charts.py, grid_charts.py, budget_charts.py, geo.py, a page's own) take
the polars frames of the query modules and return finished charts. They run without Altair's
"debug mode" (every schema object validated as it is constructed; `_unvalidated`), which was a
third of a chart's time; tests/test_queries.py validates each builder's finished chart.
Missing values are drawn as a grey label with the reason, never as a zero-length bar.
"""
from __future__ import annotations

import functools
import json
import textwrap
import threading
from typing import Any, Literal

import altair as alt
import polars as pl
from altair.utils import schemapi

NBSP = "\u00a0"
SV_LOCALE = alt.Locale(
    number=alt.NumberLocale(decimal=",", thousands=NBSP, grouping=[3], currency=["", " kr"],
                            minus="−", percent=f"{NBSP}%"),
    time=alt.TimeLocale(
        dateTime="%A %e %B %Y %X", date="%Y-%m-%d", time="%H:%M:%S", periods=["fm", "em"],
        days=["söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"],
        shortDays=["sön", "mån", "tis", "ons", "tor", "fre", "lör"],
        months=["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
                "september", "oktober", "november", "december"],
        shortMonths=["jan", "feb", "mars", "apr", "maj", "juni", "juli", "aug", "sep", "okt",
                     "nov", "dec"],
    ),
)
CAPITALISE = "upper(slice(datum.label, 0, 1)) + slice(datum.label, 1)"
NUMBER_FORMAT = ",.2~f"      # 1 234,5 / 0,48 / 7
FONT = "Source Sans Pro, Helvetica, Arial, sans-serif"

# Judgements in colours that people with a colour vision deficiency also tell apart (bluish
# green, amber, vermillion, after Okabe & Ito; tests/test_chart_colours.py checks it under
# simulated protan-, deutan- and tritanopia), the classes without a judgement in greys.
ATTAINMENT_COLORS = {
    "met": "#007f5f",           # bluish green
    "not_met": "#d04e00",       # vermillion
    "no_direction": "#5c7c99",  # neutral blue-grey
    "no_target": "#8c9aa6",
    "planned": "#b9cde0",
    "missing": "#d0d4d8",
}
ASSESSMENT_COLORS = {"helt": "#007f5f", "delvis": "#f2b600", "inte": "#d04e00", None: "#d0d4d8"}
MISSING_COLOR = "#7a8590"
MEDIAN_COLOR = "#444444"
KF_COLOR = "#1a4f9c"
TARGET_COLOR = "#111111"
MINE_COLOR = "#000000"          # "Min stadsdel": label and outline
MINE_OTHERS_OPACITY = 0.45      # the other districts' marks when a district is "mine"


_quiet_lock = threading.Lock()
_quiet_depth = 0
_quiet_saved = True


def _unvalidated(builder):
    """Run a chart builder with Altair's validation-at-construction off (restored after the
    last builder running in any thread has finished: the switch is a module global)."""
    @functools.wraps(builder)
    def run(*args, **kwargs):
        global _quiet_depth, _quiet_saved
        with _quiet_lock:
            if _quiet_depth == 0:
                _quiet_saved = schemapi.DEBUG_MODE
                schemapi.DEBUG_MODE = False
            _quiet_depth += 1
        try:
            return builder(*args, **kwargs)
        finally:
            with _quiet_lock:
                _quiet_depth -= 1
                if _quiet_depth == 0:
                    schemapi.DEBUG_MODE = _quiet_saved
    return run


def finish(chart: Any, *, title: str | None = None, subtitle: str | None = None,
           autosize: Literal["pad", "none", "fit", "fit-x", "fit-y"] = "fit-x", width=None, height=None,
           resolve_color: Literal["independent", "shared"] | None = None, pad_right: int = 16):
    """Apply the shared style and the Swedish locale (the last step of every builder).

    autosize "fit-x": the width follows the page, the height is the plot's own height (Streamlit
    otherwise uses "fit", which squeezes title, axes and legend into the height). ``pad_right``:
    room right of the plot (line-end labels reach past it; Vega does not count them).

    Size, title, colour-scale resolution and config are set on `chart` itself in one step (the
    builders pass the chart they have just made): Altair's chained .properties()/.configure_*()
    each make a deep copy of the whole chart, and that was most of the time a chart took.
    """
    if width is not None:
        chart.width = width
    if height is not None:
        chart.height = height
    if resolve_color is not None:
        chart.resolve = alt.Resolve(scale=alt.ScaleResolveMap(color=resolve_color))
    chart.autosize = alt.AutoSizeParams(type=autosize, contains="padding")
    # on the chart, not in its config: Streamlit sets the spec's own padding (which wins over
    # the config's) when a chart has none
    chart.padding = {"left": 8, "right": pad_right, "top": 8, "bottom": 8}
    if title:
        chart.title = alt.TitleParams(wrap(title, 75), subtitle=subtitle or alt.Undefined, anchor="start")
    chart.config = alt.Config(
        locale=SV_LOCALE, font=FONT, numberFormat=NUMBER_FORMAT, background="white",
        axis=alt.AxisConfig(labelFontSize=13, titleFontSize=13, labelLimit=260, gridColor="#e6e6e6",
                            titleFontWeight="normal", domainColor="#888888"),
        axisQuantitative=alt.AxisConfig(tickCount=8),
        legend=alt.LegendConfig(labelFontSize=13, titleFontSize=13, orient="bottom", labelLimit=320,
                                columns=4, symbolLimit=40),
        title=alt.TitleConfig(fontSize=16, subtitleFontSize=13, subtitleColor="#555555", anchor="start"),
        view=alt.ViewConfig(stroke=None),
    )
    return chart


def wrap(text: str, width: int = 90) -> str | list[str]:
    """Long titles as several lines (Vega-Lite titles do not wrap by themselves)."""
    if len(text) <= width:
        return text
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return lines


def _unit_title(base: str, unit: str | None) -> str:
    return f"{base} ({unit})" if unit else base


def _empty(message: str) -> alt.Chart:
    return finish(alt.Chart(pl.DataFrame({"t": [message]})).mark_text(
        fontSize=14, color=MISSING_COLOR, align="left").encode(text="t:N"), height=60, width="container")


def _clean(frame: pl.DataFrame, cols: list[str]) -> pl.DataFrame:
    """Only the columns a chart needs (smaller specs, no unserialisable types)."""
    return frame.select([c for c in cols if c in frame.columns])


def _is_mine(mine: str) -> str:
    return f"datum.district === {json.dumps(mine)}"


def _mine_opacity(mine: str | None) -> dict:
    """Encoding for the marks of "Min stadsdel": full strength, the other districts lighter."""
    if mine is None:
        return {}
    return {"opacity": alt.condition(_is_mine(mine), alt.value(1.0), alt.value(MINE_OTHERS_OPACITY))}


def district_axis(mine: str | None) -> alt.Axis:
    """The district axis; "Min stadsdel"'s label bold and marked."""
    if mine is None:
        return alt.Axis(labelLimit=240)
    test = f"datum.value === {json.dumps(mine)}"
    return alt.Axis(labelLimit=240, labelFontWeight=alt.ExprRef(f"{test} ? 'bold' : 'normal'"),
                    labelColor=alt.ExprRef(f"{test} ? '{MINE_COLOR}' : '#333333'"),
                    labelExpr=f"{test} ? '▶ ' + datum.label : datum.label")


WRAP_LABEL_CHARS = 46      # a long axis label: two lines of about this many characters


def wrapped_labels(names: list[str], width: int = WRAP_LABEL_CHARS, max_lines: int = 2) -> str:
    """A labelExpr that shows each long name on up to `max_lines` lines (Vega draws an array
    label as lines) instead of cutting it after a few words; the last line ends in "…" when
    the name is longer still (the tooltip has the whole name)."""
    table = {}
    for name in dict.fromkeys(names):
        lines = textwrap.wrap(name, width) or [name]
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = lines[-1][: width - 1].rstrip() + "…"
        if len(lines) > 1:
            table[name] = lines
    if not table:
        return "datum.label"
    return f"{json.dumps(table, ensure_ascii=False)}[datum.value] || datum.label"


def _label_expr(labels: dict[str, str]) -> str:
    parts = " : ".join(f"datum.label == '{k}' ? '{v}'" for k, v in labels.items())
    return f"{parts} : datum.label"
