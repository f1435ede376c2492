"""The Ekonomi page's charts: budget or bokslut per activity area and district
(`budget_bars`), budget against bokslut (`budget_vs_outcome_bars`). Style and shared pieces:
chart_style.py."""
from __future__ import annotations

import altair as alt
import polars as pl

from dashboard.chart_style import CAPITALISE, NUMBER_FORMAT, _clean, _empty, _unvalidated, finish


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
