"""One indicator for the pages: the catalogue and its search, the values across districts
for a year and over the years (from indicator_values.indicator_by_year), the city's
references (median, KF target), and all indicators of one district for a year (the profile).

No streamlit here (the CLI and the tests use this module too). All SQL is parameterised.
"""
from __future__ import annotations

from typing import Any, cast

import polars as pl

from dashboard.indicator_values import (
    MISSING_NO_DOCUMENT,
    MISSING_NO_ROW,
    _best,
    _observations,
    indicator_by_year,
    value_rows,
)
from dashboard.sql import _frame
from dashboard.text_match import text_matcher


def indicator(con, indicator_id: str) -> dict | None:
    """One indicator's catalogue row as a dict, or None."""
    df = _frame(con, "SELECT * FROM indicators WHERE indicator_id = ?", [indicator_id])
    return df.row(0, named=True) if df.height else None


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
