"""Sök i dokumenten: full-text search over the documents' sections."""
import streamlit as st

from dashboard import document_queries, labels, search_queries
from dashboard.fmt import fmt_int, fmt_lines, md_escape
from dashboard.ui import choice_select, header, q

PER_PAGE = 20        # hits per page (each is four elements, a fifth when its section is opened)
MAX_HITS = 1000      # hits fetched; more are counted as "minst 1 000"

header("Sök i dokumenten", "Fritextsökning i alla inlästa dokument; böjningsformer matchas (förskola, förskolan).")

c1, c2 = st.columns([3, 1])
with c1:
    text = st.text_input("Sökord", key="q", bind="query-params", placeholder="t.ex. trygghet, feriejobb")
with c2:
    district = st.selectbox("Stadsdel", q(document_queries.districts), index=None, key="stadsdel",
                            bind="query-params", placeholder="Alla stadsdelar")
if not text.strip():
    st.info("Skriv ett eller flera ord för att söka.")
    st.stop()

hits = q(search_queries.search_sections, text, MAX_HITS, district)
n = hits.height
pages = max(1, -(-n // PER_PAGE))
count = (f"minst {fmt_int(n)} träffar" if n >= MAX_HITS else f"{fmt_int(n)} {'träff' if n == 1 else 'träffar'}")
if pages > 1:
    page = choice_select("Sida", list(range(1, pages + 1)), key="sida", default=1)
    first = (page - 1) * PER_PAGE
    count += f", visar {first + 1}–{min(n, first + PER_PAGE)}"
else:
    first = 0
st.caption(count + (" (enkel textsökning; sökindex saknas)" if n and hits["method"][0] == "ilike" else ""))
for hit in hits.slice(first, PER_PAGE).to_dicts():
    kind = labels.DOC_TYPE_LABELS.get(hit["doc_type"], hit["doc_type"])
    st.markdown(f"#### {md_escape(hit['heading'])}")
    st.caption(md_escape(f"{hit['district']} · {kind} {hit['year']} · {hit['source_file']} "
                         f"{fmt_lines(hit['source_line_start'], hit['source_line_end'], hit['source_page'])}"
                         + (f" · {hit['heading_path']}" if hit.get("heading_path") else "")))
    st.markdown(hit["snippet"])                       # escaped document text, our highlighting
    whole = st.expander("Hela avsnittet", key=f"avsnitt-{hit['section_id']}", on_change="rerun")
    if whole.open:                                    # the section's text is sent only when opened
        with whole:
            st.markdown(md_escape(hit["text"]))
    st.page_link("pages/dokument.py", label="Visa i dokumentet", icon=":material/description:",
                 query_params={"dokument": str(hit["document_id"]), "avsnitt": str(hit["section_id"])})
