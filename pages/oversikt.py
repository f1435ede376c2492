"""Översikt: what is loaded (coverage grid), the latest documents, the city-wide picture."""
import polars as pl
import streamlit as st

from dashboard import charts, queries
from dashboard.fmt import fmt_int, fmt_percent
from dashboard.ui import header, no_data, q, show_chart, show_table, view_tabs

header("Stadsdelsjämföraren",
       "Jämför Stockholms stadsdelsnämnder: indikatorer, mål, ekonomi och text ur "
       "verksamhetsplaner och verksamhetsberättelser.")

info = q(queries.overview)
if not info["n_documents"]:
    no_data()
    st.stop()

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
cov = q(queries.coverage)
diagram, tabell = view_tabs()
with diagram:
    sub = "Siffran i rutan: antal indikatorvärden i dokumentet. Ljusare: enhetens dokument."
    show_chart(charts.coverage_grid(cov), cov, title="Inlästa dokument per stadsdel och år", subtitle=sub,
               source="Stadsdelsnämndernas verksamhetsplaner och verksamhetsberättelser", key="coverage")
    st.caption(sub)
with tabell:
    table = cov.with_columns(dokument=pl.col("doc_type").replace_strict(
        queries.DOC_TYPE_LABELS, default=pl.col("doc_type")),
        level=pl.col("level").replace_strict(queries.LEVEL_LABELS, default=pl.col("level")))
    show_table(table, {"district": "Stadsdel", "year": "År", "dokument": "Dokument", "level": "Nivå",
                       "n_values": "Indikatorvärden", "files": "Fil"}, key="coverage_table")

st.subheader("Senast inlästa dokument")
latest = q(queries.latest_documents, 5).with_columns(dokument=pl.col("doc_type").replace_strict(
    queries.DOC_TYPE_LABELS, default=pl.col("doc_type")))
show_table(latest, {"district": "Stadsdel", "year": "År", "dokument": "Dokument",
                    "unit_name": "Enhet", "source_file": "Fil"}, key="latest")

with st.expander("Så lägger du till fler dokument"):
    st.markdown(
        "1. Spara verksamhetsplanen eller verksamhetsberättelsen (text, Markdown eller PDF) i `data/raw/`.\n"
        "2. Kör `.venv/bin/python -m etl build --input data/raw`.\n"
        "3. Ladda om sidan – appen läser den nya databasen utan omstart.\n\n"
        "Stadsdel, år och dokumenttyp läses ur dokumentets innehåll. Se **Källor och kvalitet** "
        "för varningar från inläsningen.")
