"""Källor och kvalitet: documents, detection results, parse warnings, uncertain matches."""
import polars as pl
import streamlit as st

from dashboard import queries
from dashboard.ui import header, no_data, q, show_table

header("Källor och kvalitet", "Vilka dokument som är inlästa, hur de känts igen och vad inläsningen varnar för.")

docs = q(queries.documents)
if docs.height == 0:
    no_data()
    st.stop()
info = q(queries.build_info)
st.caption(" · ".join(f"{k}: {v}" for k, v in info.items()))

st.subheader("Dokument")
docs = docs.with_columns(dokument=pl.col("doc_type").replace_strict(queries.DOC_TYPE_LABELS,
                                                                     default=pl.col("doc_type")))
show_table(docs, {"district": "Stadsdel", "year": "År", "dokument": "Dokument", "level": "Nivå",
                  "unit_name": "Enhet", "source_file": "Fil", "text_flavour": "Textformat",
                  "detected_by": "Igenkänt via", "n_lines": "Rader", "n_goals": "Mål",
                  "n_values": "Indikatorvärden", "n_warnings": "Varningar", "sha256": "SHA-256"}, key="docs")

st.subheader("Varningar från inläsningen")
warns = q(queries.warnings)
if warns.height:
    stages = sorted(set(warns["stage"].to_list()))
    picked = st.multiselect("Steg", stages, key="steg", bind="query-params", placeholder="Alla steg")
    if picked:
        warns = warns.filter(pl.col("stage").is_in(picked))
    show_table(warns, {"source_file": "Fil", "stage": "Steg", "source_line": "Rad", "message": "Varning"},
               key="warnings")
else:
    st.success("Inga varningar.")

st.subheader("Osäkra indikatormatchningar")
matches = q(queries.uncertain_matches)
if matches.height:
    st.caption("Tryckta indikatornamn som liknar en annan indikator men inte slogs ihop automatiskt. "
               "Rätta i `data/indicator_overrides.csv` och bygg om.")
    show_table(matches, {"printed_name": "Tryckt namn", "candidate_name": "Liknar", "score": "Likhet",
                         "reason": "Skäl", "districts": "Stadsdelar", "years": "År"}, key="matches")
else:
    st.success("Inga osäkra matchningar att granska.")
