"""Read-side queries for the Aktiviteter page: the activities the plans and reports list.

No streamlit here (tests use this module directly). A DuckDB connection in, polars frames
out; all SQL is parameterised. Every row carries where it was printed (document, source
file, line and page).

Status. The documents print no status for an activity: a plan prints "Aktivitet, Startdatum,
Slutdatum"; an annual report adds a column "Avvikelse" that holds the word "Avvikelse" when
the activity deviated from the plan and is empty otherwise (whether the work was finished
is only said, if at all, in the "Analys" text under it). So the status shown is derived,
from the document type, the report's deviation mark and the printed dates, and never says
more than the document does (STATUS_RULE says it to the user):

- a plan (verksamhetsplan): "Planerad";
- a report (verksamhetsberättelse, tertialrapport) that marks a deviation: "Avvikelse";
- a report without a deviation mark whose printed end date lies after the report's year:
  "Fortsätter efter rapportåret";
- any other report row: "Ingen avvikelse angiven" (not "klar": the report does not say so).
"""
from __future__ import annotations

import re

import polars as pl

from dashboard.fmt import fmt_lines
from dashboard.labels import DOC_TYPE_LABELS, PLAN, REPORT, TERTIAL
from dashboard.sql import table_exists
from dashboard.text_match import text_matcher

STATUS_PLANNED = "Planerad"
STATUS_DEVIATION = "Avvikelse"
STATUS_CONTINUES = "Fortsätter efter rapportåret"
STATUS_NO_DEVIATION = "Ingen avvikelse angiven"
STATUSES = [STATUS_PLANNED, STATUS_CONTINUES, STATUS_NO_DEVIATION, STATUS_DEVIATION]

STATUS_RULE = (
    "Dokumenten trycker ingen status för aktiviteterna; status här är härledd. "
    "Planerad: aktiviteten står i en verksamhetsplan. "
    "Avvikelse: verksamhetsberättelsen (eller tertialrapporten) markerar en avvikelse. "
    "Fortsätter efter rapportåret: rapporten markerar ingen avvikelse och det tryckta "
    "slutdatumet ligger efter rapportens år. "
    "Ingen avvikelse angiven: rapporten markerar ingen avvikelse. "
    "Om en aktivitet är genomförd står bara i rapportens analystext, när den finns."
)
NO_GOAL = "Utan mål"

_DOC_ORDER = {PLAN: 0, TERTIAL: 1, REPORT: 2}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_SQL = """
SELECT a.activity_id, a.document_id, d.district, d.year, d.doc_type, d.level, d.unit_name,
       d.source_file, a.goal_id, coalesce(g.code, a.goal_code) AS goal_code, g.text AS goal_text,
       g.level AS goal_level, a.text, a.start_date, a.end_date, a.deviation, a.analysis,
       a.source_line, a.source_page,
       coalesce(g.source_line, a.source_line) AS goal_line
FROM activities a
JOIN documents d USING (document_id)
LEFT JOIN goals g ON g.goal_id = a.goal_id
WHERE ($units OR d.level = 'namnd')
  AND ($year IS NULL OR d.year = $year)
  AND ($doc_type IS NULL OR d.doc_type = $doc_type)
ORDER BY d.district, d.year,
         CASE d.doc_type WHEN 'verksamhetsplan' THEN 0 WHEN 'tertialrapport' THEN 1 ELSE 2 END,
         d.level DESC, d.unit_name NULLS FIRST, d.document_id, goal_line, a.source_line
"""

_SCHEMA = {
    "activity_id": pl.Int32, "document_id": pl.Int32, "district": pl.String, "year": pl.Int32,
    "doc_type": pl.String, "level": pl.String, "unit_name": pl.String, "source_file": pl.String,
    "goal_id": pl.Int32, "goal_code": pl.String, "goal_text": pl.String, "goal_level": pl.String,
    "text": pl.String, "start_date": pl.String, "end_date": pl.String, "deviation": pl.String,
    "analysis": pl.String, "source_line": pl.Int32, "source_page": pl.Int32, "goal_line": pl.Int32,
}


def has_activities_table(con) -> bool:
    return table_exists(con, "activities")


def activity_years(con, *, units: bool = False) -> list[int]:
    """The years of the documents that list activities (council-level documents unless
    `units`), oldest first."""
    if not has_activities_table(con):
        return []
    rows = con.execute(
        "SELECT DISTINCT d.year FROM activities a JOIN documents d USING (document_id) "
        "WHERE ? OR d.level = 'namnd' ORDER BY 1", [units]).fetchall()
    return [int(r[0]) for r in rows]


