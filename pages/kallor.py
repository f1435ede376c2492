"""Källor och kvalitet: documents, detection results, parse warnings, uncertain matches."""
import polars as pl
import streamlit as st

from dashboard import access, db, document_queries, labels, quality_queries
from dashboard.fmt import md_escape
from dashboard.ui import header, no_data, q, show_table
from etl import settings
from etl.store.add_worker import add_files_isolated

header("Källor och kvalitet", "Vilka dokument som är inlästa, hur de känts igen och vad inläsningen varnar för.")

# Upload: etl.store.add.add_files validates (size, type from the content, duplicate, district/year/kind)
# before anything is written, stores the files in the input folder and rebuilds incrementally;
# it runs in a worker process with a memory and a time limit (etl/store/add_worker.py).
CHOICES = {"Ersätt det gamla dokumentet": "replace", "Behåll båda som versioner": "keep", "Lägg inte till": None}


def upload_panel() -> None:
    mode = access.upload_mode()
    if mode == "off":
        return                                  # a read-only deployment: no upload at all
    with st.expander("Lägg till dokument", expanded=bool(st.session_state.get("upl_results"))):
        if mode == "password" and not st.session_state.get("upl_admin"):
            given = st.text_input("Lösenord för att lägga till eller ersätta dokument", type="password",
                                  key="upl_password")
            if given and access.password_ok(given):
                st.session_state["upl_admin"] = True
                st.rerun()
            if given:
                st.error("Fel lösenord.")
            return
        upload_form()


def upload_form() -> None:
    with st.form("upl_form", clear_on_submit=True):
        uploads = st.file_uploader(f"Planer och rapporter (PDF, .txt, .md; högst {settings.max_bytes() // 2**20} MB per fil)",
                                   type=["pdf", "txt", "md"],
                                   accept_multiple_files=True)
        sent = st.form_submit_button("Lägg till")
    pending = st.session_state.get("upl_pending", {})
    if pending:
        answers = {n: CHOICES[st.radio(n, list(CHOICES), key=f"upl_choice_{n}")] for n in pending}
    if sent and uploads or pending and st.button("Fortsätt", key="upl_continue"):
        files = [(u.name, u.getvalue()) for u in uploads] if sent and uploads else \
            [(n, data) for n, data in pending.items() if answers[n]]
        with st.spinner("Kontrollerar dokumenten och bygger om databasen …"):
            # in a worker process with a memory and time limit: a hostile file cannot take the app down
            report = add_files_isolated(files, db.input_dir(), db.db_path(), on_duplicate="ask" if sent else answers)
        st.session_state["upl_results"] = [(r.status, r.message) for r in report.results]
        st.session_state["upl_pending"] = {n: d for (n, d), r in zip(files, report.results) if r.status == "conflict"}
        st.rerun()
    for status, message in st.session_state.get("upl_results", []):
        {"added": st.success, "replaced": st.success, "version": st.success, "duplicate": st.info,
         "conflict": st.warning}.get(status, st.error)(md_escape(message))


upload_panel()

docs = q(document_queries.documents)
if docs.height == 0:
    no_data()
    st.stop()
info = q(quality_queries.build_info)
st.caption(md_escape(" · ".join(f"{quality_queries.BUILD_INFO_LABELS.get(k, k)}: {v}" for k, v in info.items())))

st.subheader("Dokument")
docs = docs.with_columns(dokument=pl.col("doc_type").replace_strict(labels.DOC_TYPE_LABELS,
                                                                     default=pl.col("doc_type")),
                         level=pl.col("level").replace_strict(labels.LEVEL_LABELS, default=pl.col("level")))
show_table(docs, {"district": "Stadsdel", "year": "År", "dokument": "Dokument", "level": "Nivå",
                  "unit_name": "Enhet", "source_file": "Fil", "text_flavour": "Textformat",
                  "detected_by": "Igenkänt via", "n_lines": "Rader", "n_goals": "Mål",
                  "n_values": "Indikatorvärden", "n_warnings": "Varningar", "sha256": "SHA-256"}, key="docs")

st.subheader("Varningar från inläsningen")
warns = q(quality_queries.warnings)
if warns.height:
    stages = sorted(set(warns["stage_sv"].to_list()))
    picked = st.multiselect("Steg", stages, key="steg", bind="query-params", placeholder="Alla steg")
    if picked:
        warns = warns.filter(pl.col("stage_sv").is_in(picked))
    show_table(warns, {"source_file": "Fil", "stage_sv": "Steg", "source_line": "Rad", "summary": "Varning",
                       "message": "Teknisk detalj (engelska)"}, key="warnings")
else:
    st.success("Inga varningar.")

st.subheader("Osäkra indikatormatchningar")
matches = q(quality_queries.uncertain_matches)
if matches.height:
    st.caption("Tryckta indikatornamn som liknar en annan indikator men inte slogs ihop automatiskt. "
               "Rätta i `data/indicator_overrides.csv` och bygg om.")
    show_table(matches, {"printed_name": "Tryckt namn", "candidate_name": "Liknar", "score": "Likhet",
                         "reason": "Skäl", "districts": "Stadsdelar", "years": "År"}, key="matches")
else:
    st.success("Inga osäkra matchningar att granska.")
