"""The charts of an indicator's values: across districts for a year (`ranked_bars`, by gender
`gender_bars`), over the years (`year_lines`), and one district's indicators for a year
(`attainment_summary`, `target_gaps`). Style and shared pieces: chart_style.py."""
from __future__ import annotations

import math
import textwrap

import altair as alt
import polars as pl

from dashboard.chart_style import (
    ATTAINMENT_COLORS,
    KF_COLOR,
    MEDIAN_COLOR,
    MISSING_COLOR,
    NUMBER_FORMAT,
    TARGET_COLOR,
    WRAP_LABEL_CHARS,
    _clean,
    _empty,
    _is_mine,
    _label_expr,
    _mine_opacity,
    _unit_title,
    _unvalidated,
    district_axis,
    finish,
    wrapped_labels,
)
from dashboard.labels import ATTAINMENT_LABELS


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


LATER_REPORT_NOTE = ("Fyllda punkter: årets verksamhetsberättelse. Ihåliga romber: värdet är hämtat ur "
                     "följande års verksamhetsberättelse (kolumnen ”Periodens utfall VB <år>”).")


# Distinct colours for districts (a city has 13 councils): no two alike, none grey.
DISTRICT_COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf",
                   "#bcbd22", "#393b79", "#637939", "#843c39", "#7b4173", "#3182bd"]
CONTEXT_COLOR = "#c8c8c8"    # the districts not chosen, drawn behind the chosen ones
HIGHLIGHT_MAX = 8           # more chosen districts than this: every line in colour
LINES_HEIGHT = 380          # the plot's height in pixels
LABEL_GAP_PX = 15           # line-end labels (12 px text) at least this far apart


def nice_domain(lo: float, hi: float, count: int = 10) -> tuple[float, float]:
    """The value axis's domain: lo..hi widened to round ticks, as d3's ``scale.nice(count)``
    (Vega's default) does. Set explicitly on the chart, so that the labels placed in data
    units (``spread_labels``) land where they are computed."""
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    previous = None
    for _ in range(10):
        raw = (hi - lo) / count
        power = math.floor(math.log10(raw))
        error = raw / 10 ** power
        factor = 10 if error >= math.sqrt(50) else 5 if error >= math.sqrt(10) else 2 if error >= math.sqrt(2) else 1
        step = factor * 10.0 ** power
        if step == previous:
            break
        lo, hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
        previous = step
    return lo, hi


def spread_labels(values: list[float], lo: float, hi: float, height: float = LINES_HEIGHT,
                  gap_px: float = LABEL_GAP_PX) -> list[float]:
    """Positions (in data units, in the order of ``values``) for labels at line ends of these
    values on a plot ``height`` pixels tall showing lo..hi: each as near its value as it can
    be while no two are closer than ``gap_px`` (two districts ending on the same value get
    two readable labels, not one over the other), all inside lo..hi when they fit."""
    if not values:
        return []
    gap = gap_px * (hi - lo) / height
    order = sorted(range(len(values)), key=lambda i: (-values[i], i))     # top label first

    def top_of(members: list[int]) -> float:        # a run of labels, centred on its values
        top = sum(values[i] for i in members) / len(members) + (len(members) - 1) * gap / 2
        top = min(top, hi)
        return max(top, lo + (len(members) - 1) * gap)

    runs = [[i] for i in order]
    merged = True
    while merged:                                   # merge neighbouring runs that overlap
        merged = False
        for k in range(len(runs) - 1):
            above, below = runs[k], runs[k + 1]
            if top_of(above) - (len(above) - 1) * gap - top_of(below) < gap - 1e-9 * gap:
                runs[k:k + 2] = [above + below]
                merged = True
                break
    result = [0.0] * len(values)
    for members in runs:
        top = top_of(members)
        for pos, i in enumerate(members):
            result[i] = top - pos * gap
    return result


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
    values = df["outcome"].cast(pl.Float64).to_list()
    lo, hi = nice_domain(min(values), max(values))
    y_scale = alt.Scale(zero=False, domain=[lo, hi], nice=False)
    y = alt.Y("outcome:Q", title=_unit_title("Utfall", unit), axis=alt.Axis(format=NUMBER_FORMAT),
              scale=y_scale)
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
    # labels that end in the same year are spread apart (never one district's name over another's)
    last = pl.concat([
        group.with_columns(etikett_y=pl.Series(spread_labels(group["outcome"].to_list(), lo, hi), dtype=pl.Float64))
        for group in last.partition_by("år", maintain_order=True)]) if last.height else last
    labels = alt.Chart(last).mark_text(align="left", dx=8, fontSize=12, fontWeight="bold").encode(
        x=x, y=alt.Y("etikett_y:Q", scale=y_scale, title=_unit_title("Utfall", unit),
                     axis=alt.Axis(format=NUMBER_FORMAT)), text="district:N", color=colour)
    # the longest label (bold 12 px: about 7 px a character, 8 px off its point) fits on the chart;
    # the last year's point sits about 50 px inside the plot's right edge
    longest = max((len(d) for d in last["district"].to_list()), default=0)
    return finish(alt.layer(*layers, line, points, labels), title=title, subtitle=subtitle, width=width,
                  height=LINES_HEIGHT, pad_right=max(16, 8 + 7 * longest - 50))


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
