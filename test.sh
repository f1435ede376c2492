#!/usr/bin/env bash
# Quick start, command 2: set everything up (including Debian's Chromium for the
# browser tests, when run as root) and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup-python.sh
source scripts/setup-chromium.sh
source scripts/setup-libreoffice.sh
source scripts/lint.sh
exec .venv/bin/python -m pytest "$@"
