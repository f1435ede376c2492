"""Read-side queries for the dashboard: a DuckDB connection in, polars frames out.

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

import re
from pathlib import Path
from typing import Any, cast

import duckdb
import polars as pl

from etl.search.terms import folded_term, query_words, words

REPORT = "verksamhetsberattelse"
TERTIAL = "tertialrapport"
PLAN = "verksamhetsplan"

DOC_TYPE_LABELS = {
    PLAN: "Verksamhetsplan",
    REPORT: "Verksamhetsberättelse",
    TERTIAL: "Tertialrapport",
}
ATTAINMENT_LABELS = {
    "met": "Uppnått",
    "not_met": "Ej uppnått",
    "no_direction": "Ingen riktning",
    "no_target": "Inget mål",
    "planned": "Bara mål (plan)",
    "missing": "Saknas",
}
ASSESSMENT_LABELS = {"helt": "Helt uppfyllt", "delvis": "Delvis uppfyllt", "inte": "Inte uppfyllt"}
LEVEL_LABELS = {"namnd": "nämnd", "enhet": "enhet"}

MISSING_NO_DOCUMENT = "inget dokument för året"
MISSING_NO_ROW = "saknas i dokumentet"
MISSING_PLAN_ONLY = "ej mätt – bara verksamhetsplan (mål, inget utfall)"
MISSING_EMPTY = "ej mätt – tom cell i dokumentet"


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list | dict | None = None) -> pl.DataFrame:
    return con.execute(sql, params or []).pl()


def contains_text(columns: list[str], text: str) -> pl.Expr:
    """Rows where any of the columns holds the user's text: case-insensitive, and literal
    (a "(" or "?" typed in a filter is a character, never a regular expression)."""
    needle = text.strip().lower()
    return pl.any_horizontal([pl.col(c).fill_null("").str.to_lowercase().str.contains(needle, literal=True)
                              for c in columns])


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
    ).fetchone()
    return bool(row and row[0])


# --- catalogue -----------------------------------------------------------------------------

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


def indicator(con, indicator_id: str) -> dict | None:
    """One indicator's catalogue row as a dict, or None."""
    df = _frame(con, "SELECT * FROM indicators WHERE indicator_id = ?", [indicator_id])
    return df.row(0, named=True) if df.height else None


def text_matcher(text: str):
    """A predicate "do these texts hold every word the user typed": the dashboard's one
    folding rule (indicator search, activities): words in any order, case- and
    accent-insensitive on their Swedish stems (etl.search.terms.folded_term), and as the start of a
    word. None when the user typed no word."""
    wanted = [folded_term(w) for w in query_words(text)]
    if not wanted:
        return None

    def matches(*texts: str | None) -> bool:
        terms = {folded_term(w) for t in texts if t for w in words(t)}
        return all(any(x.startswith(w) for x in terms) for w in wanted)
    return matches


def search_indicators(con, text: str = "", *, kf_only: bool = False) -> pl.DataFrame:
    """Indicators whose name (canonical or as printed) or goal text holds every word of `text`.

    Words match in any order, case- and accent-insensitively, on their Swedish stems (the
    full-text search's stemmer, etl/search/terms.py) and as the start of a word: "barn bistånd",
    "bistand", "ekonomiskt bist" all find "Andel barn som lever i familjer som har ekonomiskt
    bistånd". One row per indicator: indicator_id, name, unit, direction, is_kf, n_districts,
    years (list), n_values, matched_goal (a goal text that matched, when the name did not).
    Sorted by how widely the indicator is reported, then name.
    """
    sql = """
    WITH stats AS (
        SELECT v.indicator_id, count(DISTINCT d.district) AS n_districts,
               list(DISTINCT d.year ORDER BY d.year) AS years, count(d.district) AS n_values
        FROM indicator_values v JOIN documents d USING (document_id)
        GROUP BY v.indicator_id
    )
    SELECT i.indicator_id, i.name, i.unit, i.direction, i.is_kf, i.gender_split,
           coalesce(s.n_districts, 0) AS n_districts,
           coalesce(s.years, [NULL::INTEGER]) AS years,     -- as list() of the one empty joined row
           coalesce(s.n_values, 0) AS n_values
    FROM indicators i
    LEFT JOIN stats s ON s.indicator_id = i.indicator_id
    WHERE ($kf_only = FALSE OR coalesce(i.is_kf, FALSE))
    ORDER BY n_districts DESC, n_values DESC, i.name, i.indicator_id
    """
    df = _frame(con, sql, {"kf_only": kf_only})
    matches = text_matcher(text)
    if matches is None:
        return df.with_columns(matched_goal=pl.lit(None, dtype=pl.String))
    # each distinct (indicator, printed name, goal, nämndmål) is matched once: a few hundred for a city
    texts = con.execute("""
        SELECT DISTINCT v.indicator_id, v.name, g.text, v.namndmal
        FROM indicator_values v LEFT JOIN goals g ON g.goal_id = v.goal_id""").fetchall()
    names: dict[str, list[str]] = {r["indicator_id"]: [r["name"]] for r in df.select("indicator_id", "name").to_dicts()}
    goals: dict[str, list[str]] = {}
    for iid, printed, goal, namndmal in texts:
        names.setdefault(iid, []).append(printed)
        goals.setdefault(iid, []).extend(t for t in (goal, namndmal) if t)
    hit_ids: list[str] = []
    matched_goal: list[str | None] = []
    for iid in df["indicator_id"].to_list():
        if any(matches(n) for n in names.get(iid, []) if n):
            hit_ids.append(iid)
            matched_goal.append(None)
        else:
            goal = next((g for g in goals.get(iid, []) if matches(g)), None)
            if goal is not None:
                hit_ids.append(iid)
                matched_goal.append(goal)
    hits = pl.DataFrame({"indicator_id": hit_ids, "matched_goal": matched_goal},
                        schema={"indicator_id": pl.String, "matched_goal": pl.String})
    return df.join(hits, on="indicator_id", how="inner", maintain_order="left")


