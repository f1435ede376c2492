#!/usr/bin/env bash
# Quick start, command 1: set everything up and start the dashboard on the embedded data.
# Creates .venv, installs the pinned dependencies, builds data/stadsdelar.duckdb from
# data/raw/ if it is missing (the app does that too), and starts Streamlit.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup-python.sh
exec .venv/bin/streamlit run app.py --server.headless true "$@"
