"""Sök i dokumenten: full-text search over the documents' sections."""
import streamlit as st

from dashboard import queries
from dashboard.fmt import fmt_lines, md_escape
from dashboard.ui import header, q

header("Sök i dokumenten", "Fritextsökning i alla inlästa dokument; böjningsformer matchas (förskola, förskolan).")

c1, c2 = st.columns([3, 1])
with c1:
    text = st.text_input("Sökord", key="q", bind="query-params", placeholder="t.ex. trygghet, feriejobb")
with c2:
    district = st.selectbox("Stadsdel", q(queries.districts), index=None, key="stadsdel",
                            bind="query-params", placeholder="Alla stadsdelar")
if not text.strip():
    st.info("Skriv ett eller flera ord för att söka.")
    st.stop()

hits = q(queries.search_sections, text, 50, district)
st.caption(f"{hits.height} {'träff' if hits.height == 1 else 'träffar'}" + (" (enkel textsökning; sökindex saknas)"
                                       if hits.height and hits["method"][0] == "ilike" else ""))
for hit in hits.to_dicts():
    kind = queries.DOC_TYPE_LABELS.get(hit["doc_type"], hit["doc_type"])
    st.markdown(f"#### {md_escape(hit['heading'])}")
    st.caption(md_escape(f"{hit['district']} · {kind} {hit['year']} · {hit['source_file']} "
                         f"{fmt_lines(hit['source_line_start'], hit['source_line_end'], hit['source_page'])}"
                         + (f" · {hit['heading_path']}" if hit.get("heading_path") else "")))
    st.markdown(hit["snippet"])                       # escaped document text, our highlighting
    with st.expander("Hela avsnittet"):
        st.markdown(md_escape(hit["text"]))
