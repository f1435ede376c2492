"""Export metadata (title, subtitle, source, unit), file names, MIME types and the source note
built from the rows behind a chart ("Källa: Verksamhetsberättelse 2021, Norrmalms stadsdelsnämnd")."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from dashboard.labels import (
    DOC_TYPE_LABELS,
    PLAN,
    REPORT,
    TERTIAL,
)


@dataclass(frozen=True)
class ExportMeta:
    """What a exported chart or table says about itself."""

    title: str
    subtitle: str = ""
    source: str = ""  # a ready "Källa: ..." note, see source_note()
    unit: str | None = None

    def subtitle_line(self) -> str:
        """The subtitle with the unit appended unless the subtitle already names it."""
        sub = (self.subtitle or "").strip()
        unit = (self.unit or "").strip()
        if unit and unit not in sub:
            sub = f"{sub} ({unit})" if sub else f"Enhet: {unit}"
        return sub

    def file_stem(self) -> str:
        """A file-name-safe stem from the title and what the subtitle says first (its year
        or view: "2021", "2021 per kön", "Utfall per år"), so the charts of one page download
        under different names (keeps å/ä/ö; drops punctuation)."""
        def safe(text: str, limit: int) -> str:
            keep = []
            for ch in text.strip():
                if ch.isalnum():
                    keep.append(ch)
                elif ch in " -_" and keep and keep[-1] != "-":
                    keep.append("-")
            return "".join(keep).strip("-")[:limit].strip("-")
        view = safe(self.subtitle.split(" · ")[0], 30) if self.subtitle else ""
        stem = "-".join(p for p in (safe(self.title, 70), view) if p)
        return stem or "export"


_DOC_TYPE_ORDER = {REPORT: 0, TERTIAL: 1, PLAN: 2}


def doc_type_label(doc_type: str | None) -> str:
    if not doc_type:
        return "Dokument"
    key = doc_type.strip().lower()
    return DOC_TYPE_LABELS.get(key, doc_type.strip().capitalize())


def district_genitive(district: str) -> str:
    """Swedish genitive of a district name as used in "<X> stadsdelsnämnd".

    Official names add -s after a consonant (Norrmalms, Skärholmens, Enskede-Årsta-Vantörs)
    and nothing after a vowel or s/x/z (Bromma, Farsta, Rinkeby-Kista, Hägersten-Älvsjö).
    """
    name = district.strip()
    if not name:
        return name
    last = name[-1].lower()
    if last in "aeiouyåäösxz":
        return name
    return name + "s"


def _rows(rows: Any) -> list[dict]:
    if rows is None:
        return []
    if isinstance(rows, pl.DataFrame):
        return rows.to_dicts()
    if isinstance(rows, Mapping):
        return [dict(rows)]
    return [dict(r) for r in rows]


def _doc_year(row: Mapping) -> Any:
    """The document's year: doc_year when given; a value taken from the next year's
    report (from_later_report) comes from the document of year + 1."""
    if row.get("doc_year") not in (None, ""):
        return row["doc_year"]
    year = row.get("year")
    if row.get("from_later_report") and year not in (None, ""):
        return int(year) + 1
    return year


def _one_source(row: Mapping) -> tuple[tuple, str]:
    dt = (row.get("doc_type") or "").strip().lower()
    year = _doc_year(row)
    district = (row.get("district") or "").strip()
    level = (row.get("level") or "namnd").strip().lower()
    unit_name = (row.get("unit_name") or "").strip()
    label = doc_type_label(dt)
    if year not in (None, ""):
        label += f" {int(year)}"
    parts = [label]
    if level == "enhet" and unit_name:
        parts.append(unit_name)
    if district:
        parts.append(f"{district_genitive(district)} stadsdelsnämnd")
    key = (district.lower(), -(int(year) if year not in (None, "") else 0),
           _DOC_TYPE_ORDER.get(dt, 9), unit_name.lower())
    return key, ", ".join(parts)


def _year_span(years: list[int]) -> str:
    """2021–2025 for consecutive years, else 2019, 2021 och 2022."""
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years[:-1])) + (" och " if len(years) > 1 else "") + str(years[-1])


def source_note(rows: Any, *, prefix: str = "Källa: ", group_from: int = 4) -> str:
    """A source note from provenance rows (dicts or a polars frame).

    Each row needs doc_type, year and district; level and unit_name are used when present.
    Duplicate documents are listed once. When one document type and year covers
    ``group_from`` or more districts (a cross-district chart), they are grouped:
    "Verksamhetsplan 2021 för stadsdelsnämnderna Bromma, Farsta och Norrmalm".
    Returns "" when there is no provenance.
    """
    items = _rows(rows)
    seen: dict[str, tuple] = {}
    groups: dict[tuple[str, Any], set[str]] = {}
    for row in items:
        if not (row.get("doc_type") or "").strip():
            continue  # no document behind this row (e.g. a district without a report)
        key, text = _one_source(row)
        seen.setdefault(text, key)
        level = (row.get("level") or "namnd").strip().lower()
        district = (row.get("district") or "").strip()
        if level != "enhet" and district:
            groups.setdefault(((row.get("doc_type") or "").strip().lower(), _doc_year(row)),
                              set()).add(district)
    if not seen:
        return ""
    parts: list[tuple[tuple, str]] = []
    grouped_texts: set[str] = set()
    # the years of one document type that cover the same districts are one group: a chart over
    # five years names its 13 districts once ("Verksamhetsberättelse 2021–2025 för ...")
    by_districts: dict[tuple[str, frozenset], list] = {}
    for (dt, year), districts in groups.items():
        if len(districts) >= group_from:
            by_districts.setdefault((dt, frozenset(districts)), []).append(year)
    for (dt, members), years in by_districts.items():
        names = sorted(members, key=str.lower)
        known = sorted(int(y) for y in years if y not in (None, ""))
        label = doc_type_label(dt) + (f" {_year_span(known)}" if known else "")
        joined = ", ".join(names[:-1]) + " och " + names[-1]
        parts.append(((" ", -(known[-1] if known else 0), _DOC_TYPE_ORDER.get(dt, 9), ""),
                      f"{label} för stadsdelsnämnderna {joined}"))
        for year in years:
            for d in members:
                grouped_texts.add(_one_source({"doc_type": dt, "year": year, "district": d})[1])
    for text, key in seen.items():
        if text not in grouped_texts:
            parts.append((key, text))
    parts.sort(key=lambda p: p[0])
    return prefix + "; ".join(t for _, t in parts)




MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
