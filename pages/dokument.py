"""Dokument: one loaded document, section by section, as it was printed (search hits open here)."""
import streamlit as st

from dashboard import db, document_queries, page_view
from dashboard.fmt import fmt_lines, md_escape
from dashboard.ui import choice_select, header, no_data, q

header("Dokument", "Ett inläst dokument avsnitt för avsnitt, med rader och sidor i originalet.")

docs = q(document_queries.document_list)
if docs.height == 0:
    no_data()
    st.stop()
ids = docs["document_id"].to_list()
labels = dict(zip(ids, docs["label"].to_list()))
document_id = choice_select("Dokument", ids, key="dokument", format_func=labels.get, default=ids[0])
doc = docs.filter(docs["document_id"] == document_id).row(0, named=True)
st.caption(md_escape(f"Fil: {doc['source_file']}"))
sections = q(document_queries.document_sections, document_id)
if sections.height == 0:
    st.info("Dokumentet har inga inlästa avsnitt.")
    st.stop()
sids = sections["section_id"].to_list()
if st.session_state.get("avsnitt") not in sids:          # another document was chosen: its first section
    st.session_state.pop("avsnitt", None)
headings = {r["section_id"]: f"{r['heading_path'] or r['heading']} ({fmt_lines(r['source_line_start'], r['source_line_end'], r['source_page'])})"
            for r in sections.iter_rows(named=True)}
section_id = choice_select("Avsnitt", sids, key="avsnitt", format_func=headings.get, default=sids[0])
i = sids.index(section_id)
row = sections.row(i, named=True)
st.subheader(row["heading"])
where = fmt_lines(row["source_line_start"], row["source_line_end"], row["source_page"])
st.caption(md_escape(" › ".join(p for p in (row["heading_path"] or "").split(" > ") if p) + f" · {where}"))
st.markdown(md_escape(row["text"] or "(inget brödtext i avsnittet)"))
if doc["text_flavour"] == "pdf" and row["source_page"]:
    pdf = db.input_dir() / doc["source_file"]
    if pdf.is_file():
        st.link_button(f"Öppna originalet på sida {row['source_page']}",
                       page_view.original_url(pdf, doc["sha256"], int(row["source_page"])))


def go_to(section: int) -> None:
    st.session_state["avsnitt"] = section      # before the rerun draws the select box


prev, _, nxt = st.columns([1, 3, 1])
if i > 0:
    prev.button("← Föregående avsnitt", key="prev", on_click=go_to, args=(sids[i - 1],))
if i + 1 < len(sids):
    nxt.button("Nästa avsnitt →", key="next", on_click=go_to, args=(sids[i + 1],))
