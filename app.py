"""Stadsdelsjämföraren: compare Stockholm's district councils across districts and years.

Start: `.venv/bin/streamlit run app.py` (or ./start.sh). The database (env STADSDEL_DB,
default data/stadsdelar.duckdb) is opened read-only; it is built from data/raw on first
start when missing, and a rebuilt file is picked up without a restart.
"""
import streamlit as st

from dashboard import db

st.set_page_config(page_title="Stadsdelsjämföraren", page_icon="📊", layout="wide")

if not db.ensure_database():
    st.stop()

pages = [
    st.Page("pages/oversikt.py", title="Översikt", icon="🏠", default=True),
    st.Page("pages/jamfor_indikator.py", title="Jämför indikator", icon="📊"),
    st.Page("pages/stadsdelsprofil.py", title="Stadsdelsprofil", icon="🏘️"),
    st.Page("pages/maluppfyllelse.py", title="Måluppfyllelse", icon="🎯"),
    st.Page("pages/ekonomi.py", title="Ekonomi", icon="💰"),
    st.Page("pages/sok.py", title="Sök i dokumenten", icon="🔎"),
    st.Page("pages/kallor.py", title="Källor och kvalitet", icon="🧾"),
]
st.navigation(pages).run()
