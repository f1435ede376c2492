"""The Ekonomi page's queries: budget per activity area across districts, budget against
bokslut. No streamlit; polars frames from parameterised SQL."""
from __future__ import annotations

import re

import polars as pl

from dashboard.sql import _frame

# Budget tables differ per document (plans print "VP 2021", "Netto VP 2021", reports
# "Budget 2021", "Bokslut", "Utfall netto" ...). Each printed column is classified by its
# label into a kind (budget | bokslut | prognos | avvikelse | annat) and a year (the year in
# the label, else the document's year); per district, kind and year the one column of one
# table (budget_lines.table_no) that covers the most activity areas is used, and within it only
# the top rows: "varav" sub-rows are parts of the row above and investment rows are not
# operating money, so the same money is never counted twice.

_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")


def classify_budget_column(label: str | None) -> str:
    """'budget' | 'bokslut' | 'prognos' | 'avvikelse' | 'annat' from a printed column label."""
    low = (label or "").lower()
    if "avvikelse" in low or "budgetjustering" in low:
        return "avvikelse"
    if "prognos" in low:
        return "prognos"
    if "bokslut" in low or "utfall" in low or re.search(r"\bvb\b", low):
        return "bokslut"
    if "budget" in low or re.search(r"\bvp\b", low):
        return "budget"
    return "annat"


def _label_year(label: str | None) -> int | None:
    m = _YEAR.search(label or "")
    return int(m.group(1)) if m else None


def _column_classes(con) -> dict[str, list]:
    """kind and year of each distinct printed column label, classified once per label (a few
    hundred labels for a whole city's documents), as query parameters."""
    labels = [r[0] for r in con.execute(
        "SELECT DISTINCT column_label FROM budget_lines WHERE column_label IS NOT NULL").fetchall()]
    return {"labels": labels, "kinds": [classify_budget_column(x) for x in labels],
            "label_years": [_label_year(x) for x in labels]}


# Budget cells of council-level documents with the column's kind and the money's year (the
# year in the column label, else the document's year). `{where}` filters on these columns.
_BUDGET_SQL = """
WITH c AS (
    SELECT unnest($labels::VARCHAR[]) AS column_label, unnest($kinds::VARCHAR[]) AS kind,
           unnest($label_years::INTEGER[]) AS label_year
), lines AS (
    SELECT d.district, d.year AS doc_year, d.doc_type, b.table_no, b.table_title, b.section, b.row_label,
           b.area, b.column_label, b.value, b.value_raw, coalesce(b.unit, 'mnkr') AS unit,
           d.document_id, d.source_file, b.source_line, b.source_page,
           coalesce(c.kind, 'annat') AS kind, CAST(coalesce(c.label_year, d.year) AS BIGINT) AS year,
           b.budget_line_id
    FROM budget_lines b JOIN documents d USING (document_id)
    LEFT JOIN c ON c.column_label = b.column_label
    WHERE d.level = 'namnd' AND {cells}
)
"""
_BUDGET_COLS = ("district, doc_year, doc_type, table_no, table_title, section, row_label, area, column_label, value, "
                "value_raw, unit, document_id, source_file, source_line, source_page, kind, year")


def _budget_frame(con, select: str, where: str = "TRUE", params: dict | None = None, *,
                  cells: str = "TRUE", classes: dict | None = None) -> pl.DataFrame:
    """`where` filters the classified cells; `cells` the budget_lines rows before the join."""
    return _frame(con, _BUDGET_SQL.format(cells=cells) + f"SELECT {select} FROM lines WHERE {where}",
                  {**(classes or _column_classes(con)), **(params or {})})


def budget_lines(con, year: int | None = None) -> pl.DataFrame:
    """Budget table cells of council-level documents with `kind` and `year` (of the money)."""
    return _budget_frame(
        con, _BUDGET_COLS, "($year IS NULL OR year = $year) "
        "ORDER BY district, doc_year, table_title, source_line, budget_line_id", {"year": year})


_AREA_SCHEMA = {"district": pl.String, "area": pl.String, "value": pl.Float64, "n_lines": pl.UInt32,
                "column_label": pl.String, "table_title": pl.String, "source_file": pl.String,
                "sources": pl.String, "raw": pl.String}


def _valid_lines(con, year: int, kinds: list[str]) -> pl.DataFrame:
    """The year's cells of the given kinds that have an activity area and a value.

    Only the cells that can qualify are read and joined (most of the time was reading every
    cell of the city): a column whose label names `year`, in any document, or a column
    without a year in its label, in that year's documents."""
    classes = _column_classes(con)
    fits = [(label, label_year) for label, kind, label_year
            in zip(classes["labels"], classes["kinds"], classes["label_years"]) if kind in kinds]
    docs = [r[0] for r in con.execute(
        "SELECT document_id FROM documents WHERE level = 'namnd' AND year = ?", [year]).fetchall()]
    return _budget_frame(
        con, _BUDGET_COLS + ", budget_line_id", "year = $year AND list_contains($wanted::VARCHAR[], kind) "
        "ORDER BY district, doc_year, table_title, source_line, budget_line_id",
        {"year": year, "wanted": kinds, "dated": [label for label, y in fits if y == year],
         "undated": [label for label, y in fits if y is None], "docs": docs,
         "annat": classify_budget_column(None) in kinds},
        cells="b.area IS NOT NULL AND b.value IS NOT NULL "
              "AND (list_contains($dated::VARCHAR[], b.column_label) "
              "OR ((list_contains($undated::VARCHAR[], b.column_label) OR (b.column_label IS NULL AND $annat)) "
              "AND list_contains($docs::INTEGER[], b.document_id)))",
        classes=classes)


