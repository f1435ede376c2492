# Sourced by test.sh before the tests: ruff (pyflakes, isort, pyupgrade, bugbear; settings in
# pyproject.toml) over the whole project, and mypy (check_untyped_defs) over the packages
# listed in pyproject's [tool.mypy] files. A finding stops the run, as a failing test does.
echo "ruff ..."
.venv/bin/ruff check --quiet .
echo "mypy ..."
.venv/bin/mypy
