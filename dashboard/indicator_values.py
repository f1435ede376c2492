"""An indicator's printed values as one outcome per district and year, with its attainment
and, when there is no outcome, the reason: the dashboard's rule for which value counts.

No streamlit here (the CLI and the tests use this module too). All SQL is parameterised.
Every row that carries a value also carries where it came from: document_id, source_file,
source_line (and page), and the raw printed text, so the UI can trace each number.

Choosing one outcome per district and year (`indicator_by_year`):
1. the district's own annual report (verksamhetsberattelse) for that year;
2. the next year's annual report, column "Periodens utfall VB <year>" (prior_outcome),
   flagged `from_later_report`;
3. a tertial report of that year;
then rows without an outcome (printed text such as "Tas fram", or a plan with targets only).
Only council-level (level = 'namnd') documents take part in district comparisons.
"""
from __future__ import annotations

from typing import Any

import polars as pl

from dashboard.labels import PLAN, REPORT, TERTIAL
from dashboard.sql import _frame

MISSING_NO_DOCUMENT = "inget dokument för året"
MISSING_NO_ROW = "saknas i dokumentet"
MISSING_PLAN_ONLY = "ej mätt – bara verksamhetsplan (mål, inget utfall)"
MISSING_EMPTY = "ej mätt – tom cell i dokumentet"


_VALUE_SQL = """
SELECT v.indicator_id, i.name AS indicator, coalesce(v.unit, i.unit) AS unit, i.direction,
       d.district, d.year AS doc_year, d.doc_type, d.document_id, d.source_file,
       v.value_id, v.name AS printed_name, v.periodicity,
       v.outcome, v.outcome_raw, v.outcome_men, v.outcome_men_raw,
       v.outcome_women, v.outcome_women_raw, v.prior_outcome, v.prior_outcome_raw, v.prior_year,
       v.target, v.target_raw, v.kf_target, v.kf_target_raw,
       v.analysis, v.namndmal, v.kf_goal_code, g.text AS goal_text, g.code AS goal_code,
       g.level AS goal_level,
       CASE WHEN gp2.level = 'inriktningsmal' THEN gp2.text
            WHEN gp.level = 'inriktningsmal' THEN gp.text END AS area,
       v.source_line, v.source_line_end, v.source_page
FROM indicator_values v
JOIN documents d USING (document_id)
LEFT JOIN indicators i ON i.indicator_id = v.indicator_id
LEFT JOIN goals g ON g.goal_id = v.goal_id
LEFT JOIN goals gp ON gp.goal_id = g.parent_goal_id
LEFT JOIN goals gp2 ON gp2.goal_id = gp.parent_goal_id
WHERE d.level = 'namnd'
"""

_OBS_SCHEMA_COLS = [
    "indicator_id", "indicator", "unit", "direction", "district", "year", "outcome", "outcome_raw",
    "outcome_men", "outcome_men_raw", "outcome_women", "outcome_women_raw", "from_later_report",
    "priority", "target", "target_raw", "kf_target", "kf_target_raw", "doc_type", "document_id",
    "source_file", "source_line", "source_line_end", "source_page", "printed_name", "periodicity",
    "analysis", "goal_text", "goal_code", "area", "namndmal", "value_id",
]


def value_rows(con, *, indicator_id: str | None = None, district: str | None = None,
               years: tuple[int, int] | None = None) -> pl.DataFrame:
    """The printed value rows (council-level documents) matching the filters, with provenance."""
    sql, params = _VALUE_SQL, list[object]()
    if indicator_id is not None:
        sql += " AND v.indicator_id = ?"
        params.append(indicator_id)
    if district is not None:
        sql += " AND d.district = ?"
        params.append(district)
    if years is not None:
        sql += " AND d.year BETWEEN ? AND ?"
        params += [years[0], years[1]]
    sql += " ORDER BY d.district, d.year, d.doc_type, v.source_line"
    return _frame(con, sql, params)


