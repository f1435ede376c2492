"""Grid charts: the documents loaded per district and year (`coverage_grid`, Översikt) and
the goals' printed assessments per district (`assessment_grid`, Måluppfyllelse). Style and
shared pieces: chart_style.py."""
from __future__ import annotations

import altair as alt
import polars as pl

from dashboard.chart_style import ASSESSMENT_COLORS, _clean, _empty, _unvalidated, finish
from dashboard.labels import ASSESSMENT_LABELS, DOC_TYPE_LABELS


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