# --- values for one indicator ----------------------------------------------------------------

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


def _missing_reason(r: dict) -> str | None:
    if r["outcome"] is not None:
        return None
    raw = (r.get("outcome_raw") or "").strip()
    if raw:
        return f"ej mätt – dokumentet anger ”{raw}”"
    if r["doc_type"] == PLAN:
        return MISSING_PLAN_ONLY
    return MISSING_EMPTY


def _raw_text(r: dict) -> str:
    parts = [r.get("printed_name") or ""]
    labels = [("outcome_raw", "utfall"), ("outcome_men_raw", "män/pojkar"),
              ("outcome_women_raw", "kvinnor/flickor"), ("target_raw", "årsmål"),
              ("kf_target_raw", "KF:s årsmål"), ("periodicity", "period")]
    for col, label in labels:
        if r.get(col):
            parts.append(f"{label}: {r[col]}")
    return " | ".join(p for p in parts if p)


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
    """_missing_reason for every row: None when there is an outcome, else why not."""
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


# _raw_text for every row: the printed name and the printed cells, " | " between them
_RAW_TEXT = pl.concat_str(
    [_labelled("printed_name"), _labelled("outcome_raw", "utfall"), _labelled("outcome_men_raw", "män/pojkar"),
     _labelled("outcome_women_raw", "kvinnor/flickor"), _labelled("target_raw", "årsmål"),
     _labelled("kf_target_raw", "KF:s årsmål"), _labelled("periodicity", "period")],
    separator=" | ", ignore_nulls=True)


def indicator_by_year(con, indicator_id: str) -> pl.DataFrame:
    """One row per district and year where the indicator appears (see module docstring)."""
    return _best(_observations(value_rows(con, indicator_id=indicator_id)))


def indicator_across_districts(con, indicator_id: str, year: int) -> pl.DataFrame:
    """Every district (council level) for one year, also those without a value: their
    `outcome` is null and `missing_reason` says why ("saknas i dokumentet", "ej mätt ...",
    "inget dokument för året"). Sorted by district."""
    return across_districts(indicator_by_year(con, indicator_id), district_documents(con, year),
                            indicator(con, indicator_id) or {}, indicator_id, year)


def district_documents(con, year: int) -> pl.DataFrame:
    """Per district (council level): whether it has a document for `year`, and its files."""
    return _frame(con, """
        SELECT district, bool_or(year = ?) AS has_doc,
               string_agg(CASE WHEN year = ? THEN source_file END, ', ') AS files
        FROM documents WHERE level = 'namnd' GROUP BY district""", [year, year])


def across_districts(by_year: pl.DataFrame, docs: pl.DataFrame, info: dict, indicator_id: str,
                     year: int) -> pl.DataFrame:
    """indicator_across_districts from the indicator's indicator_by_year frame, the year's
    district_documents and its catalogue row (a page that already has them queries nothing)."""
    found = by_year.filter(pl.col("year") == year)
    known = set(found["district"].to_list())
    extra = []
    for r in docs.sort("district").iter_rows(named=True):
        if r["district"] in known:
            continue
        extra.append({
            "indicator_id": indicator_id, "indicator": info.get("name"), "unit": info.get("unit"),
            "direction": info.get("direction"), "district": r["district"], "year": year,
            "from_later_report": False, "source_file": r["files"],
            "missing_reason": MISSING_NO_ROW if r["has_doc"] else MISSING_NO_DOCUMENT,
            "attainment": "missing",
        })
    if extra:
        found = pl.concat([found, pl.DataFrame(extra)], how="diagonal_relaxed")
    return found.sort("district")


