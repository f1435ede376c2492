"""Goals and their printed assessments (helt/delvis/inte) per district, council level.

No streamlit here (the tests use this module too). All SQL is parameterised.
"""
from __future__ import annotations

import polars as pl

from dashboard.sql import _frame


def goal_assessments(con, year: int | None = None, level: str | None = None) -> pl.DataFrame:
    """Goals with their printed assessment (helt/delvis/inte) per district, council level."""
    sql = """
    SELECT d.district, d.year, d.doc_type, g.level, g.code, g.text, g.assessment,
           g.assessment_raw, p.text AS parent_text, d.document_id, d.source_file,
           g.source_line, g.source_page
    FROM goals g JOIN documents d USING (document_id)
    LEFT JOIN goals p ON p.goal_id = g.parent_goal_id
    WHERE d.level = 'namnd' AND ($year IS NULL OR d.year = $year)
      AND ($level IS NULL OR g.level = $level)
    ORDER BY g.level, g.code NULLS LAST, g.text, d.district
    """
    return _frame(con, sql, {"year": year, "level": level})


def assessment_years(con) -> list[int]:
    rows = con.execute(
        "SELECT DISTINCT d.year FROM goals g JOIN documents d USING (document_id) "
        "WHERE g.assessment IS NOT NULL ORDER BY 1").fetchall()
    return [int(r[0]) for r in rows]
