"""Canonical activity areas (verksamhetsområden) so that budgets compare across districts.

The printed labels differ between districts and years ("Nämnd- och förvaltningsadm.",
"Nämnd och förvaltningsövergripandeadministration", "Förskoleverksamhet", "varav barn och
unga"); the patterns that map them live as data in ``data/activity_areas.csv`` (first
matching row wins, matched case-insensitively against the label with "varav"/dashes removed).
"""
from __future__ import annotations

import csv
import re
from functools import lru_cache

from etl import settings

AREAS_CSV = settings.DATA_DIR / "activity_areas.csv"

_LEADING_NOISE = re.compile(r"^[\s\-–—•*#]*(?:varav\s+)?[\s\-–—]*", re.I)


@lru_cache(maxsize=1)
def area_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    with AREAS_CSV.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for row in rows:
        area, pattern = (row.get("area") or "").strip(), (row.get("pattern") or "").strip()
        if not area or not pattern:
            raise ValueError(f"{AREAS_CSV}: row without area or pattern: {row}")
        out.append((area, re.compile(pattern, re.I)))
    return tuple(out)


def normalise_label(label: str) -> str:
    text = re.sub(r"<[^>]+>|\*", "", label or "")
    text = _LEADING_NOISE.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def canonical_area(label: str | None) -> str | None:
    """The canonical area a printed label names, or None when it names none."""
    if not label:
        return None
    text = normalise_label(label)
    if not text:
        return None
    for area, rx in area_patterns():
        if rx.search(text):
            return area
    return None
