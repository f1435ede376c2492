"""Shared fixtures: the real seed documents built once per test session."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory) -> Path:
    from etl.store.build import build_database

    path = tmp_path_factory.mktemp("seed") / "seed.duckdb"
    build_database(RAW, path)
    return path


@pytest.fixture()
def seed_con(seed_db):
    con = duckdb.connect(str(seed_db), read_only=True)
    yield con
    con.close()
