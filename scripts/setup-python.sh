# Sourced by start.sh and test.sh: create .venv and install the pinned dependencies.
# Uses Python 3.11 (python3.11 when it exists, else python3 when that is 3.11); re-installs
# only when pyproject.toml changed since the last install; a .venv that a failed install left
# broken (no working python, or no install stamp) is made again from scratch.
PY=""
for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
        PY="$candidate"
        break
    fi
done
if [ -z "$PY" ]; then
    echo "error: Python 3.11 is needed (python3.11 or python3 = 3.11); found: $(python3 --version 2>&1)" >&2
    return 1 2>/dev/null || exit 1
fi
if [ -d .venv ] && ! { [ -x .venv/bin/python ] && .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; }; then
    echo "Recreating .venv (broken or another Python version) ..."
    rm -rf .venv
fi
if [ -d .venv ] && [ ! -f .venv/.install-stamp ] && ! .venv/bin/python -c 'import streamlit, duckdb, polars' 2>/dev/null; then
    echo "Recreating .venv (an earlier install did not finish) ..."
    rm -rf .venv
fi
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
if [ ! -f .venv/.install-stamp ] || [ pyproject.toml -nt .venv/.install-stamp ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e '.[test]'
    touch .venv/.install-stamp
fi
