"""Aktiviteter: the activities the plans and reports list, per district and year, by goal."""
import functools

import altair as alt
import polars as pl
import streamlit as st

from dashboard import activity_queries as aq
from dashboard import chart_style, document_queries, labels
from dashboard import export as ex
from dashboard.fmt import fmt_int, md_escape
from dashboard.ui import (
    chart,
    choice_select,
    district_select,
    header,
    my_district,
    no_data,
    q,
    show_chart,
    show_table,
    shown,
    view_tabs,
    year_select,
)

ALL_DOCS = "alla"
ALL_GOALS = "Alla mål"
TIMELINE_MAX = 150          # bars in one timeline; more: the first ones and a note
SEPARATE_TABLES_MAX = 6     # documents shown as a table each; more: one table with their names
STATUS_COLORS = {
    aq.STATUS_PLANNED: "#5c7c99",
    aq.STATUS_CONTINUES: "#1a4f9c",
    aq.STATUS_NO_DEVIATION: "#6a9f58",
    aq.STATUS_DEVIATION: "#c62828",
}
SOURCE = "Stadsdelsnämndernas verksamhetsplaner och verksamhetsberättelser"

header("Aktiviteter", "Aktiviteterna i stadsdelsnämndernas verksamhetsplaner och verksamhetsberättelser: "
       "per stadsdel och år, ordnade efter mål, med start- och slutdatum och rapporternas avvikelser.")

if not q(document_queries.years):
    no_data()
    st.stop()

top = st.columns([3, 1, 1.4])
middle = st.columns([1, 1])
with st.container():
    units = st.toggle("Med enheternas verksamhetsplaner", key="enheter", bind="query-params",
                      help="Aktiviteter i verksamhetsplaner för enskilda enheter (inte nämndens egna).")

years = q(aq.activity_years, units=units)
if not years:
    st.info("De inlästa dokumenten innehåller inga aktiviteter (tabeller med kolumnerna Aktivitet, "
            "Startdatum och Slutdatum)" + ("" if units else " på nämndnivå") + ".")
    st.stop()

with top[1]:
    year = year_select(years, default=max(years))
# the districts with activities in any year and document: the same options for every year and
# with or without the units' plans, so "all districts" stays all when the view changes
options = q(aq.activity_districts, units=True)
mine = my_district()
with middle[0]:   # opens on Min stadsdel when one is chosen (a city's activities are thousands)
    chosen = district_select(options, default=[mine] if mine in options else None) or options
with top[0]:
    text = st.text_input("Sök i aktiviteter, mål och analyser", key="sok", bind="query-params",
                         placeholder="t.ex. feriejobb, äldreomsorg") or ""
base = q(aq.activities, districts=tuple(chosen), year=year, units=units)
with top[2]:
    doc = choice_select("Dokument", [ALL_DOCS, *aq.doc_types(base)], key="dokument", default=ALL_DOCS,
                        format_func=lambda t: "Alla dokument" if t == ALL_DOCS
                        else labels.DOC_TYPE_LABELS.get(t, t))
doc_type = None if doc == ALL_DOCS else doc
in_doc = base if doc_type is None else base.filter(pl.col("doc_type") == doc_type)
with middle[1]:
    goal = choice_select("Mål", [ALL_GOALS, *aq.goal_labels(in_doc)], key="mal", default=ALL_GOALS)
frame = q(aq.activities, districts=tuple(chosen), year=year, doc_type=doc_type,
          goal=None if goal == ALL_GOALS else goal, text=text, units=units)

every = len(chosen) == len(options)
if not units:       # all districts chosen: also those with only a unit's plan that year
    hidden = q(aq.unit_activity_count, year, None if every else tuple(chosen))
    if hidden:
        st.caption(f"{fmt_int(hidden)} {'aktivitet' if hidden == 1 else 'aktiviteter'} i enheternas "
                   "verksamhetsplaner visas inte; slå på ”Med enheternas verksamhetsplaner”.")

without = [d for d in chosen if d not in set(base["district"].to_list())]
if without:
    st.caption(f"Inga aktiviteter {year}" + ("" if units else " på nämndnivå") + " för "
               + md_escape(", ".join(without)) + ".")

if frame.height == 0:
    wanted = f" som matchar ”{md_escape(text.strip(), inline=True)}”" if text.strip() else ""
    st.info(f"Inga aktiviteter {year}{wanted} med valda filter.")
    st.stop()