def _observations(rows: pl.DataFrame) -> pl.DataFrame:
    """Candidate (district, year) observations: each row's own-year values plus the
    prior-year column of annual reports as an observation of the previous year."""
    if rows.height == 0:
        return pl.DataFrame(schema={c: pl.Null for c in _OBS_SCHEMA_COLS})
    has_outcome = pl.col("outcome").is_not_null()
    own = rows.with_columns(
        year=pl.col("doc_year"),
        from_later_report=pl.lit(False),
        priority=pl.when(has_outcome & (pl.col("doc_type") == REPORT)).then(0)
        .when(has_outcome & (pl.col("doc_type") == TERTIAL)).then(2)
        .when(has_outcome).then(3)
        .when(pl.col("doc_type") == REPORT).then(4)
        .when(pl.col("doc_type") == TERTIAL).then(5)
        .otherwise(6),
    )
    prior = rows.filter(pl.col("prior_outcome").is_not_null()).with_columns(
        year=pl.coalesce(pl.col("prior_year"), pl.col("doc_year") - 1),
        outcome=pl.col("prior_outcome"),
        outcome_raw=pl.col("prior_outcome_raw"),
        outcome_men=pl.lit(None, pl.Float64),
        outcome_men_raw=pl.lit(None, pl.String),
        outcome_women=pl.lit(None, pl.Float64),
        outcome_women_raw=pl.lit(None, pl.String),
        target=pl.lit(None, pl.Float64),
        target_raw=pl.lit(None, pl.String),
        kf_target=pl.lit(None, pl.Float64),
        kf_target_raw=pl.lit(None, pl.String),
        analysis=pl.lit(None, pl.String),
        from_later_report=pl.lit(True),
        priority=pl.lit(1),
    )
    cols = _OBS_SCHEMA_COLS
    both = pl.concat([own.select(cols), prior.select(cols)], how="vertical_relaxed")
    return both.with_columns(pl.col("year").cast(pl.Int64), pl.col("priority").cast(pl.Int64))


def _best(obs: pl.DataFrame) -> pl.DataFrame:
    """One row per (indicator, district, year): the best outcome, with targets filled in
    from the best row that has them (a plan's target when the report lacks one)."""
    if obs.height == 0:
        return obs.with_columns(
            missing_reason=pl.lit(None, pl.String), attainment=pl.lit(None, pl.String),
            raw_text=pl.lit(None, pl.String))
    keys = ["indicator_id", "district", "year"]
    ordered = obs.sort([*keys, "priority", "source_line"])
    best = ordered.group_by(keys, maintain_order=True).first()
    targets = (
        ordered.filter(~pl.col("from_later_report"))
        .group_by(keys, maintain_order=True)
        .agg(
            pl.col("target").drop_nulls().first().alias("_t"),
            pl.col("target_raw").drop_nulls().first().alias("_tr"),
            pl.col("kf_target").drop_nulls().first().alias("_k"),
            pl.col("kf_target_raw").drop_nulls().first().alias("_kr"),
            pl.col("analysis").drop_nulls().first().alias("_a"),
        )
    )
    best = best.join(targets, on=keys, how="left").with_columns(
        target=pl.coalesce("target", "_t"),
        target_raw=pl.coalesce("target_raw", "_tr"),
        kf_target=pl.coalesce("kf_target", "_k"),
        kf_target_raw=pl.coalesce("kf_target_raw", "_kr"),
        analysis=pl.coalesce("analysis", "_a"),
    ).drop("_t", "_tr", "_k", "_kr", "_a")
    return best.with_columns(
        missing_reason=_missing_reason_expr(best["outcome_raw"]),
        attainment=_attainment_expr(best["outcome"], best["target"]),
        raw_text=_RAW_TEXT,
    )


def _per_value(values: pl.Series, fn, dtype: Any) -> pl.Series:
    """`fn` applied once per distinct non-null value (a frame repeats few distinct values);
    null stays null. Python's own semantics (round, str.strip), without a per-row loop."""
    distinct = values.drop_nulls().unique()
    if distinct.len() == 0:
        return pl.Series(values.name, [None] * values.len(), dtype=dtype)
    return values.replace_strict(distinct, pl.Series([fn(v) for v in distinct.to_list()], dtype=dtype),
                                 default=None, return_dtype=dtype)


def _missing_reason_expr(outcome_raw: pl.Series) -> pl.Expr:
    """Why a row has no outcome (None when it has one): "ej mätt – dokumentet anger ”…”" for a
    printed word, a plan's row, or an empty cell."""
    raw = pl.lit(_per_value(outcome_raw, lambda t: t.strip(), pl.String))
    return (pl.when(pl.col("outcome").is_not_null()).then(pl.lit(None, pl.String))
            .when(raw.is_not_null() & (raw != "")).then(pl.lit("ej mätt – dokumentet anger ”") + raw + pl.lit("”"))
            .when(pl.col("doc_type") == PLAN).then(pl.lit(MISSING_PLAN_ONLY))
            .otherwise(pl.lit(MISSING_EMPTY)))


