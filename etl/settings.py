"""Every setting the project reads from the environment, in one place.

Each value is read when it is asked for (not at import), so a server, a test or a worker
process that sets a variable sees it. ``VARIABLES`` lists them with their meaning; the
README's table of environment variables is checked against it (tests/test_readme.py).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
DEFAULT_DB = DATA_DIR / "stadsdelar.duckdb"
DEFAULT_INPUT = DATA_DIR / "raw"
_YES = {"1", "true", "yes", "ja", "on"}


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    meaning: str


VARIABLES = (
    Variable("STADSDEL_DB", "data/stadsdelar.duckdb",
             "the database the dashboard reads and the CLI's build, add, export and indicators use"),
    Variable("STADSDEL_INPUT", "data/raw", "the folder of documents the dashboard builds from and shows lines of"),
    Variable("STADSDEL_MAX_MB", "50", "the largest document accepted, in MB (build, add, upload)"),
    Variable("STADSDEL_UPLOAD_MEMORY_MB", "3072", "the address space of the process that checks an upload"),
    Variable("STADSDEL_UPLOAD_TIMEOUT_S", "600", "seconds an upload's checks and rebuild may take"),
    Variable("STADSDEL_READONLY", "", "1: no upload in the dashboard (a public, read-only deployment)"),
    Variable("STADSDEL_ADMIN_PASSWORD", "", "when set, the upload asks for this password"),
    Variable("STADSDEL_BROWSER_DB", "", "tests only: the database the browser tests run on (default: the fixture)"),
)


def _env(name: str) -> str:
    return os.environ.get(name, "").strip()


def db_path() -> Path:
    """The database file (STADSDEL_DB, default data/stadsdelar.duckdb)."""
    return Path(_env("STADSDEL_DB") or DEFAULT_DB)


def input_dir() -> Path:
    """The documents' folder (STADSDEL_INPUT, default data/raw)."""
    return Path(_env("STADSDEL_INPUT") or DEFAULT_INPUT)


def max_bytes() -> int:
    """The size limit of one document (STADSDEL_MAX_MB, default 50 MB)."""
    return int(float(_env("STADSDEL_MAX_MB") or "50") * 1024 * 1024)


def upload_memory_mb() -> int:
    return int(_env("STADSDEL_UPLOAD_MEMORY_MB") or "3072")


def upload_timeout_s() -> float:
    return float(_env("STADSDEL_UPLOAD_TIMEOUT_S") or "600")


def read_only() -> bool:
    return _env("STADSDEL_READONLY").lower() in _YES


def admin_password() -> str:
    return os.environ.get("STADSDEL_ADMIN_PASSWORD", "")
