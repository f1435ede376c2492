"""The economy queries as they were written first (every row's column label classified in
Python, every year's columns chosen separately), kept as the reference the fast versions in
dashboard/budget_queries.py are compared against (tests/test_queries.py).

Deliberate differences from the first version: when two columns of one table tie on every
criterion, the first version took whichever polars' unstable sort put first (the result could
change from one call to the next); the reference and the dashboard take the leftmost one. And a
column is one table's (table_no, not tables sharing a title), summed over its top rows ("varav"
and investment rows left out), as in the dashboard.
"""
from __future__ import annotations

import re

import polars as pl

from dashboard.budget_queries import _AREA_SCHEMA, PART_ROW, classify_budget_column

_SQL = """
SELECT d.district, d.year AS doc_year, d.doc_type, b.table_no, b.table_title, b.section, b.row_label,
       b.area, b.column_label, b.value, b.value_raw, coalesce(b.unit, 'mnkr') AS unit,
       d.document_id, d.source_file, b.source_line, b.source_page, b.budget_line_id
FROM budget_lines b JOIN documents d USING (document_id)
WHERE d.level = 'namnd'
ORDER BY d.district, d.year, b.table_title, b.source_line, b.budget_line_id
"""



def label_year(label: str | None, doc_year: int) -> int:
    """The money's year: the year printed in the column label, else the document's year."""
    m = re.search(r"\b((?:19|20)\d\d)\b", label or "")
    return int(m.group(1)) if m else int(doc_year)

def budget_lines(con, year: int | None = None) -> pl.DataFrame:
    df = con.execute(_SQL).pl()
    if df.height == 0:
        return df.with_columns(kind=pl.lit(None, pl.String), year=pl.lit(None, pl.Int64))
    rows = df.select("column_label", "doc_year").to_dicts()
    df = df.with_columns(
        kind=pl.Series([classify_budget_column(r["column_label"]) for r in rows], dtype=pl.String),
        year=pl.Series([label_year(r["column_label"], r["doc_year"]) for r in rows], dtype=pl.Int64),
    )
    if year is not None:
        df = df.filter(pl.col("year") == year)
    return df


def budget_by_area(con, year: int, kind: str = "budget") -> pl.DataFrame:
    df = budget_lines(con, year).filter((pl.col("kind") == kind) & pl.col("area").is_not_null()
                                        & pl.col("value").is_not_null()
                                        & ~pl.col("row_label").str.contains(PART_ROW))
    if df.height == 0:
        return pl.DataFrame(schema=_AREA_SCHEMA)
    cols = (
        df.group_by("district", "document_id", "doc_year", "table_no", "column_label")
        .agg(pl.col("area").n_unique().alias("n_areas"), pl.col("source_line").min().alias("first"),
             pl.col("budget_line_id").min().alias("leftmost"))
        .with_columns(same_year=(pl.col("doc_year") == year),
                      partial=pl.col("column_label").str.contains(r"(?i)intäkt|kostnad"))
        .sort(["district", "same_year", "partial", "n_areas", "doc_year", "first", "leftmost"],
              descending=[False, True, False, True, True, False, False])
        .group_by("district", maintain_order=True).first()
        .select("district", "document_id", "table_no", "column_label")
    )
    chosen = df.join(cols, on=["district", "document_id", "table_no", "column_label"], how="inner", nulls_equal=True)
    return (
        chosen.group_by("district", "area")
        .agg(pl.col("value").sum(), pl.len().alias("n_lines"),
             pl.col("column_label").first(), pl.col("table_title").first(),
             pl.col("source_file").first(),
             pl.format("rad {}", "source_line").str.join(", ").alias("sources"),
             pl.format("{}: {}", "row_label", "value_raw").str.join("; ").alias("raw"))
        .sort("district", "area")
    )


def budget_years(con) -> list[int]:
    df = budget_lines(con)
    if df.height == 0:
        return []
    return sorted(df.filter(pl.col("kind").is_in(["budget", "bokslut"]))["year"].unique().to_list())


def budget_default_year(con) -> int | None:
    best = None
    for year in budget_years(con):
        n = budget_by_area(con, year, "budget")["district"].n_unique()
        if n and (best is None or n >= best[0]):
            best = (n, year)
    return best[1] if best else None


def budget_vs_outcome(con, year: int) -> pl.DataFrame:
    b = budget_by_area(con, year, "budget").select(
        "district", "area", pl.col("value").alias("budget"), pl.col("column_label").alias("budget_column"),
        pl.col("source_file").alias("budget_source"), pl.col("sources").alias("budget_lines"))
    o = budget_by_area(con, year, "bokslut").select(
        "district", "area", pl.col("value").alias("bokslut"), pl.col("column_label").alias("bokslut_column"),
        pl.col("source_file").alias("bokslut_source"), pl.col("sources").alias("bokslut_lines"))
    df = b.join(o, on=["district", "area"], how="full", coalesce=True)
    return df.with_columns(
        avvikelse=pl.col("budget") - pl.col("bokslut"),
        avvikelse_pct=(pl.col("budget") - pl.col("bokslut")) / pl.col("budget") * 100,
    ).sort("district", "area")
