"""Ekonomi: budget per activity area across districts; budget against bokslut."""
import polars as pl
import streamlit as st

from dashboard import budget_charts, budget_queries
from dashboard.fmt import fmt_signed, fmt_value
from dashboard.ui import chart, choice_select, header, q, show_chart, show_table, shown, view_tabs, year_select

header("Ekonomi", "Budget och bokslut per verksamhetsområde (mnkr), som de är tryckta i dokumentens tabeller.")

years = q(budget_queries.budget_years)
if not years:
    st.info("Inga budgettabeller är inlästa ännu. De läses ur dokumentens tabeller i mnkr vid nästa "
            "bygge av databasen (`python -m etl build`).")
    st.stop()
c1, c2 = st.columns([1, 2])
with c1:
    year = year_select(years, default=q(budget_queries.budget_default_year))
with c2:
    kind = st.segmented_control("Visa", ["Budget", "Bokslut"], default="Budget", key="slag",
                                bind="query-params", required=True)
by_area = q(budget_queries.budget_by_area, year, (kind or "Budget").lower())
versus = q(budget_queries.budget_vs_outcome, year)
# one area at a time when many districts report (13 districts x 12 areas in one chart is
# thousands of pixels tall); all areas stay in the table
ALL_AREAS = "Alla områden"
totals = by_area.group_by("area").agg(pl.col("value").sum()).sort("value", descending=True) if by_area.height \
    else pl.DataFrame({"area": []}, schema={"area": pl.String})
areas = [a for a in totals["area"].to_list() if a]
n_districts = by_area["district"].n_unique() if by_area.height else 0
area = choice_select("Verksamhetsområde", [ALL_AREAS] + areas, key="omrade",
                     default=ALL_AREAS if n_districts <= 4 or not areas else areas[0],
                     format_func=lambda a: a[:1].upper() + a[1:]) if areas else ALL_AREAS
chart_areas = by_area if area == ALL_AREAS else by_area.filter(pl.col("area") == area)
chart_versus = versus if area == ALL_AREAS else versus.filter(pl.col("area") == area)
label = "per verksamhetsområde" if area == ALL_AREAS else f"– {area[:1].upper() + area[1:]}"
source = "Stadsdelsnämndernas verksamhetsplaner och verksamhetsberättelser (mnkr)"

diagram, tabell = view_tabs()
if shown(diagram):          # only the open tab is made (the URL keeps the tab)
    with diagram:
        if chart_areas.height:
            show_chart(chart(budget_charts.budget_bars, chart_areas, title=f"{kind} {year} {label}"), chart_areas,
                       title=f"{kind} {year} {label}", subtitle="mnkr", source=source, key="areas")
        else:
            st.info(f"Ingen kolumn för {kind.lower()} {year} i de inlästa dokumenten.")
        both = chart_versus.filter(pl.col("budget").is_not_null() & pl.col("bokslut").is_not_null())
        if both.height:
            st.subheader(f"Budget mot bokslut {year}")
            show_chart(chart(budget_charts.budget_vs_outcome_bars, both, title=f"Budget mot bokslut {year}"), both,
                       title=f"Budget mot bokslut {year}", subtitle="mnkr", source=source, key="versus")
if shown(tabell):
    with tabell:
        rows = versus.to_dicts()
        table = versus.with_columns(*[
            pl.Series(f"{c}_txt", [fmt_value(r[c], "mnkr", 1) for r in rows], dtype=pl.String)
            for c in ("budget", "bokslut")], avvikelse_txt=pl.Series([fmt_signed(r["avvikelse"], "mnkr") for r in rows],
                                                                     dtype=pl.String))
        show_table(table, {"district": "Stadsdel", "area": "Verksamhetsområde", "budget_txt": "Budget",
                           "bokslut_txt": "Bokslut", "avvikelse_txt": "Avvikelse (överskott +, underskott −)",
                           "budget_column": "Budgetkolumn",
                           "budget_source": "Dokument (budget)", "budget_lines": "Rader (budget)",
                           "bokslut_column": "Bokslutskolumn", "bokslut_lines": "Rader (bokslut)"}, key="budget_table")

with st.expander("Hur siffrorna väljs"):
    st.markdown(
        "Varje kolumn i dokumentens budgettabeller klassas efter sin rubrik (”VP 2021”, ”Budget 2021” → "
        "budget; ”Bokslut”, ”Utfall”, ”VB 2019” → bokslut) och år. Per stadsdel används en kolumn i en "
        "tabell: den som täcker flest verksamhetsområden, helst ur årets eget dokument och helst netto "
        "(vid lika: kolumnen längst till vänster i tabellen). Rader som börjar med ”varav” ingår redan i "
        "raden ovanför och investeringar är inte driftbudget, så de räknas inte med. Saknas en sida "
        "visas den som saknad, inte som 0. Avvikelse = budget − bokslut, som i verksamhetsberättelserna: "
        "ett överskott är positivt (+), ett underskott negativt (−).")
