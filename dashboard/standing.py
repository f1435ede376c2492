"""Where one district stands among the others ("Min stadsdel").

`rank` places a district among the districts of a one-year cross-district frame, by the
indicator's direction; `district_summary` is the Översikt summary for one district: its
latest document, its share of indicators that met their target against the city's median
share, the indicators where it is furthest ahead of and behind the other districts, and its
goals' printed assessments. No streamlit here (the tests call it on a fixture database).
"""
from __future__ import annotations

from typing import cast

import polars as pl

from dashboard import document_queries, goal_queries, indicator_values

MIN_DISTRICTS = 3          # an indicator is ranked only when at least this many districts report it
N_EXTREMES = 3             # indicators shown as furthest ahead / behind


def rank(frame: pl.DataFrame, district: str, direction: str | None) -> tuple[int, int] | None:
    """(place, of how many) of `district` among the districts with an outcome in `frame`
    (one row per district), best first by `direction` ("lower": lowest first; "higher" or
    unknown: highest first). Ties share the better place (1, 2, 2, 4). None when the
    district has no outcome."""
    if frame.height == 0 or "outcome" not in frame.columns:
        return None
    has = frame.filter(pl.col("outcome").is_not_null())
    mine = has.filter(pl.col("district") == district)
    if mine.height == 0:
        return None
    value = mine["outcome"][0]
    better = has.filter(pl.col("outcome") < value if direction == "lower" else pl.col("outcome") > value)
    return better.height + 1, has.height


def _ordinal(n: int) -> str:
    """Swedish ordinal with a colon: 1:a, 2:a, 3:e, 11:e, 21:a."""
    return f"{n}:{'a' if n % 10 in (1, 2) and n % 100 not in (11, 12) else 'e'}"


def rank_text(place: tuple[int, int] | None, direction: str | None) -> str | None:
    """ "3:e bäst av 13" (by the indicator's direction), "3:e högst av 13" when the
    direction is unknown (higher is not known to be better); "bäst av 13" for the first."""
    if place is None:
        return None
    n, of = place
    word = "bäst" if direction in ("higher", "lower") else "högst"
    return f"{word} av {of}" if n == 1 else f"{_ordinal(n)} {word} av {of}"


def _judged_share(best: pl.DataFrame) -> pl.DataFrame:
    """Per district: indicators judged (met/not met) and the share met."""
    judged = best.filter(pl.col("attainment").is_in(["met", "not_met"]))
    return judged.group_by("district").agg(
        n=pl.len(), share=(pl.col("attainment") == "met").mean()).sort("district")


def year_values(con, year: int) -> pl.DataFrame:
    """Every indicator's best observation per district for `year` (council level), as the
    compare page picks them (the year's report, else the next report's prior-year column)."""
    rows = indicator_values.value_rows(con, years=(year, year + 1))
    best = indicator_values._best(indicator_values._observations(rows))
    return best.filter(pl.col("year") == year)


def positions(best: pl.DataFrame, district: str, *, min_districts: int = 2,
              directed_only: bool = False) -> pl.DataFrame:
    """One row per indicator of `best` (one year) that the district reports with an outcome,
    reported by at least `min_districts` districts (``directed_only``: with a known
    direction): its outcome, the city median, its place and `rank_text`, and a `lead` in 0..1
    (1 = best of all, 0 = last) to order by."""
    has = best.filter(pl.col("outcome").is_not_null())
    if directed_only:
        has = has.filter(pl.col("direction").is_in(["higher", "lower"]))
    rows = []
    for (iid,), group in has.group_by(["indicator_id"]):
        if group.height < min_districts or district not in group["district"].to_list():
            continue
        direction = group["direction"][0]
        place = rank(group, district, direction)
        assert place is not None            # the district is in the group with an outcome
        mine = group.filter(pl.col("district") == district).row(0, named=True)
        rows.append({"indicator_id": iid, "indicator": mine.get("indicator"), "unit": mine.get("unit"),
                     "outcome": mine["outcome"], "median": float(cast(float, group["outcome"].median())),
                     "place": place[0], "of": place[1], "direction": direction,
                     "lead": 1 - (place[0] - 1) / (place[1] - 1), "rank_text": rank_text(place, direction),
                     "source_file": mine.get("source_file"), "source_line": mine.get("source_line")})
    schema = {"indicator_id": pl.String, "indicator": pl.String, "unit": pl.String, "outcome": pl.Float64,
              "median": pl.Float64, "place": pl.Int64, "of": pl.Int64, "direction": pl.String,
              "lead": pl.Float64, "rank_text": pl.String, "source_file": pl.String, "source_line": pl.Int64}
    return pl.DataFrame(rows, schema=schema)


def places(con, district: str, year: int) -> pl.DataFrame:
    """The district's place among the districts for each indicator of the year (the
    profile's "Placering")."""
    return positions(year_values(con, year), district)


def district_summary(con, district: str) -> dict:
    """The Översikt summary of one district (keys documented inline; frames may be empty)."""
    docs = document_queries.documents(con).filter((pl.col("district") == district) & (pl.col("level") == "namnd"))
    latest = docs.sort(["year", "doc_type"], descending=[True, False]).head(1)
    out: dict = {
        "district": district,
        "latest": latest.row(0, named=True) if latest.height else None,   # its newest document
        "year": None, "share_met": None, "n_judged": 0,                    # its share of indicators met
        "city_share": None, "n_city": 0,                                   # median share of the districts
        "ahead": pl.DataFrame(), "behind": pl.DataFrame(),                 # furthest ahead / behind
        "goals": pl.DataFrame(), "goal_year": None,                        # its goals' assessments
    }
    years = sorted({int(y) for y in docs["year"].to_list()}, reverse=True)
    for year in years:      # the newest year in which the district has judged outcomes
        best = year_values(con, year)
        shares = _judged_share(best)
        mine = shares.filter(pl.col("district") == district)
        if mine.height == 0:
            continue
        out.update(year=year, share_met=float(mine["share"][0]), n_judged=int(mine["n"][0]),
                   city_share=float(cast(float, shares["share"].median())), n_city=shares.height)
        pos = positions(best, district, min_districts=MIN_DISTRICTS, directed_only=True)
        # furthest ahead: the best places first, ties by how many districts are behind;
        # furthest behind: the last places first
        ahead = pos.filter(pl.col("lead") > 0.5).sort(["lead", "of"], descending=[True, True])
        behind = pos.filter(pl.col("lead") < 0.5).sort(["lead", "of"], descending=[False, True])
        out["ahead"], out["behind"] = ahead.head(N_EXTREMES), behind.head(N_EXTREMES)
        break
    goals = goal_queries.goal_assessments(con).filter(
        (pl.col("district") == district) & pl.col("assessment").is_not_null())
    if goals.height:
        goal_year = int(cast(int, goals["year"].max()))
        out["goal_year"] = goal_year
        out["goals"] = goals.filter(pl.col("year") == goal_year)
    return out
