"""The Ekonomi page's rules stated on their own, as plain Python over the rows of
budget_lines: the oracle the dashboard's queries (dashboard/budget_queries.py) are compared
against in tests/test_queries.py. Nothing here comes from the dashboard, so a mistake in one
of its rules (a column read as the wrong kind or year, a "varav" row counted, another column
chosen) makes the comparison fail. Slow and simple on purpose: every row is looked at in a loop.

The rules:

1. Only council-level documents count (documents.level = 'namnd'); a cell without a unit is
   in mnkr.
2. A column's kind comes from its printed label, the first of these that applies: it mentions
   "avvikelse" or "budgetjustering" -> avvikelse; "prognos" -> prognos; "bokslut" or "utfall",
   or has the word "VB" -> bokslut; "budget", or has the word "VP" -> budget; else annat.
3. The money's year is the first word of the column label that is a year (four digits
   starting 19 or 20), else the year of the document.
4. An area's own amount is in a top row: a "varav" row (its first word is "varav": a part of
   the row above) and an investment row (its label starts with "Investering") are left out.
   Only cells with an activity area and a value count.
5. For a district, year and kind, one column of one table is used (a column: a document's
   table_no and column label). Of the columns with counted cells, the dashboard takes, each
   criterion deciding only when the ones before are equal: one of a document of that year;
   a net column (its label names neither "intäkt" nor "kostnad": revenue or costs alone are
   a part of the whole); the one covering the most areas; the one of the latest document;
   the one whose counted cells start on the earliest line; the one whose first counted cell
   was stored first (cells are stored row by row, left to right: the leftmost column).
6. An area's amount is the sum of its counted cells in that column, with their lines
   ("rad 12, rad 14") and printed values ("Förskola: 512,4") in the order of budget_lines.
7. Budget against bokslut, per district and area: avvikelse = budget - bokslut (a surplus is
   positive), avvikelse_pct = avvikelse / budget * 100; nothing where either side is missing.
8. The years offered are the years of budget and bokslut columns; the default year is the one
   whose budget has counted cells from the most districts, the latest one on a tie.
"""
from __future__ import annotations

import math
import re

import polars as pl

_CELLS_SQL = """
SELECT d.district, d.year AS doc_year, d.doc_type, b.table_no, b.table_title, b.section, b.row_label,
       b.area, b.column_label, b.value, b.value_raw, b.unit, d.document_id, d.source_file,
       b.source_line, b.source_page, b.budget_line_id, d.level
FROM budget_lines b JOIN documents d USING (document_id)
"""

# rule 2: (kind, what the label may mention, words the label may have), the first that applies
KIND_RULES = [
    ("avvikelse", ["avvikelse", "budgetjustering"], []),
    ("prognos", ["prognos"], []),
    ("bokslut", ["bokslut", "utfall"], ["vb"]),
    ("budget", ["budget"], ["vp"]),
]

AREA_COLUMNS = {"district": pl.String, "area": pl.String, "value": pl.Float64, "n_lines": pl.UInt32,
                "column_label": pl.String, "table_title": pl.String, "source_file": pl.String,
                "sources": pl.String, "raw": pl.String}
VERSUS_COLUMNS = {"district": pl.String, "area": pl.String,
                  "budget": pl.Float64, "budget_column": pl.String, "budget_source": pl.String,
                  "budget_lines": pl.String,
                  "bokslut": pl.Float64, "bokslut_column": pl.String, "bokslut_source": pl.String,
                  "bokslut_lines": pl.String,
                  "avvikelse": pl.Float64, "avvikelse_pct": pl.Float64}


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def column_kind(label: str | None) -> str:
    """Rule 2."""
    text = (label or "").lower()
    for kind, mentions, words in KIND_RULES:
        if any(m in text for m in mentions) or any(w in _words(text) for w in words):
            return kind
    return "annat"


def money_year(label: str | None, doc_year: int) -> int:
    """Rule 3."""
    for word in _words(label or ""):
        if len(word) == 4 and word.isdecimal() and word[:2] in ("19", "20"):
            return int(word)
    return doc_year


def is_top_row(label: str) -> bool:
    """Rule 4: not a "varav" row, not an investment row."""
    text = label.lower()
    first_word = re.match(r"\w*", text.lstrip()).group()       # "" when it starts with a sign
    return not (first_word == "varav" or text.startswith("investering"))


def _none_last(value):
    return (value is None, value)


