"""Small helpers the tests share, built from the production API (no production code exists
for tests only)."""
from __future__ import annotations

import io
from pathlib import Path

import duckdb
import polars as pl
from streamlit.testing.v1 import AppTest

from etl.model import BudgetLine, ParsedDocument, ParseWarning, RawDocument
from etl.parse.areas import area_patterns
from etl.parse.budget import parse_budget
from etl.parse.recognise import recognise
from etl.parse.sections import heading_lines, parse_sections
from etl.search.index import index_missing_sections, optimise_index
from etl.store.load import Loader


def recognised(raw: RawDocument):
    """The recognise stage run as the assemble stage runs it (on the document's own
    sections): goals, indicator rows, activities, warnings."""
    return recognise(raw, heading_lines(parse_sections(raw)))


def budget_records(raw: RawDocument) -> tuple[list[dict], list[ParseWarning]]:
    """The budget stage run as the assemble stage runs it, its records as dicts (a cell's
    box only when it has one, as the golden files hold them)."""
    lines, warnings = parse_budget(raw, parse_sections(raw))
    return [budget_dict(b) for b in lines], warnings


def budget_dict(b: BudgetLine) -> dict:
    d = vars(b).copy()
    if d["source_box"] is None:
        del d["source_box"]
    return d


def read_export_csv(data: bytes) -> pl.DataFrame:
    """A CSV written by dashboard.export.frame_to_csv, read back (semicolons, decimal commas)."""
    return pl.read_csv(io.BytesIO(data), separator=";", decimal_comma=True)


def create_index(con: duckdb.DuckDBPyConnection) -> None:
    """The search index of every section, as a build makes it."""
    index_missing_sections(con)
    optimise_index(con)


def load_documents(con: duckdb.DuckDBPyConnection, docs: list[ParsedDocument]) -> dict[str, int]:
    """Insert the documents' rows as a build does (the caller owns the transaction)."""
    loader = Loader(con)
    for doc in docs:
        loader.add(doc)
    loader.flush()
    return loader.counts


def canonical_areas() -> list[str]:
    """The canonical activity-area names of data/activity_areas.csv, in file order."""
    return list(dict.fromkeys(a for a, _ in area_patterns()))


ROOT = Path(__file__).resolve().parents[1]


def run_page(page: str, db_path: Path, monkeypatch, **params) -> AppTest:
    """The app on the database at db_path (no source files beside it), switched to pages/<page>.py
    with the URL's parameters, run without an exception or an error message."""
    monkeypatch.setenv("STADSDEL_DB", str(db_path))
    monkeypatch.setenv("STADSDEL_INPUT", str(db_path.parent))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page(str(ROOT / page))
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]      # app.py turns a page's exception into st.error
    return at


def open_export_panels(at: AppTest) -> AppTest:
    """Open every chart's "Exportera diagram och data" panel, as a user's click does: its
    contents are made only when it is open (its state is True, and the page reruns)."""
    for key in [k for k in at.session_state.keys() if str(k).endswith("-export")]:
        at.session_state[key] = True
    return at.run()
