"""data/indicator_overrides.csv: a staff member's corrections to the indicator identities
(same_as, not_same, identity, direction), read and checked row by row."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from etl.derive.names import DIRECTIONS, name_key
from etl.model import ParseWarning

# --- overrides -----------------------------------------------------------------------------

OVERRIDE_ACTIONS = ("same_as", "not_same", "identity", "direction")


@dataclass
class Override:
    printed_name: str
    action: str
    value: str
    goal: str | None
    line: int

    @property
    def key(self) -> str:
        return name_key(self.printed_name).full


def load_overrides(path: Path | None) -> tuple[list[Override], list[ParseWarning]]:
    """Read the curated override CSV (columns: printed_name, action, value, goal, note).
    Lines starting with '#' are comments. Bad rows are reported, not fatal."""
    out: list[Override] = []
    warns: list[ParseWarning] = []
    if path is None or not Path(path).exists():
        return out, warns
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = [(i, ln) for i, ln in enumerate(fh, 1) if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.reader([ln for _, ln in rows])
    header = None
    for (lineno, _), rec in zip(rows, reader):
        if header is None:
            header = [h.strip().lower() for h in rec]
            continue
        row = dict(zip(header, (c.strip() for c in rec)))
        name, action, value = row.get("printed_name", ""), row.get("action", "").lower(), row.get("value", "")
        if not name or action not in OVERRIDE_ACTIONS or (not value):
            warns.append(ParseWarning("indicators", f"{Path(path).name}:{lineno}: ignored override row "
                                 f"(need printed_name, action in {OVERRIDE_ACTIONS}, value)", lineno))
            continue
        if action == "direction" and value.lower() not in DIRECTIONS:
            warns.append(ParseWarning("indicators", f"{Path(path).name}:{lineno}: direction must be one of "
                                 f"{DIRECTIONS}, got {value!r}", lineno))
            continue
        out.append(Override(name, action, value.lower() if action == "direction" else value,
                            row.get("goal") or None, lineno))
    return out, warns