def activity_districts(con, year: int | None = None, *, units: bool = False) -> list[str]:
    """Districts whose documents (of `year`, when given) list activities."""
    if not has_activities_table(con):
        return []
    rows = con.execute(
        "SELECT DISTINCT d.district FROM activities a JOIN documents d USING (document_id) "
        "WHERE (? OR d.level = 'namnd') AND (? IS NULL OR d.year = ?) ORDER BY 1",
        [units, year, year]).fetchall()
    return [r[0] for r in rows]


def unit_activity_count(con, year: int | None = None, districts: list[str] | tuple | None = None) -> int:
    """How many activities the unit-level (enhet) documents list (of `year`, of `districts`)."""
    if not has_activities_table(con):
        return 0
    sql = ("SELECT count(*) FROM activities a JOIN documents d USING (document_id) "
           "WHERE d.level <> 'namnd' AND (? IS NULL OR d.year = ?)")
    params: list = [year, year]
    if districts:
        sql += f" AND d.district IN ({', '.join('?' * len(districts))})"
        params += list(districts)
    return int(con.execute(sql, params).fetchone()[0])


def _goal_label(code: str | None, text: str | None) -> str:
    text = (text or "").strip()
    code = (code or "").strip()
    if not text and not code:
        return NO_GOAL
    return f"{code} {text}".strip() if code else text


def _code_key(label: str) -> tuple:
    """Natural order of goal labels by their number ("1.2" before "1.10"), then text."""
    m = re.match(r"^(\d+(?:\.\d+)*)\s", label + " ")
    nums = tuple(int(p) for p in m.group(1).split(".")) if m else (10**9,)
    return (label == NO_GOAL, nums, label.lower())


def parse_date(raw: str | None) -> str | None:
    """The printed date as ISO "YYYY-MM-DD" when it is one (a real calendar day), else None
    (the raw text is still shown as printed)."""
    import datetime as _dt

    value = (raw or "").strip()
    if not _ISO_DATE.match(value):
        return None
    try:
        return _dt.date.fromisoformat(value).isoformat()
    except ValueError:
        return None


def _status_expr() -> pl.Expr:
    has_deviation = pl.col("deviation").fill_null("").str.strip_chars() != ""
    end_year = pl.col("end_day").str.slice(0, 4).cast(pl.Int32, strict=False)
    continues = (end_year > pl.col("year")).fill_null(False)
    return (pl.when(pl.col("doc_type") == PLAN).then(pl.lit(STATUS_PLANNED))
            .when(has_deviation).then(pl.lit(STATUS_DEVIATION))
            .when(continues).then(pl.lit(STATUS_CONTINUES))
            .otherwise(pl.lit(STATUS_NO_DEVIATION)))


def _derive(df: pl.DataFrame) -> pl.DataFrame:
    rows = df.select("goal_code", "goal_text", "goal_id", "start_date", "end_date", "source_file",
                     "source_line", "source_page").to_dicts()
    df = df.with_columns(
        goal_label=pl.Series([_goal_label(r["goal_code"], r["goal_text"]) if r["goal_id"] is not None
                              or r["goal_code"] else NO_GOAL for r in rows], dtype=pl.String),
        start_day=pl.Series([parse_date(r["start_date"]) for r in rows], dtype=pl.String),
        end_day=pl.Series([parse_date(r["end_date"]) for r in rows], dtype=pl.String),
        source=pl.Series([f"{r['source_file']}, {fmt_lines(r['source_line'], None, r['source_page'])}"
                          for r in rows], dtype=pl.String),
        doc_label=pl.col("doc_type").replace_strict(DOC_TYPE_LABELS, default=pl.col("doc_type"),
                                                    return_dtype=pl.String),
    )
    return df.with_columns(status=_status_expr())


def activities(con, *, districts: list[str] | tuple | None = None, year: int | None = None,
               doc_type: str | None = None, goal: str | None = None, text: str = "",
               units: bool = False) -> pl.DataFrame:
    """The activities of the documents matching the filters, in document order (district,
    year, plan before report, then by goal and line), with district, year, document type,
    source file, goal code and text, and the derived columns:

    - goal_label: "1.1 <goal text>" (the goal's code when printed) or "Utan mål";
    - start_day / end_day: the printed date as ISO when it is a date, else None (start_date /
      end_date keep the text as printed);
    - status: see the module docstring; source: "<file>, sida 3, rad 12"; doc_label.

    Filters: `districts` (None or empty: all), `year`, `doc_type`, `goal` (a goal_label),
    `text` (every word, in the activity, its goal or its analysis; case- and accent-
    insensitive, see text_match.text_matcher). Council-level documents only unless `units`.
    """
    if not has_activities_table(con):
        return _derive(pl.DataFrame(schema=_SCHEMA))
    df = con.execute(_SQL, {"units": units, "year": year, "doc_type": doc_type}).pl()
    if df.height == 0:
        df = pl.DataFrame(schema=_SCHEMA)
    if districts:
        df = df.filter(pl.col("district").is_in(list(districts)))
    df = _derive(df)
    if goal:
        df = df.filter(pl.col("goal_label") == goal)
    matches = text_matcher(text)
    if matches is not None and df.height:
        keep = [matches(r["text"], r["goal_text"], r["analysis"])
                for r in df.select("text", "goal_text", "analysis").to_dicts()]
        df = df.filter(pl.Series(keep, dtype=pl.Boolean))
    return df


