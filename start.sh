#!/usr/bin/env bash
# Quick start, command 1: set everything up and start the dashboard on the embedded data.
# Creates .venv, installs the pinned dependencies, builds the database from data/raw/ (or
# $STADSDEL_INPUT) when it is missing, with a progress line, and starts Streamlit on this
# machine only (http://localhost:8501; see README "Serving others" for --server.address).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup-python.sh
DB="${STADSDEL_DB:-data/stadsdelar.duckdb}"
if [ ! -f "$DB" ]; then
    echo "Bygger databasen $DB från dokumenten i ${STADSDEL_INPUT:-data/raw} ..."
    .venv/bin/python -m etl build --input "${STADSDEL_INPUT:-data/raw}" --db "$DB"
fi
mkdir -p static/original     # the originals behind values are served from here (dashboard/page_view.py)
exec .venv/bin/streamlit run app.py --server.headless true \
    --server.maxUploadSize "${STADSDEL_MAX_MB:-50}" "$@"
