"""The build's quality for the Källor och kvalitet page: its warnings with a Swedish summary
beside the English detail, the uncertain indicator matches to review, the build's facts.

No streamlit here (the tests use this module too). All SQL is parameterised.
"""
from __future__ import annotations

import re

import polars as pl

from dashboard.sql import _frame, table_exists

STAGE_LABELS = {"read": "läsning", "detect": "igenkänning", "parse": "tolkning", "recognise": "tolkning",
                "indicators": "indikatorer", "activities": "aktiviteter", "budget": "budget", "sections": "avsnitt",
                "input": "dokumentmappen", "versions": "versioner", "identity": "indikatoridentitet",
                "kf_targets": "KF:s årsmål"}
# The build's warnings are written for maintainers (English, with the technical detail); the
# user reads a Swedish summary beside that detail. First match wins.
_WARNING_SV = [(re.compile(p, re.I), sv) for p, sv in (
    (r"self-check", "Självkontroll: tabellens rader och de inlästa posterna stämmer inte överens"),
    (r"header cell\(s\)", "Okänd kolumnrubrik: de kolumnerna lästes inte"),
    (r"not a complete row|without its", "Tabelltext som inte blev en hel rad"),
    (r"could not detect", "Stadsdel, år eller dokumenttyp kunde inte kännas igen: filen lästes inte in"),
    (r"side-car", "Fel i side-car-filen: filen lästes inte in"),
    (r"encrypted", "Lösenordsskyddad PDF: filen lästes inte in"),
    (r"truncated|damaged", "Trasig eller avklippt PDF: filen lästes inte in"),
    (r"OCR|no text", "PDF utan textlager (skannad): filen lästes inte in"),
    (r"too large|too long|limit is|cut at", "Över en storleksgräns: filen avvisades eller texten kortades"),
    (r"printed total", "Summaraden stämmer inte med raderna ovanför"),
    (r"versions of", "Flera versioner av samma dokument är inlästa"),
    (r"^läses inte", "Läses inte"),
    (r"Analys text without", "Analystext utan rad ovanför"),
    (r"no goals or indicator tables", "Inga mål eller indikatortabeller hittades"),
)]


def warning_summary(message: str | None, stage: str | None = None) -> str:
    """A Swedish summary of a build warning (the English message is the detail)."""
    for rx, sv in _WARNING_SV:
        if rx.search(message or ""):
            return sv
    return f"Varning vid {STAGE_LABELS.get(stage or '', stage or 'inläsningen')}"


BUILD_INFO_LABELS = {"built_at": "Byggd", "input_dir": "Dokumentmapp", "documents": "Dokument",
                     "code": "Kodversion"}


def warnings(con) -> pl.DataFrame:
    df = _frame(con, "SELECT w.*, d.district, d.year FROM warnings w "
                     "LEFT JOIN documents d USING (document_id) ORDER BY w.source_file, w.source_line")
    return df.with_columns(
        summary=pl.Series([warning_summary(m, s) for m, s in zip(df["message"].to_list(), df["stage"].to_list())],
                          dtype=pl.String),
        stage_sv=pl.col("stage").replace_strict(STAGE_LABELS, default=pl.col("stage"), return_dtype=pl.String))


def uncertain_matches(con) -> pl.DataFrame:
    """Indicator name matches listed for review (table written by etl/derive/identity.py), or empty."""
    if not table_exists(con, "indicator_matches"):
        return pl.DataFrame()
    return _frame(con, "SELECT * FROM indicator_matches WHERE needs_review ORDER BY score DESC NULLS LAST")


def build_info(con) -> dict[str, str]:
    return {k: v for k, v in con.execute("SELECT key, value FROM build_info").fetchall()}