def goal_labels(frame: pl.DataFrame) -> list[str]:
    """The distinct goals of the frame, by goal number, then text; "Utan mål" last."""
    if frame.height == 0:
        return []
    return sorted(set(frame["goal_label"].to_list()), key=_code_key)


def doc_types(frame: pl.DataFrame) -> list[str]:
    """The document types of the frame: plan, tertial report, annual report."""
    if frame.height == 0:
        return []
    return sorted(set(frame["doc_type"].to_list()), key=lambda t: _DOC_ORDER.get(t, 9))


def summary(frame: pl.DataFrame) -> dict:
    """Counts for the page's metrics: activities, with both dates, in reports, with a deviation."""
    if frame.height == 0:
        return {"n": 0, "n_dated": 0, "n_reported": 0, "n_deviation": 0}
    reported = frame.filter(pl.col("doc_type") != PLAN)
    return {
        "n": frame.height,
        "n_dated": frame.filter(pl.col("start_day").is_not_null() & pl.col("end_day").is_not_null()).height,
        "n_reported": reported.height,
        "n_deviation": frame.filter(pl.col("status") == STATUS_DEVIATION).height,
    }


# Columns of the exported table, in order: query column -> the Swedish header. Columns the
# export helpers know (dashboard.export.SWEDISH_HEADERS) keep their code name here: the
# helpers give them their header, turn codes into words and add the source note ("Källa").
EXPORT_COLUMNS = {
    "district": None, "year": None, "doc_type": None, "goal_code": None, "goal_text": None,
    "text": "Aktivitet", "start_date": "Startdatum", "end_date": "Slutdatum", "status": "Status",
    "deviation": "Avvikelse", "analysis": None, "source_file": None, "source_page": None,
    "source_line": None,
}


def export_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The filtered activities as exported (CSV, Excel through dashboard.export): one row per
    activity shown; dates as printed. Unit-level rows bring the unit's name."""
    cols = list(EXPORT_COLUMNS)
    if frame.height and (frame["level"] != "namnd").any():
        cols[3:3] = ["level", "unit_name"]
    out = frame.select(cols).with_columns(pl.col("year").cast(pl.Int64))
    return out.rename({c: h for c, h in EXPORT_COLUMNS.items() if h and c in out.columns})


def status_counts(frame: pl.DataFrame) -> pl.DataFrame:
    """Activities per district and status (district, status, n, total), districts by total,
    most first, a district's statuses in a fixed order: the overview when several districts
    are shown (the same rows in the same order on every run, for the chart and an export)."""
    counts = frame.group_by("district", "status").agg(n=pl.len())
    totals = counts.group_by("district").agg(total=pl.col("n").sum())
    return (counts.join(totals, on="district")
            .sort(["total", "district", "status"], descending=[True, False, False], nulls_last=True)
            .select("district", "status", "n", "total"))


def timeline_frame(frame: pl.DataFrame, limit: int | None = None) -> pl.DataFrame:
    """The activities with both dates, for the timeline: `row` (a unique, numbered, shortened
    label, in table order), start and end (ISO; `end` is the day after the printed end date,
    so a bar covers the last day too)."""
    dated = frame.filter(pl.col("start_day").is_not_null() & pl.col("end_day").is_not_null())
    many = dated.height > 0 and dated["district"].n_unique() > 1
    if limit is not None:
        dated = dated.head(limit)
    if dated.height == 0:
        return dated.with_columns(row=pl.lit(None, pl.String), start=pl.lit(None, pl.String),
                                  end=pl.lit(None, pl.String))
    labels = []
    for i, r in enumerate(dated.select("text", "district").to_dicts(), start=1):
        text = " ".join((r["text"] or "").split())
        short = text if len(text) <= 70 else text[:69].rstrip() + "…"
        labels.append(f"{i}. {r['district']}: {short}" if many else f"{i}. {short}")
    return dated.with_columns(
        row=pl.Series(labels, dtype=pl.String),
        start=pl.col("start_day"),
        end=(pl.col("end_day").str.to_date("%Y-%m-%d") + pl.duration(days=1)).dt.strftime("%Y-%m-%d"),
    )