counts = aq.summary(frame)
cols = st.columns(4)
cols[0].metric("Aktiviteter", fmt_int(counts["n"]))
cols[1].metric("Med start- och slutdatum", fmt_int(counts["n_dated"]))
cols[2].metric("I rapporter", fmt_int(counts["n_reported"]),
               help="Aktiviteter i verksamhetsberättelser och tertialrapporter (de som kan ha en avvikelse)")
cols[3].metric("Med avvikelse", fmt_int(counts["n_deviation"]),
               help="Aktiviteter som rapporten markerar med ”Avvikelse”")
st.caption(aq.STATUS_RULE)

where = "alla stadsdelar" if every else ", ".join(chosen)
filters = [f for f in (where, None if goal == ALL_GOALS else f"mål: {goal}",
                       None if doc_type is None else labels.DOC_TYPE_LABELS.get(doc_type, doc_type),
                       f"sökning: {text.strip()}" if text.strip() else None) if f]
title = f"Aktiviteter {year}"
subtitle = " · ".join(filters)


def timeline(df: pl.DataFrame, *, title: str, subtitle: str):
    """Bars from start to end date per activity (rows in table order), coloured by status."""
    present = set(df["status"].to_list())
    domain = [s for s in aq.STATUSES if s in present]
    data = df.select("row", "start", "end", "status", "text", "district", "goal_label", "start_date",
                     "end_date", "doc_label", "deviation", "source")
    tooltip = [alt.Tooltip("text:N", title="Aktivitet"), alt.Tooltip("district:N", title="Stadsdel"),
               alt.Tooltip("goal_label:N", title="Mål"), alt.Tooltip("start_date:N", title="Start"),
               alt.Tooltip("end_date:N", title="Slut"), alt.Tooltip("status:N", title="Status"),
               alt.Tooltip("deviation:N", title="Avvikelse"), alt.Tooltip("doc_label:N", title="Dokument"),
               alt.Tooltip("source:N", title="Källa")]
    bars = alt.Chart(data).mark_bar(height={"band": 0.7}).encode(
        y=alt.Y("row:N", sort=data["row"].to_list(), title=None, axis=alt.Axis(labelLimit=460)),
        x=alt.X("start:T", title=None, scale=alt.Scale(type="utc"),
                axis=alt.Axis(format="%b %Y", labelExpr=chart_style.CAPITALISE, orient="top")),
        x2="end:T",
        color=alt.Color("status:N", title="Status",
                        scale=alt.Scale(domain=domain, range=[STATUS_COLORS[s] for s in domain])),
        tooltip=tooltip)
    return chart_style.finish(bars, title=title, subtitle=subtitle, width="container",
                              height=max(120, 22 * data.height))


def per_district(df: pl.DataFrame, *, title: str, subtitle: str, mine: str | None):
    """A bar per district, its activities stacked by status, most first (Min stadsdel marked)."""
    present = set(df["status"].to_list())
    domain = [s for s in aq.STATUSES if s in present]
    order = list(dict.fromkeys(df["district"].to_list()))
    bars = alt.Chart(df).mark_bar().encode(
        y=alt.Y("district:N", sort=order, title=None, axis=chart_style.district_axis(mine)),
        x=alt.X("n:Q", stack="zero", title="Antal aktiviteter", axis=alt.Axis(format=",d")),
        color=alt.Color("status:N", title="Status", sort=domain,
                        scale=alt.Scale(domain=domain, range=[STATUS_COLORS[s] for s in domain])),
        order=alt.Order("status_order:Q"),
        tooltip=[alt.Tooltip("district:N", title="Stadsdel"), alt.Tooltip("status:N", title="Status"),
                 alt.Tooltip("n:Q", title="Aktiviteter", format=",d"),
                 alt.Tooltip("total:Q", title="Alla aktiviteter", format=",d")])
    return chart_style.finish(bars, title=title, subtitle=subtitle, width="container",
                              height=max(120, 26 * len(order)))


