"""Översikt: what is loaded (coverage grid), the latest documents, the city-wide picture."""
import polars as pl
import streamlit as st

from dashboard import document_queries, grid_charts, labels, standing
from dashboard.fmt import fmt_int, fmt_percent, fmt_value, md_escape
from dashboard.ui import chart, header, my_district, no_data, q, show_chart, show_list, show_table, shown, view_tabs

header("Stadsdelsjämföraren",
       "Jämför Stockholms stadsdelsnämnder: indikatorer, mål, ekonomi och text ur "
       "verksamhetsplaner och verksamhetsberättelser.")

info = q(document_queries.overview)
if not info["n_documents"]:
    no_data()
    st.stop()



def my_summary(district: str) -> None:
    """Min stadsdel's summary: latest document, share met against the city, furthest ahead
    and behind, its goals' printed assessments."""
    s = q(standing.district_summary, district)
    st.subheader(f"Min stadsdel: {district}")
    latest = s["latest"]
    if latest is None:
        st.info(f"Inga dokument för {district} är inlästa.")
        return
    kind = labels.DOC_TYPE_LABELS.get(latest["doc_type"], latest["doc_type"])
    st.caption(md_escape(f"Senaste dokument: {kind} {latest['year']} ({latest['source_file']})"))
    c1, c2 = st.columns(2)
    if s["share_met"] is not None:
        delta = (s["share_met"] - s["city_share"]) * 100
        c1.metric(f"Indikatorer som nått målet {s['year']}", fmt_percent(s["share_met"]),
                  delta=f"{fmt_value(delta, 'procentenheter', 0)} mot stadens median",
                  help=f"Av {fmt_int(s['n_judged'])} utfall med mål och känd riktning. Stadens median: "
                       f"{fmt_percent(s['city_share'])} (median av {s['n_city']} stadsdelar)")
    if s["goals"].height:
        counts = s["goals"]["assessment"].value_counts()
        n = dict(zip(counts["assessment"].to_list(), counts["count"].to_list()))
        c2.metric(f"Mål helt uppfyllda {s['goal_year']}", f"{n.get('helt', 0)} av {s['goals'].height}",
                  help=f"Delvis: {n.get('delvis', 0)}, inte: {n.get('inte', 0)} (bedömning i verksamhetsberättelsen)")
    cols = {"indicator": "Indikator", "utfall": "Utfall", "median_txt": "Stadens median", "rank_text": "Placering"}
    for frame, heading in ((s["ahead"], "Längst före de andra"), (s["behind"], "Längst efter de andra")):
        if frame.height:
            st.markdown(f"**{heading} ({s['year']})**")
            rows = frame.to_dicts()
            show_list(frame.with_columns(
                utfall=pl.Series([fmt_value(r["outcome"], r["unit"]) for r in rows], dtype=pl.String),
                median_txt=pl.Series([fmt_value(r["median"], r["unit"]) for r in rows], dtype=pl.String)),
                cols)
    if s["goals"].height:
        with st.expander(f"Målens bedömning {s['goal_year']}"):
            goals = s["goals"].with_columns(bedomning=pl.col("assessment").replace_strict(
                labels.ASSESSMENT_LABELS, default=pl.col("assessment")))
            show_table(goals, {"code": "Nr", "text": "Mål", "bedomning": "Bedömning",
                               "assessment_raw": "Tryckt bedömning"}, key="mine_goals")
    st.divider()


mine = my_district()
if mine is not None:
    my_summary(mine)
else:
    st.caption("Välj **Min stadsdel** i sidomenyn: den markeras i alla diagram och får en sammanfattning här.")

c1, c2, c3 = st.columns(3)
c4, c5, _ = st.columns(3)
c1.metric("Stadsdelar", fmt_int(info["n_districts"]))
c2.metric("Dokument", fmt_int(info["n_documents"]), help=f"År {info['first_year']}–{info['last_year']}")
c3.metric("Indikatorvärden", fmt_int(info["n_values"]), help=f"{fmt_int(info['n_indicators'])} indikatorer")
c4.metric(f"KF-mål helt uppfyllda {info['assessment_year'] or ''}".strip(),
          fmt_percent(info["share_helt"]) if info["share_helt"] is not None else "–",
          help=f"Andel av {fmt_int(info['n_assessed'])} bedömda KF-mål i verksamhetsberättelserna")
c5.metric(f"Indikatorer som nått målet {info['met_year'] or ''}".strip(),
          fmt_percent(info["share_met"]) if info["share_met"] is not None else "–",
          help=f"Andel av {fmt_int(info['n_judged'])} utfall med mål och känd riktning (högre/lägre är bättre)")

st.subheader("Vad som är inläst")
cov = q(document_queries.coverage)
diagram, tabell = view_tabs()
if shown(diagram):          # only the open tab is made (the URL keeps the tab)
    with diagram:
        sub = "Siffran i rutan: antal indikatorvärden i dokumentet. Ljusare: enhetens dokument."
        show_chart(chart(grid_charts.coverage_grid, cov), cov, title="Inlästa dokument per stadsdel och år",
                   subtitle=sub, source="Stadsdelsnämndernas verksamhetsplaner och verksamhetsberättelser",
                   key="coverage")
        st.caption(sub)
if shown(tabell):
    with tabell:
        table = cov.with_columns(dokument=pl.col("doc_type").replace_strict(
            labels.DOC_TYPE_LABELS, default=pl.col("doc_type")),
            level=pl.col("level").replace_strict(labels.LEVEL_LABELS, default=pl.col("level")))
        show_table(table, {"district": "Stadsdel", "year": "År", "dokument": "Dokument", "level": "Nivå",
                           "n_values": "Indikatorvärden", "files": "Fil"}, key="coverage_table")

st.subheader("Senast inlästa dokument")
latest = q(document_queries.latest_documents, 5).with_columns(dokument=pl.col("doc_type").replace_strict(
    labels.DOC_TYPE_LABELS, default=pl.col("doc_type")))
show_list(latest, {"district": "Stadsdel", "year": "År", "dokument": "Dokument",
                   "unit_name": "Enhet", "source_file": "Fil"})

with st.expander("Så lägger du till fler dokument"):
    st.markdown(
        "1. Spara verksamhetsplanen eller verksamhetsberättelsen (text, Markdown eller PDF) i `data/raw/`.\n"
        "2. Kör `.venv/bin/python -m etl build --input data/raw`.\n"
        "3. Ladda om sidan – appen läser den nya databasen utan omstart.\n\n"
        "Stadsdel, år och dokumenttyp läses ur dokumentets innehåll. Se **Källor och kvalitet** "
        "för varningar från inläsningen.")
