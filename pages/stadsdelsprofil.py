"""Stadsdelsprofil: one district, all its indicators for a year."""
import polars as pl
import streamlit as st

from dashboard import document_queries, indicator_charts, indicator_queries, labels, standing, text_match
from dashboard.fmt import fmt_value, md_escape
from dashboard.ui import (
    chart,
    header,
    my_district,
    no_data,
    provenance,
    q,
    show_chart,
    show_table,
    shown,
    value_text,
    view_tabs,
    year_select,
)

header("Stadsdelsprofil", "Alla indikatorer för en stadsdel och ett år: mål, utfall, förra året och måluppfyllelse.")

districts = q(document_queries.districts)
if not districts:
    no_data()
    st.stop()
default = q(document_queries.default_district)
mine = my_district()
start = mine if mine in districts else default[0]      # "Min stadsdel" opens first
c1, c2, c3 = st.columns([2, 1, 3])
with c1:
    district = st.selectbox("Stadsdel", districts, index=districts.index(start), key="stadsdel", placeholder="Välj stadsdel",
                            bind="query-params")
docs = q(document_queries.documents).filter((pl.col("district") == district) & (pl.col("level") == "namnd"))
with c2:
    year = year_select(docs["year"].unique().to_list(), default=default[1] if district == default[0] else None)
profile = q(indicator_queries.district_profile, district, year)
areas = sorted({a for a in profile["area"].to_list() if a}) if profile.height else []
with c3:
    picked = st.multiselect("Inriktningsmål", areas, key="omrade", bind="query-params",
                            placeholder="Alla inriktningsmål")
goal_text = st.text_input("Filtrera på mål eller indikator", key="mal", bind="query-params")
if picked:
    profile = profile.filter(pl.col("area").is_in(picked))
if goal_text:
    profile = profile.filter(text_match.contains_text(["goal_text", "indicator"], goal_text))
if profile.height == 0:
    st.info(f"Inga indikatorer för {district} {year} med valda filter.")
    st.stop()

counts = profile.group_by("attainment").len().to_dicts()
cols = st.columns(len(counts))
for col, c in zip(cols, sorted(counts, key=lambda c: list(labels.ATTAINMENT_LABELS).index(c["attainment"]))):
    col.metric(labels.ATTAINMENT_LABELS[c["attainment"]], c["len"])

place = q(standing.places, district, year).select("indicator_id", "rank_text")
profile = profile.join(place, on="indicator_id", how="left")
rows = profile.to_dicts()
table = profile.with_columns(
    utfall=pl.Series([value_text(r) for r in rows], dtype=pl.String),
    mal=pl.Series([fmt_value(r.get("target"), r.get("unit")) for r in rows], dtype=pl.String),
    forra=pl.Series([fmt_value(r.get("last_year"), r.get("unit")) for r in rows], dtype=pl.String),
    uppfyllelse=pl.Series([labels.ATTAINMENT_LABELS.get(r["attainment"], "–") for r in rows]),
)
diagram, tabell = view_tabs()
if shown(diagram):          # only the open tab is made (the URL keeps the tab)
    with diagram:
        show_chart(chart(indicator_charts.attainment_summary, profile,
                         title=f"{district} {year}: måluppfyllelse per inriktningsmål"),
                   profile, title=f"{district} {year}", subtitle="Indikatorer per måluppfyllelse",
                   source="Stadsdelens verksamhetsplan och verksamhetsberättelse", key="profile")
        st.subheader("Utfall jämfört med målet")
        show_chart(chart(indicator_charts.target_gaps, profile, title=f"{district} {year}: avstånd till målet"),
                   profile, title=f"{district} {year}: avstånd till målet", subtitle="Procent av årsmålet",
                   source="Stadsdelens verksamhetsberättelse", key="gaps")
        st.caption("Positivt: bättre än målet, med hänsyn till om högre eller lägre värden är bättre. "
                   "Indikatorer utan utfall, mål eller känd riktning visas inte här (se Tabell).")
if shown(tabell):
    with tabell:
        for area, part in table.group_by("area", maintain_order=True):
            st.markdown(f"**{md_escape(area[0] or 'Utan inriktningsmål')}**")
            show_table(part, {"indicator": "Indikator", "utfall": "Utfall", "mal": "Årsmål",
                              "forra": f"Utfall {year - 1}", "uppfyllelse": "Måluppfyllelse",
                              "rank_text": "Placering bland stadsdelarna",
                              "goal_text": "Mål", "source_file": "Dokument", "source_line": "Rad"})

st.subheader("Varifrån kommer siffrorna?")
names = [r["indicator"] for r in rows]
picked_row = st.selectbox("Visa källan för indikatorn", range(len(rows)), format_func=lambda i: names[i],
                          index=None, key="kalla", placeholder="Välj en indikator")
if picked_row is not None:
    provenance(rows[picked_row], label=rows[picked_row]["indicator"], expanded=True)