diagram, tabell = view_tabs()
if shown(diagram):          # only the open tab is made (the URL keeps the tab)
    with diagram:
        rows = aq.timeline_frame(frame, TIMELINE_MAX)
        n_dated = counts["n_dated"]
        districts_shown = frame["district"].n_unique()
        if districts_shown > 1:
            overview = aq.status_counts(frame).with_columns(
                status_order=pl.col("status").replace_strict({s: k for k, s in enumerate(aq.STATUSES)}, default=9))
            show_chart(chart(per_district, overview, title=f"{title}: per stadsdel", subtitle=subtitle, mine=mine),
                       overview.select(Stadsdel="district", Status="status", Aktiviteter="n",
                                       **{"Alla aktiviteter i stadsdelen": pl.col("total")}),
                       title=f"{title}: per stadsdel", subtitle=subtitle, source=SOURCE,
                       key="activities_per_district")
            st.caption(f"{fmt_int(districts_shown)} stadsdelar. Välj en stadsdel (eller Min stadsdel i sidopanelen) "
                       "för att se dess aktiviteter på en tidslinje; alla rader finns under Tabell.")
        elif rows.height == 0:
            st.info("Ingen av de valda aktiviteterna har tolkningsbara start- och slutdatum; se Tabell.")
        else:
            show_chart(chart(timeline, rows, title=f"{title}: tidslinje",
                             subtitle=subtitle or "Från start- till slutdatum"),
                       aq.export_frame(rows), title=f"{title}: tidslinje", subtitle=subtitle, source=SOURCE,
                       key="activities_timeline")
            notes = ["Staplarna går från startdatum till och med slutdatum; färgen är status (se ovan)."]
            if n_dated > rows.height:
                notes.append(f"Diagrammet visar de första {fmt_int(rows.height)} av {fmt_int(n_dated)} daterade "
                             "aktiviteterna; välj färre stadsdelar, ett mål eller sök för att se resten.")
            if counts["n"] > n_dated:
                rest = counts["n"] - n_dated
                notes.append(f"{fmt_int(rest)} {'aktivitet saknar' if rest == 1 else 'aktiviteter saknar'} "
                             "tolkningsbara datum och visas bara i tabellen (datum som de är tryckta).")
            st.caption(" ".join(notes))

COLUMNS = {"text": "Aktivitet", "goal_label": "Mål", "start_date": "Start", "end_date": "Slut",
           "status": "Status", "deviation": "Avvikelse", "analysis": "Analys", "source": "Källa"}
if shown(tabell):
    with tabell:
        n_docs = frame["document_id"].n_unique()
        if n_docs > SEPARATE_TABLES_MAX:       # a city's documents: one table that names them
            st.markdown(f"**{fmt_int(frame.height)} aktiviteter** i {fmt_int(n_docs)} dokument")
            show_table(frame.with_columns(dokument=pl.concat_str(
                pl.col("doc_label"), pl.lit(" "), pl.col("year").cast(pl.String),
                pl.when(pl.col("unit_name").is_not_null()).then(pl.lit(" · ") + pl.col("unit_name")).otherwise(pl.lit("")))),
                {"district": "Stadsdel", "dokument": "Dokument", **COLUMNS}, key="activities_all")
        for (_, district, doc_label, doc_year, unit_name), part in ([] if n_docs > SEPARATE_TABLES_MAX else frame.group_by(
                "document_id", "district", "doc_label", "year", "unit_name", maintain_order=True)):
            n = part.height
            unit = f" · {md_escape(unit_name)} (enhet)" if unit_name else ""
            st.markdown(f"**{md_escape(district)}** · {md_escape(doc_label)} {doc_year}{unit} · "
                        f"{n} {'aktivitet' if n == 1 else 'aktiviteter'}")
            shown = dict(COLUMNS)
            if (part["doc_type"] == labels.PLAN).all() and part["deviation"].is_null().all():
                shown.pop("deviation")          # a plan has no Avvikelse column
            if part["analysis"].is_null().all():
                shown.pop("analysis")
            show_table(part, shown, key=f"activities_{part['document_id'][0]}")
        table = aq.export_frame(frame)
        meta = ex.ExportMeta(title, subtitle, ex.source_note(frame) or f"Källa: {SOURCE}")
        st.caption("Ladda ner tabellen (alla rader med valda filter). "
                   "CSV: semikolon och decimalkomma för svenska Excel.")
        c = st.columns([1, 1, 4])
        c[0].download_button("CSV", data=functools.partial(ex.frame_to_csv, table, meta),
                             file_name=f"{meta.file_stem()}.csv", mime=ex.MIME["csv"], key="activities-csv",
                             on_click="ignore", icon=":material/download:")
        c[1].download_button("Excel", data=functools.partial(ex.frame_to_xlsx, table, meta),
                             file_name=f"{meta.file_stem()}.xlsx", mime=ex.MIME["xlsx"], key="activities-xlsx",
                             on_click="ignore", icon=":material/table:")