def indicator_over_years(con, indicator_id: str, districts: list[str] | None = None) -> pl.DataFrame:
    """One row per district and year with a value or a reason; sorted by district, year."""
    return over_years(indicator_by_year(con, indicator_id), districts)


def over_years(by_year: pl.DataFrame, districts: list[str] | None = None) -> pl.DataFrame:
    """indicator_over_years from the indicator's indicator_by_year frame."""
    df = by_year
    if districts:
        df = df.filter(pl.col("district").is_in(districts))
    return df.sort("district", "year")


CITY_SCALE = 5.0     # a KF target this many times the largest district value or target is a city total


def reference_values(frame: pl.DataFrame, unit: str | None = None) -> dict:
    """City median of the outcomes and the KF target (most common printed value) of a
    one-year cross-district frame (give it every district of the year, not a selection).

    ``kf_scope`` says whether the KF target can be drawn on the districts' scale:
    "district" (a share, or a number of the districts' size), or "city" when it is a city
    total ("9 000 st" feriejobb for the whole city against ~200 per district): then it is
    shown as text (``kf_text``, the printed target), never as a rule that squashes the bars.
    Values are None when they cannot be computed (a KF target that is a word, "öka")."""
    out: dict[str, Any] = {"median": None, "kf_target": None, "kf_scope": None, "kf_text": None, "n": 0}
    if frame.height == 0 or "outcome" not in frame.columns:
        return out
    vals = frame["outcome"].drop_nulls()
    out["n"] = vals.len()
    if vals.len():
        out["median"] = float(cast(float, vals.median()))
    if "kf_target" in frame.columns:
        kf = frame["kf_target"].drop_nulls()
        if kf.len():
            out["kf_target"] = float(kf.mode().sort()[0])
            if "kf_target_raw" in frame.columns:
                printed = frame.filter(pl.col("kf_target") == out["kf_target"])["kf_target_raw"].drop_nulls()
                out["kf_text"] = printed[0] if printed.len() else None
            own = [abs(v) for col in ("outcome", "target") if col in frame.columns
                   for v in frame[col].drop_nulls().to_list()]
            city = unit != "%" and bool(own) and abs(out["kf_target"]) > CITY_SCALE * max(max(own), 1e-9)
            out["kf_scope"] = "city" if city else "district"
    return out


# --- district profile --------------------------------------------------------------------------

def district_profile(con, district: str, year: int) -> pl.DataFrame:
    """All indicators of one district for one year: target, outcome, last year's outcome,
    attainment, goal it serves and area (inriktningsmål)."""
    rows = value_rows(con, district=district, years=(year - 1, year + 1))
    best = _best(_observations(rows))
    now = best.filter(pl.col("year") == year)
    last = best.filter((pl.col("year") == year - 1) & pl.col("outcome").is_not_null()).select(
        "indicator_id",
        pl.col("outcome").alias("last_year"),
        pl.col("outcome_raw").alias("last_year_raw"),
        pl.col("from_later_report").alias("last_year_from_later_report"),
    )
    if now.height == 0:
        return now.with_columns(last_year=pl.lit(None, pl.Float64), target_gap=pl.lit(None, pl.Float64))
    now = now.with_columns(target_gap=_TARGET_GAP)
    return now.join(last, on="indicator_id", how="left").sort("area", "goal_code", "indicator",
                                                              nulls_last=True)


_GAP = (pl.col("outcome") - pl.col("target")) / pl.col("target").abs() * 100
# How far the outcome is from the target, in percent of the target, signed so that a positive
# number is better than the target whatever the direction. None when it cannot be said (a
# value missing, no direction, or a target of 0).
_TARGET_GAP = (
    pl.when(pl.col("outcome").is_null() | pl.col("target").is_null() | (pl.col("target") == 0)
            | ~pl.col("direction").is_in(["higher", "lower"]).fill_null(False))
    .then(pl.lit(None, pl.Float64))
    .when(pl.col("direction") == "higher").then(_GAP)
    .otherwise(-_GAP))


# --- goals -----------------------------------------------------------------------------------

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


# --- coverage, sources, quality ------------------------------------------------------------

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


def latest_documents(con, n: int = 5) -> pl.DataFrame:
    return _frame(con, "SELECT district, year, doc_type, level, unit_name, source_file FROM documents "
                       "ORDER BY year DESC, document_id DESC LIMIT ?", [n])


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
