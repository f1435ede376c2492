"""The district registry for the dashboard: Stockholm's district councils, current and former.

The registry is data/districts.csv, read by etl.parse.detect.load_registry (the reader the ETL's
district detection uses: one place for the file's rules). No streamlit here.

- `registry()`: every council with its years, predecessors and successor (a polars frame).
- `predecessors(district)`: the councils that were merged into `district`.
- `lineage_note(district, years)`: a Swedish sentence for a chart over `years` that crosses
  a merger (the compare page's over-years chart), else None.
- `documents_by_district(con)`: the loaded documents counted per district, type and year
  (a query: connection first, run through ui.q / db.run like the other query modules).

A merged council keeps its own name in the database for the years it existed: the ETL maps a
former name to its successor only for documents after the former council's last year
(etl/parse/detect.py), so Hägersten-Liljeholmen's 2019 report is stored as Hägersten-Liljeholmen's.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from dashboard.labels import PLAN, REPORT, TERTIAL
from etl.parse.detect import District, load_registry

REGISTRY_SCHEMA: dict[str, pl.DataType] = {
    "name": pl.String(), "aliases": pl.List(pl.String), "valid_from": pl.Int64(), "valid_to": pl.Int64(),
    "successor": pl.String(), "current": pl.Boolean(), "years": pl.String(), "predecessors": pl.List(pl.String),
}


def _councils(path: Path | None = None) -> list[District]:
    return load_registry(path)


def years_text(valid_from: int | None, valid_to: int | None) -> str:
    """The years a council existed as shown: "1997–2019", "2020–" (still exists), "–2019"."""
    if valid_from is None and valid_to is None:
        return ""
    return f"{valid_from or ''}–{valid_to or ''}"


def join_names(names: list[str]) -> str:
    """Names as a Swedish list: "A", "A och B", "A, B och C"."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} och {names[-1]}"


def registry(path: Path | None = None) -> pl.DataFrame:
    """Every council of data/districts.csv, current and former, in the file's order (the
    city's own order of the districts).

    Columns: name, aliases (list), valid_from, valid_to (None: still exists), successor
    (the council it was merged into, for a former one), current (bool: no valid_to),
    years ("2007–2019", "2020–"), predecessors (list of the councils merged into this one,
    in the file's order)."""
    councils = _councils(path)
    rows = [{
        "name": d.name, "aliases": list(d.aliases), "valid_from": d.valid_from, "valid_to": d.valid_to,
        "successor": d.successor, "current": d.valid_to is None, "years": years_text(d.valid_from, d.valid_to),
        "predecessors": [p.name for p in councils if p.successor == d.name],
    } for d in councils]
    return pl.DataFrame(rows, schema=REGISTRY_SCHEMA)


def predecessors(district: str, path: Path | None = None) -> list[dict]:
    """The councils that were merged into `district` (its direct predecessors, in the file's
    order), each {"name": str, "valid_from": int | None, "valid_to": int | None}.
    [] for a council without predecessors or a name not in the registry.

    >>> [p["name"] for p in predecessors("Hägersten-Älvsjö")]
    ['Hägersten-Liljeholmen', 'Älvsjö']"""
    return [{"name": d.name, "valid_from": d.valid_from, "valid_to": d.valid_to}
            for d in _councils(path) if d.successor == district]


def lineage_note(district: str, years: list[int], path: Path | None = None) -> str | None:
    """A Swedish sentence for a chart of `district` over `years` when the years cross a
    merger, else None (also for a name not in the registry, or no years).

    - A council formed by a merger, when some year lies before it was formed:
      "Hägersten-Älvsjö bildades 2020 av Hägersten-Liljeholmen och Älvsjö; åren före 2020
      visas för de tidigare nämnderna."
    - A former council, when some year lies after its last year:
      "Älvsjö fanns till och med 2019; från 2020 ingår området i Hägersten-Älvsjö."

    For a chart of several districts, call it once per district and show the notes that are
    not None."""
    shown = [int(y) for y in years if y is not None]
    if not shown:
        return None
    councils = {d.name: d for d in _councils(path)}
    d = councils.get(district)
    if d is None:
        return None
    before = [p.name for p in councils.values() if p.successor == d.name]
    if before and d.valid_from is not None and min(shown) < d.valid_from:
        return (f"{d.name} bildades {d.valid_from} av {join_names(before)}; åren före {d.valid_from} "
                f"visas för de tidigare nämnderna.")
    if d.valid_to is not None and max(shown) > d.valid_to:
        if d.successor:
            return f"{d.name} fanns till och med {d.valid_to}; från {d.valid_to + 1} ingår området i {d.successor}."
        return f"{d.name} fanns till och med {d.valid_to}."
    return None


def documents_by_district(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The loaded documents counted per district, year, document type and level.

    Columns: district, year, doc_type, level (namnd | enhet), n_documents, files (list of
    source_file, sorted). Sorted by district, year, then the type's order within a year
    (plan, tertial report, annual report)."""
    sql = """
    SELECT district, year, doc_type, level, count(*) AS n_documents,
           list(source_file ORDER BY source_file) AS files
    FROM documents
    GROUP BY district, year, doc_type, level
    ORDER BY district, year,
             CASE doc_type WHEN $plan THEN 0 WHEN $tertial THEN 1 WHEN $report THEN 2 ELSE 3 END,
             doc_type, level DESC
    """
    return con.execute(sql, {"plan": PLAN, "tertial": TERTIAL, "report": REPORT}).pl()
