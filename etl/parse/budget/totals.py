"""The printed-total checks: a total row (Summa, Totalt, "Drift totalt", Netto) is compared
with the sum of the rows above it ("varav ..." sub-rows excluded); a difference of more than
the rounding allowance of the total's last printed decimal becomes a ParseWarning.
"""
from __future__ import annotations

import re

from etl.model import ParseWarning
from etl.parse.budget.rows import PARENT_ROW, SUB_ROW, TOTAL_LABEL, parse_value
from etl.parse.budget.tables import STAGE, Row, Table
from etl.parse.budget.tunables import SETTINGS


def _candidate_parts(block: list[Row]) -> list[list[Row]]:
    """Readings of which rows a total adds up: all rows except "varav" sub-rows; when a row
    introduces sub-rows ("Vård och omsorg, varav:"), also without the k rows after it."""
    base = [r for r in block if not SUB_ROW.match(r.label)]
    out = [base]
    for p, row in enumerate(base):
        if PARENT_ROW.search(row.label):
            for k in range(1, len(base) - p):
                out.append(base[:p + 1] + base[p + 1 + k:])
    return out


def _column_sum(rows: list[Row], c: int) -> tuple[float | None, int]:
    parsed = [parse_value(r.cells[c]) for r in rows if c < len(r.cells)]
    vals = [v for v in parsed if v is not None]
    return (round(sum(vals), 6) if vals else None), len(vals)


def _tolerance(raw: str) -> float:
    """Rounding allowance for a printed total: SETTINGS.rounding_units (1.5) units of its last
    printed decimal ("370,4" -> 0.15), so sums of rounded rows may differ by one unit but not by two."""
    m = re.search(r",(\d+)", raw or "")
    return SETTINGS.rounding_units * 10 ** -(len(m.group(1)) if m else 0) + 1e-9


def _fmt(x: float) -> str:
    s = f"{x:,.1f}".replace(",", " ").replace(".", ",")
    return s


def check_totals(table: Table, title: str, warnings: list[ParseWarning]) -> None:
    """A warning for each printed total of the table that its rows do not add up to."""
    block: list[Row] = []
    for row in table.rows:
        if not TOTAL_LABEL.search(row.label):
            block.append(row)
            continue
        printed = [parse_value(row.cells[c]) if c < len(row.cells) else None for c in range(len(table.columns))]

        def mismatches(parts: list[Row], printed=printed, row=row) -> list[tuple[int, float, int]]:
            bad = []
            for c in range(len(table.columns)):
                total, n = _column_sum(parts, c)
                if printed[c] is None or total is None:
                    continue
                if abs(total - printed[c]) > _tolerance(row.cells[c]):
                    bad.append((c, total, n))
            return bad

        readings = [mismatches(parts) for parts in _candidate_parts(block)]
        best = min(readings, key=len)
        for c, total, n in best:
            warnings.append(ParseWarning(
                STAGE,
                f"{title}: row '{row.label}', column '{table.columns[c]}': printed total "
                f"{row.cells[c]} but the {n} rows above sum to {_fmt(total)}",
                row.line.no,
            ))
        block = []