def _cells(con) -> tuple[list[dict], dict]:
    """Every council-level cell with its kind and year (rules 1-3), in the order of budget_lines:
    district, document year, table title, line, stored order."""
    frame = con.execute(_CELLS_SQL).pl()
    schema = {name: dtype for name, dtype in frame.schema.items() if name != "level"}
    schema.update(kind=pl.String, year=pl.Int64)
    cells = []
    for row in frame.to_dicts():
        if row.pop("level") != "namnd":
            continue
        if row["unit"] is None:
            row["unit"] = "mnkr"
        row["kind"] = column_kind(row["column_label"])
        row["year"] = money_year(row["column_label"], row["doc_year"])
        cells.append(row)
    cells.sort(key=lambda r: (r["district"], r["doc_year"], _none_last(r["table_title"]), r["source_line"],
                              r["budget_line_id"]))
    return cells, schema


def budget_lines(con, year: int | None = None) -> pl.DataFrame:
    cells, schema = _cells(con)
    return pl.DataFrame([r for r in cells if year is None or r["year"] == year], schema=schema, orient="row")


def _counted(cells: list[dict], year: int, kind: str) -> list[dict]:
    """Rule 4: the cells of the year and kind that can make up an area's amount."""
    return [r for r in cells if r["year"] == year and r["kind"] == kind and r["area"] is not None
            and r["value"] is not None and is_top_row(r["row_label"])]


def _chosen_column(columns: list[list[dict]], year: int) -> list[dict]:
    """Rule 5: the best of one district's columns (each a list of its counted cells)."""
    best, best_rank = None, None
    for column in columns:
        label = column[0]["column_label"].lower()
        rank = (
            column[0]["doc_year"] == year,                                  # a document of that year
            not ("intäkt" in label or "kostnad" in label),                  # a net column
            len({r["area"] for r in column}),                               # the most areas
            column[0]["doc_year"],                                          # the latest document
            -min(r["source_line"] for r in column),                         # the earliest line
            -min(r["budget_line_id"] for r in column),                      # the leftmost
        )
        if best_rank is None or rank > best_rank:
            best, best_rank = column, rank
    assert best is not None
    return best


def budget_by_area(con, year: int, kind: str = "budget") -> pl.DataFrame:
    cells, _ = _cells(con)
    columns: dict[tuple, list[dict]] = {}
    for r in _counted(cells, year, kind):
        key = (r["district"], r["document_id"], r["table_no"], r["column_label"])
        columns.setdefault(key, []).append(r)
    by_district: dict[str, list[list[dict]]] = {}
    for (district, *_), column in columns.items():
        by_district.setdefault(district, []).append(column)
    out = []
    for district in sorted(by_district):
        per_area: dict[str, list[dict]] = {}
        for r in _chosen_column(by_district[district], year):
            per_area.setdefault(r["area"], []).append(r)
        for area in sorted(per_area):
            rows = per_area[area]
            out.append({
                "district": district, "area": area,
                "value": sum(r["value"] for r in rows), "n_lines": len(rows),
                "column_label": rows[0]["column_label"], "table_title": rows[0]["table_title"],
                "source_file": rows[0]["source_file"],
                "sources": ", ".join(f"rad {r['source_line']}" for r in rows),
                "raw": "; ".join(f"{r['row_label']}: {r['value_raw']}" for r in rows),
            })
    return pl.DataFrame(out, schema=AREA_COLUMNS, orient="row")


def budget_years(con) -> list[int]:
    cells, _ = _cells(con)
    return sorted({r["year"] for r in cells if r["kind"] in ("budget", "bokslut")})


def budget_default_year(con) -> int | None:
    cells, _ = _cells(con)
    districts: dict[int, set[str]] = {}
    for year in {r["year"] for r in cells}:
        found = {r["district"] for r in _counted(cells, year, "budget")}
        if found:
            districts[year] = found
    if not districts:
        return None
    return max(districts, key=lambda y: (len(districts[y]), y))


def _percent(part: float, whole: float) -> float:
    """part / whole * 100, with floating point's answer for a whole of 0 (inf, or nan for 0/0)."""
    if whole == 0:
        return math.nan if part == 0 else math.copysign(math.inf, part) * math.copysign(1.0, whole)
    return part / whole * 100


def budget_vs_outcome(con, year: int) -> pl.DataFrame:
    sides = {side: {(r["district"], r["area"]): r for r in budget_by_area(con, year, side).to_dicts()}
             for side in ("budget", "bokslut")}
    out = []
    for key in sorted(sides["budget"].keys() | sides["bokslut"].keys()):
        row: dict = {"district": key[0], "area": key[1]}
        for side, amounts in sides.items():
            found = amounts.get(key)
            row[side] = found["value"] if found else None
            row[f"{side}_column"] = found["column_label"] if found else None
            row[f"{side}_source"] = found["source_file"] if found else None
            row[f"{side}_lines"] = found["sources"] if found else None
        both = row["budget"] is not None and row["bokslut"] is not None
        row["avvikelse"] = row["budget"] - row["bokslut"] if both else None
        row["avvikelse_pct"] = _percent(row["avvikelse"], row["budget"]) if both else None
        out.append(row)
    return pl.DataFrame(out, schema=VERSUS_COLUMNS, orient="row")
