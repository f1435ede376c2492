"""Stadsdelsjämföraren: compare Stockholm's district councils across districts and years.

Start: `.venv/bin/streamlit run app.py` (or ./start.sh). The database (env STADSDEL_DB,
default data/stadsdelar.duckdb) is opened read-only; it is built from data/raw on first
start when missing, and a rebuilt file is picked up without a restart.
"""
import logging
from pathlib import Path

import streamlit as st

import dashboard

dashboard.load()                  # every module once, before the pages (sessions start in threads)
from dashboard import db, document_queries  # noqa: E402
from dashboard.export_ui import deck_panel  # noqa: E402
from dashboard.ui import my_district_select, q, swedish_chrome  # noqa: E402

ICON = Path(__file__).parent / "data" / "icon.png"

st.set_page_config(page_title="Stadsdelsjämföraren", page_icon=str(ICON), layout="wide")   # a local file, no font CDN

pages = [
    st.Page("pages/oversikt.py", title="Översikt", icon=":material/home:", default=True),
    st.Page("pages/jamfor_indikator.py", title="Jämför indikator", icon=":material/bar_chart:"),
    st.Page("pages/stadsdelsprofil.py", title="Stadsdelsprofil", icon=":material/location_city:"),
    st.Page("pages/maluppfyllelse.py", title="Måluppfyllelse", icon=":material/flag:"),
    st.Page("pages/ekonomi.py", title="Ekonomi", icon=":material/payments:"),
    st.Page("pages/aktiviteter.py", title="Aktiviteter", icon=":material/checklist:"),
    st.Page("pages/sok.py", title="Sök i dokumenten", icon=":material/search:"),
    st.Page("pages/dokument.py", title="Dokument", icon=":material/description:"),
    st.Page("pages/stadsdelar.py", title="Stadsdelar", icon=":material/map:"),
    st.Page("pages/kallor.py", title="Källor och kvalitet", icon=":material/fact_check:"),
]
page = st.navigation(pages)
swedish_chrome()                  # Streamlit's English hints in Swedish or hidden

if not db.ensure_database():      # first start: build from data/raw with a progress bar
    st.stop()

try:
    with db.pinned():             # one generation of the database for the whole page run
        my_district_select(q(document_queries.districts))   # "Min stadsdel", highlighted on every page
        deck_panel()              # the slide basket
        page.run()
except Exception:                 # never a traceback for the user (st.stop/rerun are not Exceptions)
    logging.getLogger("stadsdelsjamforaren").exception("page %s failed", page.title)
    st.error("Något gick fel när sidan skulle visas. Ändra valen eller ladda om sidan; "
             "felet är loggat i serverns logg.")
