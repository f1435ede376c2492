# Sourced by start.sh and test.sh: create .venv and install the pinned dependencies.
# Re-installs only when pyproject.toml changed since the last install.
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
if [ ! -f .venv/.install-stamp ] || [ pyproject.toml -nt .venv/.install-stamp ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e '.[test]'
    touch .venv/.install-stamp
fi
