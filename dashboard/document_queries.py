"""Queries for the document view: the loaded documents and one document's sections."""
from __future__ import annotations

import polars as pl

from dashboard.queries import DOC_TYPE_LABELS, LEVEL_LABELS, _frame


def document_list(con) -> pl.DataFrame:
    """Every loaded document with a label to choose it by ("Norrmalm · Verksamhetsberättelse
    2021", the unit's name for a unit's plan), newest first."""
    df = _frame(con, "SELECT document_id, district, year, doc_type, level, unit_name, source_file, text_flavour, "
                     "sha256 FROM documents ORDER BY year DESC, district, doc_type, document_id")
    labels = []
    for r in df.iter_rows(named=True):
        kind = DOC_TYPE_LABELS.get(r["doc_type"], r["doc_type"])
        unit = f" ({LEVEL_LABELS.get(r['level'], r['level'])}: {r['unit_name']})" if r["level"] != "namnd" else ""
        labels.append(f"{r['district']} · {kind} {r['year']}{unit}")
    df = df.with_columns(label=pl.Series(labels, dtype=pl.String))
    # two documents with the same label (two versions of one plan): the file name tells them apart
    dup = df["label"].is_duplicated()
    return df.with_columns(label=pl.when(dup).then(pl.col("label") + " – " + pl.col("source_file"))
                           .otherwise(pl.col("label")))


def document_sections(con, document_id: int) -> pl.DataFrame:
    """One document's sections in printed order: heading, path, text, lines and page."""
    return _frame(con, "SELECT section_id, heading, heading_path, text, source_line_start, source_line_end, "
                       "source_page FROM sections WHERE document_id = ? ORDER BY source_line_start, section_id",
                  [document_id])