def _attainment_expr(outcome: pl.Series, target: pl.Series) -> pl.Expr:
    """Attainment of every row, the one definition (see ATTAINMENT_LABELS): "planned" for a
    plan's row without an outcome, "missing" for another row without one, "no_target",
    "no_direction" (neither higher nor lower is better), else "met" / "not_met" against the
    district's own target by the indicator's direction. Outcome and target are compared
    rounded to 9 decimals with Python's round (0.1 + 0.2 meets 0.3)."""
    o = pl.lit(_per_value(outcome, lambda v: round(float(v), 9), pl.Float64))
    t = pl.lit(_per_value(target, lambda v: round(float(v), 9), pl.Float64))
    direction = pl.col("direction")
    return (pl.when(pl.col("outcome").is_null() & (pl.col("doc_type") == PLAN).fill_null(False))
            .then(pl.lit("planned"))
            .when(pl.col("outcome").is_null()).then(pl.lit("missing"))
            .when(pl.col("target").is_null()).then(pl.lit("no_target"))
            .when(~direction.is_in(["higher", "lower"]).fill_null(False)).then(pl.lit("no_direction"))
            .when(direction == "higher").then(pl.when(o >= t).then(pl.lit("met")).otherwise(pl.lit("not_met")))
            .otherwise(pl.when(o <= t).then(pl.lit("met")).otherwise(pl.lit("not_met"))))


def _labelled(col: str, label: str | None = None) -> pl.Expr:
    c = pl.col(col)
    return pl.when(c.is_not_null() & (c != "")).then(pl.lit(f"{label}: ") + c if label else c)


# every row's printed text: the printed name and the printed cells, " | " between them
_RAW_TEXT = pl.concat_str(
    [_labelled("printed_name"), _labelled("outcome_raw", "utfall"), _labelled("outcome_men_raw", "män/pojkar"),
     _labelled("outcome_women_raw", "kvinnor/flickor"), _labelled("target_raw", "årsmål"),
     _labelled("kf_target_raw", "KF:s årsmål"), _labelled("periodicity", "period")],
    separator=" | ", ignore_nulls=True)


def indicator_by_year(con, indicator_id: str) -> pl.DataFrame:
    """One row per district and year where the indicator appears (see module docstring)."""
    return _best(_observations(value_rows(con, indicator_id=indicator_id)))


def attainment_share(con) -> dict:
    """Share of indicator outcomes (council level) that met their target, for the latest
    year with outcomes: {'met_year', 'n_judged', 'share_met'} (share None when nothing to judge)."""
    # Only an observation with an outcome of an indicator with a direction can be judged, so
    # only those years are candidates; newest first, each year's observations alone (an
    # (indicator, district, year) row depends only on that year's observations).
    candidates = con.execute("""
        SELECT DISTINCT CASE WHEN side = 'own' THEN d.year ELSE coalesce(v.prior_year, d.year - 1) END AS y
        FROM indicator_values v JOIN documents d USING (document_id)
        JOIN indicators i ON i.indicator_id = v.indicator_id,
             (VALUES ('own'), ('prior')) AS s(side)
        WHERE d.level = 'namnd' AND i.direction IN ('higher', 'lower')
          AND CASE WHEN side = 'own' THEN v.outcome ELSE v.prior_outcome END IS NOT NULL
        ORDER BY y DESC""").fetchall()
    for (year,) in candidates:
        obs = _observations(_year_rows(con, int(year))).filter(pl.col("year") == year)
        judged = _best(obs).filter(pl.col("attainment").is_in(["met", "not_met"])) if obs.height else obs
        if judged.height:
            return {"met_year": int(year), "n_judged": judged.height,
                    "share_met": judged.filter(pl.col("attainment") == "met").height / judged.height}
    return {"met_year": None, "n_judged": 0, "share_met": None}


def _year_rows(con, year: int) -> pl.DataFrame:
    """The value rows that give an observation of `year` (the year's own documents and the
    reports whose prior-year column is that year), with only the columns that decide which row
    is best and its attainment (the others null), for counting attainment."""
    where = (" AND (d.year = $year OR (v.prior_outcome IS NOT NULL"
             " AND coalesce(v.prior_year, d.year - 1) = $year))"
             " ORDER BY d.district, d.year, d.doc_type, v.source_line")
    rows = _frame(con, """
        SELECT v.indicator_id, i.direction, d.district, d.year AS doc_year, d.doc_type, v.outcome,
               v.prior_outcome, v.prior_year, v.target, v.source_line
        FROM indicator_values v
        JOIN documents d USING (document_id)
        LEFT JOIN indicators i ON i.indicator_id = v.indicator_id
        WHERE d.level = 'namnd'""" + where, {"year": year})
    return rows.with_columns(pl.lit(None).alias(c) for c in _OBS_SCHEMA_COLS + ["prior_outcome_raw"]
                             if c not in rows.columns and c not in ("year", "from_later_report", "priority"))
