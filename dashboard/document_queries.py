"""The loaded documents: which districts and years, the list and the coverage grid, the latest
ones and the home page's city-wide numbers; for the document view one document's sections,
and a source file's printed lines.

No streamlit here (the CLI and the tests use this module too). All SQL is parameterised.
"""
from __future__ import annotations

from pathlib import Path

import polars as pl

from dashboard.indicator_values import attainment_share
from dashboard.labels import DOC_TYPE_LABELS, LEVEL_LABELS
from dashboard.sql import _frame


def default_district(con) -> tuple[str, int] | None:
    """(district, year) of the latest council-level annual report, else the latest plan."""
    row = con.execute(
        "SELECT district, year FROM documents WHERE level = 'namnd' "
        "ORDER BY (doc_type = 'verksamhetsberattelse') DESC, year DESC, district LIMIT 1").fetchone()
    return (row[0], int(row[1])) if row else None


def districts(con) -> list[str]:
    rows = con.execute(
        "SELECT DISTINCT district FROM documents WHERE level = 'namnd' ORDER BY district"
    ).fetchall()
    return [r[0] for r in rows]


def years(con) -> list[int]:
    rows = con.execute("SELECT DISTINCT year FROM documents ORDER BY year").fetchall()
    return [int(r[0]) for r in rows]


def coverage(con) -> pl.DataFrame:
    """District × year × document kind: number of documents and extracted values."""
    sql = """
    SELECT d.district, d.year, d.doc_type, d.level, count(DISTINCT d.document_id) AS n_documents,
           count(v.value_id) AS n_values, string_agg(DISTINCT d.source_file, ', ') AS files
    FROM documents d LEFT JOIN indicator_values v USING (document_id)
    GROUP BY ALL ORDER BY d.district, d.year, d.doc_type
    """
    return _frame(con, sql)


def documents(con) -> pl.DataFrame:
    sql = """
    SELECT d.*, (SELECT count(*) FROM indicator_values v WHERE v.document_id = d.document_id) AS n_values,
           (SELECT count(*) FROM goals g WHERE g.document_id = d.document_id) AS n_goals,
           (SELECT count(*) FROM warnings w WHERE w.document_id = d.document_id) AS n_warnings
    FROM documents d ORDER BY d.year DESC, d.district, d.doc_type
    """
    return _frame(con, sql)


def latest_documents(con, n: int = 5) -> pl.DataFrame:
    return _frame(con, "SELECT district, year, doc_type, level, unit_name, source_file FROM documents "
                       "ORDER BY year DESC, document_id DESC LIMIT ?", [n])


def overview(con) -> dict:
    """A few city-wide numbers for the home page."""
    one = lambda sql, p=None: con.execute(sql, p or []).fetchone()[0]  # noqa: E731
    latest = one("SELECT max(d.year) FROM goals g JOIN documents d USING (document_id) "
                 "WHERE g.assessment IS NOT NULL AND d.level = 'namnd'")
    out = {
        "n_documents": one("SELECT count(*) FROM documents"),
        "n_districts": one("SELECT count(DISTINCT district) FROM documents"),
        "n_values": one("SELECT count(*) FROM indicator_values"),
        "n_indicators": one("SELECT count(*) FROM indicators"),
        "n_warnings": one("SELECT count(*) FROM warnings"),
        "first_year": one("SELECT min(year) FROM documents"),
        "last_year": one("SELECT max(year) FROM documents"),
        "assessment_year": latest,
        "share_helt": None, "n_assessed": 0,
    }
    if latest is not None:
        n, helt = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE g.assessment = 'helt') FROM goals g "
            "JOIN documents d USING (document_id) WHERE g.assessment IS NOT NULL "
            "AND d.level = 'namnd' AND d.year = ? AND g.level = 'kf_mal'", [latest]).fetchone()
        out["n_assessed"] = n
        out["share_helt"] = helt / n if n else None
    out.update(attainment_share(con))
    return out


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


def source_excerpt(input_dir: str | Path, source_file: str | None, start: int | None,
                   end: int | None = None, context: int = 0) -> str | None:
    """The printed lines start..end (1-based) of a source file in the input folder, or None
    when the file is not there (e.g. a PDF or a moved folder)."""
    if not source_file or start is None:
        return None
    path = Path(input_dir) / source_file
    if not path.is_file() or path.suffix.lower() not in (".txt", ".md"):
        return None
    end = end or start
    lo, hi = max(1, start - context), end + context
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for no, line in enumerate(f, 1):
            if no > hi:
                break
            if no >= lo:
                out.append(f"{no:>5}  {line.rstrip()}")
    return "\n".join(out) if out else None
