"""Altair chart builders with one shared style and the Swedish locale inside the spec.

Streamlit ignores Altair's embed options, so the sv-SE number locale (decimal comma,
non-breaking-space thousands) is put into each chart's config by `finish()`; the same spec
renders the same way in the browser and in vl-convert (PNG/SVG/PDF exports).

Builders take the polars frames of the query modules and return finished charts. They run
without Altair's "debug mode" (every schema object validated as it is constructed), which
was a third of a chart's time; tests/test_queries.py validates each builder's finished chart.
Missing values are drawn as a grey label with the reason, never as a zero-length bar.
"""
from __future__ import annotations

import functools
import json
import math
import textwrap
import threading
from typing import Any, Literal

import altair as alt
import polars as pl
from altair.utils import schemapi

from dashboard.labels import ASSESSMENT_LABELS, ATTAINMENT_LABELS, DOC_TYPE_LABELS

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

ATTAINMENT_COLORS = {
    "met": "#2e7d32",           # green
    "not_met": "#c62828",       # red
    "no_direction": "#5c7c99",  # neutral blue-grey
    "no_target": "#8c9aa6",
    "planned": "#b9cde0",
    "missing": "#d0d4d8",
}
ASSESSMENT_COLORS = {"helt": "#2e7d32", "delvis": "#f2a900", "inte": "#c62828", None: "#d0d4d8"}
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
           resolve_color: Literal["independent", "shared"] | None = None):
    """Apply the shared style and the Swedish locale (the last step of every builder).

    autosize "fit-x": the width follows the page, the height is the plot's own height (Streamlit
    otherwise uses "fit", which squeezes title, axes and legend into the height).

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
    if title:
        chart.title = alt.TitleParams(wrap(title, 75), subtitle=subtitle or alt.Undefined, anchor="start")
    chart.config = alt.Config(
        locale=SV_LOCALE, font=FONT, numberFormat=NUMBER_FORMAT, background="white",
        padding={"left": 8, "right": 16, "top": 8, "bottom": 8},
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


def district_order(frame: pl.DataFrame, sort: str = "value", direction: str | None = None) -> list[str]:
    """Districts best first when sorting by value (lowest first for 'lower is better'),
    alphabetically for sort='name'; districts without a value last."""
    if sort == "name" or "outcome" not in frame.columns:
        return sorted(frame["district"].to_list())
    has = frame.filter(pl.col("outcome").is_not_null())
    descending = direction != "lower"
    ordered = has.sort(["outcome", "district"], descending=[descending, False])["district"].to_list()
    rest = sorted(frame.filter(pl.col("outcome").is_null())["district"].to_list())
    return ordered + rest


@_unvalidated
def ranked_bars(frame: pl.DataFrame, *, unit: str | None = None, direction: str | None = None,
                sort: str = "value", median: float | None = None, kf_target: float | None = None,
                title: str | None = None, subtitle: str | None = None, width="container",
                mine: str | None = None):
    """Horizontal bars of one indicator across districts for one year.

    Bar colour: attainment against the district's own target, by the indicator's direction
    (neutral when direction is unknown). Black tick: the district's own target. Blue rule:
    the city council's (KF) target. Dashed grey rule: the city median (of every district of the year, passed in).
    ``mine``: "Min stadsdel", drawn at full strength with a bold label, the others lighter.
    """
    if frame.height == 0:
        return _empty("Inga värden att visa.")
    order = district_order(frame, sort, direction)
    df = frame.with_columns(
        attainment_label=pl.col("attainment").replace_strict(ATTAINMENT_LABELS, default="Saknas"),
        källa=pl.when(pl.col("from_later_report")).then(pl.lit("senare års rapport"))
        .otherwise(pl.lit("årets dokument")),
        label=pl.when(pl.col("outcome").is_null())
        .then(pl.coalesce("missing_reason", pl.lit("saknas")))
        .otherwise(pl.lit(None)),
        zero=pl.lit(0.0),
    )
    df = _clean(df, ["district", "outcome", "outcome_raw", "target", "target_raw", "kf_target",
                     "attainment", "attainment_label", "källa", "label", "zero", "source_file",
                     "source_line"])
    mine = mine if mine in order else None
    y = alt.Y("district:N", sort=order, title=None, axis=district_axis(mine))
    x_title = _unit_title("Utfall", unit)
    present = set(df["attainment"].drop_nulls().to_list())
    domain = [d for d in ATTAINMENT_COLORS if d in present] or ["missing"]   # legend: classes shown only
    colour = alt.Color("attainment:N", title="Måluppfyllelse",
                       scale=alt.Scale(domain=domain, range=[ATTAINMENT_COLORS[d] for d in domain]),
                       legend=alt.Legend(labelExpr=_label_expr(ATTAINMENT_LABELS)))
    tooltip = [
        alt.Tooltip("district:N", title="Stadsdel"),
        alt.Tooltip("outcome:Q", title="Utfall", format=NUMBER_FORMAT),
        alt.Tooltip("outcome_raw:N", title="Tryckt utfall"),
        alt.Tooltip("target:Q", title="Årsmål", format=NUMBER_FORMAT),
        alt.Tooltip("kf_target:Q", title="KF:s årsmål", format=NUMBER_FORMAT),
        alt.Tooltip("attainment_label:N", title="Måluppfyllelse"),
        alt.Tooltip("källa:N", title="Källa"),
        alt.Tooltip("source_file:N", title="Dokument"),
        alt.Tooltip("source_line:Q", title="Rad", format="d"),
    ]
    base = alt.Chart(df)
    bars = base.transform_filter("isValid(datum.outcome)").mark_bar(height={"band": 0.7}).encode(
        y=y, x=alt.X("outcome:Q", title=x_title, axis=alt.Axis(format=NUMBER_FORMAT)),
        color=colour, tooltip=tooltip, **_mine_opacity(mine))
    values = base.transform_filter("isValid(datum.outcome)").mark_text(
        align="left", dx=4, fontSize=12, color="#222222").encode(
        y=y, x="outcome:Q", text=alt.Text("outcome:Q", format=NUMBER_FORMAT))
    ticks = base.transform_filter("isValid(datum.target)").mark_tick(
        color=TARGET_COLOR, thickness=3, size=22, opacity=1).encode(
        y=y, x="target:Q", tooltip=[alt.Tooltip("district:N", title="Stadsdel"),
                                    alt.Tooltip("target:Q", title="Årsmål", format=NUMBER_FORMAT),
                                    alt.Tooltip("target_raw:N", title="Tryckt mål")])
    missing = base.transform_filter("!isValid(datum.outcome)").mark_text(
        align="left", dx=4, fontSize=12, fontStyle="italic", color=MISSING_COLOR).encode(
        y=y, x="zero:Q", text="label:N",
        tooltip=[alt.Tooltip("district:N", title="Stadsdel"), alt.Tooltip("label:N", title="Inget värde")])
    layers = [bars, ticks, values, missing]
    refs = []
    if median is not None and not math.isnan(median):
        refs.append({"ref": "Stadens median", "value": median})
    if kf_target is not None:
        refs.append({"ref": "KF:s årsmål", "value": kf_target})
    if refs:
        rdf = pl.DataFrame(refs)
        # the legend lists only the references drawn (no KF entry when there is no KF line)
        styles = {"Stadens median": (MEDIAN_COLOR, [6, 4]), "KF:s årsmål": (KF_COLOR, [1, 0])}
        shown: list[str] = [str(r["ref"]) for r in refs]
        rule_colour = alt.Color(
            "ref:N", title="Referens",
            scale=alt.Scale(domain=shown, range=[styles[r][0] for r in shown]))
        rules = alt.Chart(rdf).mark_rule(strokeWidth=2).encode(
            x="value:Q", color=rule_colour,
            strokeDash=alt.StrokeDash("ref:N", scale=alt.Scale(
                domain=shown, range=[styles[r][1] for r in shown]), legend=None),
            tooltip=[alt.Tooltip("ref:N", title="Referens"),
                     alt.Tooltip("value:Q", title="Värde", format=NUMBER_FORMAT)])
        layers.append(rules)
    height = max(160, 34 * len(order))
    return finish(alt.layer(*layers), title=title, subtitle=subtitle, width=width, height=height,
                  resolve_color="independent")


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


LATER_REPORT_NOTE = ("Fyllda punkter: årets verksamhetsberättelse. Ihåliga romber: värdet är hämtat ur "
                     "följande års verksamhetsberättelse (kolumnen ”Periodens utfall VB <år>”).")


# Distinct colours for districts (a city has 13 councils): no two alike, none grey.
DISTRICT_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
                   "#bcbd22", "#393b79", "#637939", "#843c39", "#7b4173", "#3182bd"]
CONTEXT_COLOR = "#c8c8c8"    # the districts not chosen, drawn behind the chosen ones
HIGHLIGHT_MAX = 8           # more chosen districts than this: every line in colour


@_unvalidated
def year_lines(frame: pl.DataFrame, *, unit: str | None = None, title: str | None = None,
               subtitle: str | None = None, width="container", highlight: list[str] | None = None,
               mine: str | None = None):
    """A line per district over years, each labelled at its end. ``highlight``: the user's
    districts, in colour over the others in grey (OWID's highlight); every district keeps
    its colour from chart to chart. Filled points: the year's own report; hollow points:
    taken from the next year's report ("Periodens utfall VB <år>"). ``mine``: "Min stadsdel",
    always in colour and drawn thicker; with more chosen districts than HIGHLIGHT_MAX it is
    the one line in colour."""
    df = frame.filter(pl.col("outcome").is_not_null()) if frame.height else frame
    if df.height == 0:
        return _empty("Inga utfall för valda stadsdelar och år.")
    everyone = sorted(set(df["district"].to_list()))
    chosen = [d for d in everyone if highlight is None or d in highlight]
    mine = mine if mine in everyone else None
    if mine is not None and (len(chosen) > HIGHLIGHT_MAX or mine not in chosen):
        both = sorted({mine, *chosen})
        chosen = both if len(both) <= HIGHLIGHT_MAX else [mine]
    if len(chosen) > HIGHLIGHT_MAX or not chosen:
        chosen = everyone
    df = df.with_columns(
        år=pl.col("year").cast(pl.String),
        källa=pl.when(pl.col("from_later_report")).then(pl.lit("Från följande års rapport"))
        .otherwise(pl.lit("Årets rapport")),
        vald=pl.col("district").is_in(chosen),
    )
    df = _clean(df, ["district", "år", "outcome", "outcome_raw", "källa", "source_file",
                     "source_line", "target", "vald"])
    x = alt.X("år:O", title="År", axis=alt.Axis(labelAngle=0))
    y = alt.Y("outcome:Q", title=_unit_title("Utfall", unit), axis=alt.Axis(format=NUMBER_FORMAT),
              scale=alt.Scale(zero=False))
    palette = alt.Scale(domain=chosen, range=[DISTRICT_COLORS[everyone.index(d) % len(DISTRICT_COLORS)]
                                              for d in chosen])
    colour = alt.Color("district:N", title="Stadsdel", scale=palette, legend=None)   # labelled at the line ends
    tooltip = [alt.Tooltip("district:N", title="Stadsdel"), alt.Tooltip("år:O", title="År"),
               alt.Tooltip("outcome:Q", title="Utfall", format=NUMBER_FORMAT),
               alt.Tooltip("outcome_raw:N", title="Tryckt"), alt.Tooltip("källa:N", title="Källa"),
               alt.Tooltip("source_file:N", title="Dokument"),
               alt.Tooltip("source_line:Q", title="Rad", format="d")]
    # separate data for the chosen lines and the grey context: an export reads exactly the
    # chosen lines as the chart's series (the context layer has no colour field: no series)
    base = alt.Chart(df.filter(pl.col("vald")))
    layers = []
    others = df.filter(~pl.col("vald"))
    if others.height:
        layers.append(alt.Chart(others).mark_line(strokeWidth=1.5, color=CONTEXT_COLOR).encode(
            x=x, y=y, detail="district:N", tooltip=tooltip))
    width_enc = {} if mine is None else {"strokeWidth": alt.condition(_is_mine(mine), alt.value(4.5), alt.value(2.0))}
    line = base.mark_line(strokeWidth=2.5).encode(x=x, y=y, color=colour, **width_enc)
    points = base.mark_point(size=90, strokeWidth=2.5).encode(
        x=x, y=y, color=colour,
        fill=alt.condition("datum.källa == 'Årets rapport'", alt.Fill("district:N", legend=None, scale=palette),
                           alt.value("white")),
        shape=alt.Shape("källa:N", title="Källa", scale=alt.Scale(
            domain=["Årets rapport", "Från följande års rapport"], range=["circle", "diamond"]),
            legend=None),  # explained in LATER_REPORT_NOTE (legend symbols render empty)
        tooltip=tooltip)
    last = df.filter(pl.col("vald")).sort("år").group_by("district", maintain_order=True).last()
    labels = alt.Chart(last).mark_text(align="left", dx=8, fontSize=12, fontWeight="bold").encode(
        x=x, y=y, text="district:N", color=colour)
    return finish(alt.layer(*layers, line, points, labels), title=title, subtitle=subtitle, width=width,
                  height=380)


@_unvalidated
def gender_bars(frame: pl.DataFrame, *, unit: str | None = None, title: str | None = None,
                subtitle: str | None = None, width="container", mine: str | None = None):
    """Grouped bars: outcome for men/boys and women/girls per district (rows with a split);
    ``mine`` ("Min stadsdel") labelled bold."""
    if frame.height == 0 or "outcome_men" not in frame.columns:
        return _empty("Ingen könsuppdelning.")
    rows = []
    for r in frame.iter_rows(named=True):
        for col, label in (("outcome_women", "Kvinnor/flickor"), ("outcome_men", "Män/pojkar")):
            if r.get(col) is not None:
                rows.append({"district": r["district"], "kön": label, "value": r[col],
                             "raw": r.get(f"{col}_raw"), "source_file": r.get("source_file"),
                             "source_line": r.get("source_line")})
    if not rows:
        return _empty("Ingen könsuppdelning för året.")
    df = pl.DataFrame(rows)
    colour = alt.Color("kön:N", title="Kön", scale=alt.Scale(
        domain=["Kvinnor/flickor", "Män/pojkar"], range=["#b5446e", "#2a6f97"]))
    shown = sorted(set(df["district"].to_list()))
    y = alt.Y("district:N", title=None, sort=shown, axis=district_axis(mine if mine in shown else None))
    bars = alt.Chart(df).mark_bar().encode(
        y=y, yOffset=alt.YOffset("kön:N"),
        x=alt.X("value:Q", title=_unit_title("Utfall", unit), axis=alt.Axis(format=NUMBER_FORMAT)),
        color=colour,
        tooltip=[alt.Tooltip("district:N", title="Stadsdel"), alt.Tooltip("kön:N", title="Kön"),
                 alt.Tooltip("value:Q", title="Utfall", format=NUMBER_FORMAT),
                 alt.Tooltip("raw:N", title="Tryckt"), alt.Tooltip("source_file:N", title="Dokument"),
                 alt.Tooltip("source_line:Q", title="Rad", format="d")])
    text = alt.Chart(df).mark_text(align="left", dx=4, fontSize=12).encode(
        y=y, yOffset=alt.YOffset("kön:N"), x="value:Q", text=alt.Text("value:Q", format=NUMBER_FORMAT))
    n = df["district"].n_unique()
    return finish(alt.layer(bars, text), title=title, subtitle=subtitle, width=width, height=max(140, 56 * n))


@_unvalidated
def coverage_grid(frame: pl.DataFrame, *, title: str | None = None, subtitle: str | None = None,
                  width="container"):
    """District × year grid: a cell per kind of document loaded, with its number of
    indicator values; unit-level (enhet) documents are paler."""
    if frame.height == 0:
        return _empty("Inga dokument inlästa.")
    df = frame.with_columns(
        år=pl.col("year").cast(pl.String),
        dokument=pl.col("doc_type").replace_strict(DOC_TYPE_LABELS, default=pl.col("doc_type")),
    )
    df = _clean(df, ["district", "år", "dokument", "level", "n_documents", "n_values", "files"])
    domain = list(DOC_TYPE_LABELS.values())
    df = df.with_columns(nivå=pl.when(pl.col("level") == "enhet").then(pl.lit("enhet"))
                         .otherwise(pl.lit("nämnd")))
    x = alt.X("år:O", title="År", axis=alt.Axis(labelAngle=0, orient="top"))
    x_offset = alt.XOffset("dokument:N", scale=alt.Scale(domain=domain))
    y = alt.Y("district:N", title=None)
    rect = alt.Chart(df).mark_rect(stroke="white", strokeWidth=2).encode(
        x=x, xOffset=x_offset, y=y,
        color=alt.Color("dokument:N", title="Dokument", scale=alt.Scale(
            domain=domain, range=["#7fa7d9", "#1f5fa8", "#3a9e8f"])),
        opacity=alt.Opacity("nivå:N", title="Nivå", scale=alt.Scale(
            domain=["nämnd", "enhet"], range=[1.0, 0.45])),
        tooltip=[alt.Tooltip("district:N", title="Stadsdel"), alt.Tooltip("år:O", title="År"),
                 alt.Tooltip("dokument:N", title="Dokument"), alt.Tooltip("nivå:N", title="Nivå"),
                 alt.Tooltip("n_values:Q", title="Indikatorvärden", format=",d"),
                 alt.Tooltip("files:N", title="Fil")],
    )
    text = alt.Chart(df).mark_text(fontSize=12, color="#111111").encode(
        x=x, xOffset=x_offset, y=y, text=alt.Text("n_values:Q", format=",d"))
    return finish(alt.layer(rect, text), title=title, subtitle=subtitle, width=width,
                  height=max(120, 32 * df["district"].n_unique()))


@_unvalidated
def assessment_grid(frame: pl.DataFrame, *, title: str | None = None, width="container"):
    """Goals (rows) × districts (columns) coloured by the printed assessment."""
    if frame.height == 0:
        return _empty("Inga mål för valt år.")
    df = frame.with_columns(
        mål=pl.coalesce(pl.col("code") + pl.lit(" "), pl.lit("")) + pl.col("text"),
        bedömning=pl.col("assessment").replace_strict(ASSESSMENT_LABELS, default="Ingen bedömning"),
        tecken=pl.col("assessment").replace_strict({"helt": "●", "delvis": "◐", "inte": "○"}, default="–"),
    )
    df = _clean(df, ["district", "mål", "bedömning", "tecken", "assessment_raw", "source_file",
                     "source_line"])
    domain = list(ASSESSMENT_LABELS.values()) + ["Ingen bedömning"]
    colours = [ASSESSMENT_COLORS["helt"], ASSESSMENT_COLORS["delvis"], ASSESSMENT_COLORS["inte"],
               ASSESSMENT_COLORS[None]]
    base = alt.Chart(df).encode(
        x=alt.X("district:N", title=None, axis=alt.Axis(orient="top", labelAngle=-30)),
        y=alt.Y("mål:N", title=None, axis=alt.Axis(labelLimit=420)))
    rect = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("bedömning:N", title="Bedömning", scale=alt.Scale(domain=domain, range=colours),
                        legend=alt.Legend(columns=2)),
        tooltip=[alt.Tooltip("district:N", title="Stadsdel"), alt.Tooltip("mål:N", title="Mål"),
                 alt.Tooltip("bedömning:N", title="Bedömning"),
                 alt.Tooltip("assessment_raw:N", title="Tryckt"),
                 alt.Tooltip("source_file:N", title="Dokument"),
                 alt.Tooltip("source_line:Q", title="Rad", format="d")])
    return finish(rect, title=title, width=width, height=max(120, 30 * df["mål"].n_unique()))


@_unvalidated
def budget_bars(frame: pl.DataFrame, *, value_col: str = "value", title: str | None = None,
                subtitle: str | None = None, width="container"):
    """Grouped horizontal bars: amount (mnkr) per area, one bar per district."""
    if frame.height == 0:
        return _empty("Inga budgetrader inlästa.")
    df = _clean(frame, ["district", "area", value_col, "sources"]).rename({value_col: "value"})
    if df["area"].n_unique() == 1:
        # one area (the page's area picker): a bar per district, largest first
        order = df.sort("value", descending=True)["district"].to_list()
        chart = alt.Chart(df).mark_bar(color="#1a4f9c").encode(
            y=alt.Y("district:N", title=None, sort=order, axis=alt.Axis(labelLimit=260)),
            x=alt.X("value:Q", title="mnkr", axis=alt.Axis(format=NUMBER_FORMAT)),
            tooltip=[alt.Tooltip("district:N", title="Stadsdel"), alt.Tooltip("area:N", title="Område"),
                     alt.Tooltip("value:Q", title="mnkr", format=",.1f"), alt.Tooltip("sources:N", title="Källa")])
        return finish(chart, title=title, subtitle=subtitle, width=width, height=max(120, 30 * df.height))
    chart = alt.Chart(df).mark_bar().encode(
        y=alt.Y("area:N", title=None, axis=alt.Axis(labelLimit=260, labelExpr=CAPITALISE)),
        yOffset=alt.YOffset("district:N"),
        x=alt.X("value:Q", title="mnkr", axis=alt.Axis(format=NUMBER_FORMAT)),
        color=alt.Color("district:N", title="Stadsdel", scale=alt.Scale(scheme="tableau10")),
        tooltip=[alt.Tooltip("district:N", title="Stadsdel"), alt.Tooltip("area:N", title="Område"),
                 alt.Tooltip("value:Q", title="mnkr", format=",.1f"),
                 alt.Tooltip("sources:N", title="Källa")],
    )
    return finish(chart, title=title, subtitle=subtitle, width=width,
                  height=max(160, 22 * df.height + 20 * df["area"].n_unique()))


@_unvalidated
def budget_vs_outcome_bars(frame: pl.DataFrame, *, title: str | None = None,
                           subtitle: str | None = None, width="container"):
    """Budget and bokslut side by side per area for each district (faceted rows)."""
    if frame.height == 0:
        return _empty("Ingen budget eller bokslut för året.")
    long = frame.select("district", "area", "budget", "bokslut").unpivot(
        index=["district", "area"], variable_name="slag", value_name="value"
    ).filter(pl.col("value").is_not_null()).with_columns(
        slag=pl.col("slag").replace_strict({"budget": "Budget", "bokslut": "Bokslut"}))
    if long.height == 0:
        return _empty("Ingen budget eller bokslut för året.")
    if long["area"].n_unique() == 1:
        # one area: budget and bokslut side by side for each district, in one chart
        chart = alt.Chart(long).mark_bar().encode(
            y=alt.Y("district:N", title=None, axis=alt.Axis(labelLimit=260)), yOffset=alt.YOffset("slag:N"),
            x=alt.X("value:Q", title="mnkr", axis=alt.Axis(format=NUMBER_FORMAT)),
            color=alt.Color("slag:N", title=None, scale=alt.Scale(domain=["Budget", "Bokslut"],
                                                                  range=["#9fb8d6", "#1a4f9c"])),
            tooltip=[alt.Tooltip("district:N", title="Stadsdel"), alt.Tooltip("area:N", title="Område"),
                     alt.Tooltip("slag:N", title="Slag"), alt.Tooltip("value:Q", title="mnkr", format=",.1f")])
        return finish(chart, title=title, subtitle=subtitle, width=width,
                      height=max(120, 44 * long["district"].n_unique()))
    chart = alt.Chart(long).mark_bar().encode(
        y=alt.Y("area:N", title=None, axis=alt.Axis(labelLimit=220, labelExpr=CAPITALISE)),
        yOffset=alt.YOffset("slag:N"),
        x=alt.X("value:Q", title="mnkr", axis=alt.Axis(format=NUMBER_FORMAT)),
        color=alt.Color("slag:N", title=None, scale=alt.Scale(domain=["Budget", "Bokslut"],
                                                              range=["#9fb8d6", "#1a4f9c"])),
        row=alt.Row("district:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left",
                                                                labelFontSize=14)),
        tooltip=[alt.Tooltip("district:N", title="Stadsdel"), alt.Tooltip("area:N", title="Område"),
                 alt.Tooltip("slag:N", title="Slag"), alt.Tooltip("value:Q", title="mnkr", format=",.1f")],
    )
    return finish(chart, title=title, subtitle=subtitle, autosize="pad",
                  width=700 if width == "container" else width, height=max(60, 40 * long["area"].n_unique()))


@_unvalidated
def attainment_summary(frame: pl.DataFrame, *, title: str | None = None, subtitle: str | None = None,
                       width="container"):
    """Stacked bars: number of indicators per attainment class for each area (inriktningsmål)."""
    if frame.height == 0:
        return _empty("Inga indikatorer.")
    df = frame.with_columns(area=pl.coalesce("area", pl.lit("Utan inriktningsmål"))).group_by(
        "area", "attainment").len().rename({"len": "n"}).sort("area", "attainment")  # a stable spec
    domain = [d for d in ATTAINMENT_COLORS if d in set(df["attainment"].to_list())]
    chart = alt.Chart(df).mark_bar().encode(
        y=alt.Y("area:N", title=None, axis=alt.Axis(labelLimit=420)),
        x=alt.X("n:Q", title="Antal indikatorer", axis=alt.Axis(format="d", tickMinStep=1)),
        color=alt.Color("attainment:N", title="Måluppfyllelse",
                        scale=alt.Scale(domain=domain, range=[ATTAINMENT_COLORS[d] for d in domain]),
                        legend=alt.Legend(labelExpr=_label_expr(ATTAINMENT_LABELS))),
        order=alt.Order("attainment:N"),
        tooltip=[alt.Tooltip("area:N", title="Inriktningsmål"), alt.Tooltip("n:Q", title="Antal")],
    )
    return finish(chart, title=title, subtitle=subtitle, width=width, height=max(100, 44 * df["area"].n_unique()))


@_unvalidated
def target_gaps(frame: pl.DataFrame, *, title: str | None = None, subtitle: str | None = None,
                width="container"):
    """Diverging bars: each indicator's distance to its target in percent of the target,
    positive = better than the target (direction-aware), coloured by attainment."""
    df = frame.filter(pl.col("target_gap").is_not_null()) if "target_gap" in frame.columns else frame.head(0)
    if df.height == 0:
        return _empty("Inga indikatorer med både utfall, mål och känd riktning.")
    df = _clean(df.sort("target_gap"), ["indicator", "target_gap", "outcome", "outcome_raw", "target",
                                        "target_raw", "attainment", "source_file", "source_line"])
    domain = [d for d in ATTAINMENT_COLORS if d in set(df["attainment"].to_list())]
    names = df["indicator"].to_list()
    y = alt.Y("indicator:N", title=None, sort=names,
              axis=alt.Axis(labelLimit=0, labelExpr=wrapped_labels(names, WRAP_LABEL_CHARS)))
    bars = alt.Chart(df).mark_bar().encode(
        y=y, x=alt.X("target_gap:Q", title="Avstånd till målet (% av målet, positivt = bättre än målet)",
                     axis=alt.Axis(format=NUMBER_FORMAT),
                     # beyond ±100 % the bar stops at the edge; the tooltip has the value
                     scale=alt.Scale(domain=[-100, 100], clamp=True)),
        color=alt.Color("attainment:N", title="Måluppfyllelse",
                        scale=alt.Scale(domain=domain, range=[ATTAINMENT_COLORS[d] for d in domain]),
                        legend=alt.Legend(labelExpr=_label_expr(ATTAINMENT_LABELS))),
        tooltip=[alt.Tooltip("indicator:N", title="Indikator"),
                 alt.Tooltip("outcome_raw:N", title="Utfall"), alt.Tooltip("target_raw:N", title="Årsmål"),
                 alt.Tooltip("target_gap:Q", title="Avstånd (%)", format=",.1f"),
                 alt.Tooltip("source_file:N", title="Dokument"),
                 alt.Tooltip("source_line:Q", title="Rad", format="d")])
    zero = alt.Chart(pl.DataFrame({"x": [0.0]})).mark_rule(color="#333333").encode(x="x:Q")
    lines = max(len(textwrap.wrap(n, WRAP_LABEL_CHARS)[:2]) for n in names)
    return finish(alt.layer(bars, zero), title=title, subtitle=subtitle, width=width,
                  height=max(120, (16 * lines + 8) * df.height))
