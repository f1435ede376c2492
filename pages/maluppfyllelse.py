"""Måluppfyllelse: goals and their printed assessment (helt/delvis/inte) across districts."""
import polars as pl
import streamlit as st

from dashboard import document_queries, goal_queries, grid_charts, labels
from dashboard.ui import chart, header, no_data, q, show_chart, show_table, shown, view_tabs, year_select

LEVELS = {"kf_mal": "KF:s mål för verksamhetsområdet", "namndmal": "Nämndmål",
          "inriktningsmal": "Inriktningsmål", "enhetsmal": "Enhetsmål"}

header("Måluppfyllelse", "Hur stadsdelarna själva bedömer att målen uppfylls (helt, delvis, inte) "
       "i verksamhetsberättelserna.")

years = q(goal_queries.assessment_years) or q(document_queries.years)
if not years:
    no_data()
    st.stop()
c1, c2 = st.columns([1, 2])
with c1:
    year = year_select(years)
with c2:
    level = st.selectbox("Målnivå", list(LEVELS), format_func=LEVELS.get, key="niva", bind="query-params",
                             placeholder="Välj målnivå")

goals = q(goal_queries.goal_assessments, year, level)
# the grid holds the reports' goals (a plan's goals carry no assessment: mixed in, a city's
# plans would fill the grid with "Utan bedömning"); districts with only a plan that year are
# listed below it
reports = goals.filter(pl.col("doc_type") != labels.PLAN)
with_assessment = set(reports["district"].to_list())
without = sorted(set(goals["district"].to_list()) - with_assessment)
if with_assessment:
    goals = reports
assessed = goals.filter(pl.col("assessment").is_not_null())
if goals.height == 0:
    st.info(f"Inga mål på nivån {LEVELS[level].lower()} för {year}.")
    st.stop()

cols = st.columns(4)
for col, (key, label) in zip(cols, labels.ASSESSMENT_LABELS.items()):
    col.metric(label, assessed.filter(pl.col("assessment") == key).height)
cols[3].metric("Utan bedömning", goals.height - assessed.height,
               help="Mål som verksamhetsberättelsen inte bedömer (planer räknas inte här)")

diagram, tabell = view_tabs()
if shown(diagram):          # only the open tab is made (the URL keeps the tab)
    with diagram:
        show_chart(chart(grid_charts.assessment_grid, goals, title=f"{LEVELS[level]} {year}"), goals,
                   title=f"{LEVELS[level]} {year}", subtitle="Bedömning per stadsdel",
                   source="Stadsdelsnämndernas verksamhetsberättelser", key="assessments")
        st.caption("Grönt: helt uppfyllt · gult: delvis · rött: inte uppfyllt · grått: ingen bedömning tryckt.")
if without and with_assessment:
    st.caption(f"Utan bedömningar {year} (bara verksamhetsplan): {', '.join(without)}.")
if shown(tabell):
    with tabell:
        table = goals.with_columns(
            bedomning=pl.col("assessment").replace_strict(labels.ASSESSMENT_LABELS, default="–"))
        show_table(table, {"district": "Stadsdel", "code": "Nr", "text": "Mål", "bedomning": "Bedömning",
                           "assessment_raw": "Tryckt bedömning", "parent_text": "Överordnat mål",
                           "source_file": "Dokument", "source_line": "Rad"}, key="goals_table")