# Rows that are not an area's own amount: "varav ..." (a part of the row above) and rows of an
# investment group ("Investeringar › Parkinvesteringar"): investments are not operating money.
PART_ROW = r"(?i)^\s*varav\b|^investering"


def _by_area(df: pl.DataFrame, year: int) -> pl.DataFrame:
    """Per district the one column of one table that covers the most areas (see
    budget_by_area), summed per area over its top rows. `df`: valid cells of one year and kind."""
    df = df.filter(~pl.col("row_label").str.contains(PART_ROW))
    if df.height == 0:
        return pl.DataFrame(schema=_AREA_SCHEMA)
    cols = (
        df.group_by("district", "document_id", "doc_year", "table_no", "column_label")
        .agg(pl.col("area").n_unique().alias("n_areas"), pl.col("source_line").min().alias("first"),
             pl.col("budget_line_id").min().alias("leftmost"))
        .with_columns(
            same_year=(pl.col("doc_year") == year),
            # a revenue-only or cost-only column is a part of the whole: prefer net columns
            partial=pl.col("column_label").str.contains(r"(?i)intäkt|kostnad"),
        )
        # on a tie ("Bokslut före | efter resultatöverföringar", "VP 2007 | Beräknad slutlig
        # budget 2007" in one table) the leftmost column: cells are stored row by row, left to right
        .sort(["district", "same_year", "partial", "n_areas", "doc_year", "first", "leftmost"],
              descending=[False, True, False, True, True, False, False])
        .group_by("district", maintain_order=True).first()
        .select("district", "document_id", "table_no", "column_label")
    )
    chosen = df.join(cols, on=["district", "document_id", "table_no", "column_label"], how="inner",
                     nulls_equal=True)
    return (
        chosen.group_by("district", "area")
        .agg(pl.col("value").sum(), pl.len().alias("n_lines"),
             pl.col("column_label").first(), pl.col("table_title").first(),
             pl.col("source_file").first(),
             pl.format("rad {}", "source_line").str.join(", ").alias("sources"),
             pl.format("{}: {}", "row_label", "value_raw").str.join("; ").alias("raw"))
        .sort("district", "area")
    )


def budget_by_area(con, year: int, kind: str = "budget") -> pl.DataFrame:
    """Amount (mnkr) per district and activity area for one year and kind (budget or
    bokslut), from the one column per district that covers the most areas; a plan or report
    of that same year is preferred over another year's document that reprints the column."""
    return _by_area(_valid_lines(con, year, [kind]), year)


def budget_years(con) -> list[int]:
    rows = _budget_frame(con, "DISTINCT year", "kind IN ('budget', 'bokslut') ORDER BY year")
    return [int(y) for y in rows["year"].to_list()]


def budget_default_year(con) -> int | None:
    """The year whose budget covers the most districts (latest on a tie)."""
    rows = _budget_frame(
        con, "year", "kind = 'budget' AND area IS NOT NULL AND value IS NOT NULL "
        "AND NOT regexp_matches(row_label, $part) "          # the rows _by_area adds up
        "GROUP BY year ORDER BY count(DISTINCT district) DESC, year DESC LIMIT 1", {"part": PART_ROW})
    return int(rows["year"][0]) if rows.height else None


def budget_vs_outcome(con, year: int) -> pl.DataFrame:
    """Budget against bokslut per district and area: budget, bokslut, avvikelse and
    avvikelse_pct. The deviation as the documents define it: budget − bokslut (net cost), so
    a surplus (överskott) is positive and an overspend (underskott) negative. Null where one
    side is missing (never 0)."""
    lines = _valid_lines(con, year, ["budget", "bokslut"])
    b = _by_area(lines.filter(pl.col("kind") == "budget"), year).select(
        "district", "area", pl.col("value").alias("budget"), pl.col("column_label").alias("budget_column"),
        pl.col("source_file").alias("budget_source"), pl.col("sources").alias("budget_lines"))
    o = _by_area(lines.filter(pl.col("kind") == "bokslut"), year).select(
        "district", "area", pl.col("value").alias("bokslut"), pl.col("column_label").alias("bokslut_column"),
        pl.col("source_file").alias("bokslut_source"), pl.col("sources").alias("bokslut_lines"))
    df = b.join(o, on=["district", "area"], how="full", coalesce=True)
    return df.with_columns(
        avvikelse=pl.col("budget") - pl.col("bokslut"),
        avvikelse_pct=(pl.col("budget") - pl.col("bokslut")) / pl.col("budget") * 100,
    ).sort("district", "area")
