"""Detect stage: RawDocument -> DocMeta (district, year, kind, level, unit) from the content.

The district registry is data (data/districts.csv), including merged councils: a name that
ceased to exist (valid_to) before the document's year is mapped to its successor. A side-car
file ``<document>.meta.json`` may override any field. A document whose metadata cannot be
detected raises DetectError (reported, never guessed).
"""
from __future__ import annotations

import csv
import datetime
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from etl import settings
from etl.model import DocMeta, RawDocument
from etl.parse import patterns as P

DATA_DIR = settings.DATA_DIR
DOC_TYPES = ("verksamhetsplan", "verksamhetsberattelse", "tertialrapport")
LEVELS = ("namnd", "enhet")


class DetectError(Exception):
    pass


@dataclass(frozen=True)
class District:
    name: str
    aliases: tuple[str, ...]
    valid_from: int | None
    valid_to: int | None
    successor: str | None


def load_registry(path: Path | None = None) -> list[District]:
    path = path or DATA_DIR / "districts.csv"
    with open(path, encoding="utf-8") as f:
        return [
            District(
                name=r["name"], aliases=tuple(a for a in r["aliases"].split("|") if a),
                valid_from=int(r["valid_from"]) if r["valid_from"] else None,
                valid_to=int(r["valid_to"]) if r["valid_to"] else None,
                successor=r["successor"] or None,
            )
            for r in csv.DictReader(f)
        ]


_YEAR_PATTERNS = [  # (pattern, weight): phrases that name the document's own year
    (r"verksamhetsplan(?:en)?\s+(?:för\s+)?(20\d\d)", 5),
    (r"verksamhetsberättelse(?:n)?\s+(?:för\s+)?(20\d\d)", 5),
    (r"tertialrapport\s+[123]\s+(20\d\d)", 5),
    (r"verksamhet(?:en|såret)?\s+under\s+(20\d\d)", 3),
    (r"verksamhetsåret\s+(20\d\d)", 3),
    (r"KF:s årsmål år (20\d\d)", 3),
    (r"\bBudget\s+(20\d\d)\b", 2),
    (r"\bVB\s+(20\d\d)\b", 2),
    # ... but "Periodens utfall VB 2020", the heading of last year's outcome column (repeated
    # on every page of a report's tables), names the year before: it takes its vote back
    (r"utfall\s+VB\s+(20\d\d)\b", -2),
    (r"\bunder\s+(20\d\d)\b", 1),
]


_LOWER_LETTERS = re.compile(r"\\.|[^\\]+")


def _for_lower_text(pat: str) -> tuple[re.Pattern[str], bool]:
    """A case-insensitive pattern as a case-sensitive one for lower-cased text (escapes kept),
    and whether it starts with \\b. A leading \\b stops the regex engine's fast search for the
    first literal, so it is checked by hand (_word_start) instead: same matches, ~20x faster."""
    lead = pat.startswith(r"\b")
    body = pat[2:] if lead else pat
    return re.compile(_LOWER_LETTERS.sub(lambda m: m.group(0) if m.group(0)[0] == "\\" else m.group(0).lower(), body)), lead


def _word_start(text: str, pos: int) -> bool:
    """Is there a word boundary before the word character at pos (the regex \\b)?"""
    return pos == 0 or not (text[pos - 1].isalnum() or text[pos - 1] == "_")


_YEAR_PATTERNS_LOWER = [(_for_lower_text(pat), w) for pat, w in _YEAR_PATTERNS]


def detect_year(text: str, lo: int = 1990, hi: int = 2100) -> int | None:
    """The year the document names as its own (weighted phrases), among the years lo..hi."""
    votes: Counter[int] = Counter()
    if P.has_case_fold_extras(text):
        # a letter that re.I folds onto the patterns' letters where str.lower() does not
        for pat, w in _YEAR_PATTERNS:
            for m in re.finditer(pat, text, re.I):
                votes[int(m.group(1))] += w
    else:
        low = text.lower()
        for (rx, lead), w in _YEAR_PATTERNS_LOWER:
            for m in rx.finditer(low):
                if not lead or _word_start(low, m.start()):
                    votes[int(m.group(1))] += w
    best = Counter({y: v for y, v in votes.items() if lo <= y <= hi}).most_common(1)
    return best[0][0] if best and best[0][1] > 0 else None


_VB_PERIOD = re.compile(r"VB\s+20\d\d\b")         # r"\bVB\s+20\d\d\b" with the leading \b checked by hand
_T_PERIOD = re.compile(r"T[12]\s+20\d\d\b")


def _count_at_word_start(rx: re.Pattern[str], text: str) -> int:
    return sum(1 for m in rx.finditer(text) if _word_start(text, m.start()))


def detect_doc_type(text: str) -> str | None:
    report_tables = len(re.findall(r"Indikator\s+Periodens", text))
    plan_tables = len(re.findall(r"Indikator\s+[ÅA]rsmål\s+KF:s", text))
    vb_periods = _count_at_word_start(_VB_PERIOD, text)
    t_periods = _count_at_word_start(_T_PERIOD, text)
    head = text[:5000].lower()
    if report_tables > plan_tables or "verksamhetsberättelse" in head or "tertialrapport" in head[:600]:
        if "tertialrapport" in head[:600] or (t_periods > vb_periods and report_tables):
            return "tertialrapport"
        return "verksamhetsberattelse"
    if plan_tables or "verksamhetsplan" in text.lower():
        return "verksamhetsplan"
    return None


_UNIT_TITLE = re.compile(
    r"^\s*(?P<name>[A-ZÅÄÖ][\w\-åäöÅÄÖé ]{2,60}?(?:verksamhet(?:er)?|enhet(?:en)?|förskol(?:a|or|eenhet)"
    r"|hemtjänst(?:en)?|boende|mottagning(?:en)?|gruppbostäder|servicehus|äldreboende))\s*$"
)


# "^\W*Enhetsmål\b" on some line, as one multi-line search ([^\w\n] keeps a match on its line)
_UNIT_GOAL_LINE = re.compile(r"^[^\w\n]*Enhetsmål\b", re.M)


def detect_level(raw: RawDocument) -> tuple[str, str | None]:
    texts = [ln.text for ln in raw.lines]
    if not _UNIT_GOAL_LINE.search("\n".join(texts)):
        return "namnd", None
    for t in texts[:80]:
        m = _UNIT_TITLE.match(t)
        if m:
            return "enhet", m.group("name").strip()
    return "enhet", None


# a line that opens the council's own goals: "^\W*(?:Nämndmål|Enhetsmål)\b" on each line, as one
# multi-line search of the text (no "\n" in [^\w\n], so a match stays on its line)
_OWN_GOAL_LINE = re.compile(r"^[^\w\n]*(?:Nämndmål|Enhetsmål)\b", re.M)
OWN_GOAL_LINES = 3          # the marker line and the two after it hold the goal's text
MIN_DISTRICT_SCORE = 20     # e.g. two mentions in the title lines, or one "<name>s stadsdelsnämnd" there
DISTRICT_MARGIN = 2.0       # the winner scores at least twice the next (seeds and generated city: >= 4x)


def _name_matches(names: re.Pattern[str], text: str):
    r"""names.finditer(text) as if the pattern began with (?<![\w-]): a match right after a
    letter, digit, "_" or "-" is no match, and the search goes on at the next character."""
    pos = 0
    while (m := names.search(text, pos)) is not None:
        before = text[m.start() - 1] if m.start() else ""
        if before and (before.isalnum() or before in "_-"):
            pos = m.start() + 1
            continue
        yield m
        pos = m.end()


def district_candidates(lines: list[str], year: int | None, registry: list[District]) -> list[tuple[str, int]]:
    """The districts the document names, with their scores, best first: the name in the
    title lines, in the council's own goals and as "<name>s stadsdelsnämnd" weigh most;
    passing mentions of neighbours little.

    The names are searched in the whole text at once (lines joined with newlines, which the
    pattern never matches), each match weighed by the line it is on."""
    by_form = {form: d for d in registry for form in (d.name, *d.aliases)}
    # one alternation, longest form first, so "Älvsjö" inside "Hägersten-Älvsjö" is not matched;
    # the name must not follow a letter or "-" ((?<![\w-]), checked by hand in _name_matches:
    # a look-behind in front stops the regex engine's fast scan for the names' first letters)
    names = re.compile(
        r"(" + "|".join(re.escape(f) for f in sorted(by_form, key=len, reverse=True)) + r")(?![\w-])"
        r"([^\S\n]+stadsdels(?:nämnd|förvaltning|område))?"
    )
    text = "\n".join(lines)
    goal_lines: set[int] = set()
    line, pos = 0, 0
    for m in _OWN_GOAL_LINE.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        goal_lines.update(range(line, line + OWN_GOAL_LINES))
    scores: Counter[str] = Counter()
    line, pos = 0, 0
    for m in _name_matches(names, text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        d = by_form[m.group(1)]
        name = d.name
        if year and d.valid_to and year > d.valid_to:
            if not d.successor:
                continue
            name = d.successor
        if year and d.valid_from and year < d.valid_from:
            continue
        position = 10 if line < 60 else 1
        goal = 5 if line in goal_lines else 1
        scores[name] += (5 if m.group(2) else 1) * position * goal
    return scores.most_common()


def pick_district(ranked: list[tuple[str, int]]) -> str | None:
    """The clear winner among the candidates, or None: the best must have strong evidence
    (more than one passing mention in the title lines) and lead the next by a margin, so a
    plan that only mentions a neighbour, or a tie, is never guessed."""
    if not ranked or ranked[0][1] < MIN_DISTRICT_SCORE:
        return None
    if len(ranked) > 1 and ranked[0][1] < DISTRICT_MARGIN * ranked[1][1]:
        return None
    return ranked[0][0]


def detect_district(lines: list[str], year: int | None, registry: list[District]) -> str | None:
    """The district the document is about (pick_district of district_candidates), or None."""
    return pick_district(district_candidates(lines, year, registry))


SIDECAR_FIELDS: dict[str, type | tuple[type, ...]] = {
    "district": str, "year": int, "doc_type": str, "level": str, "unit_name": (str, type(None))}
MAX_SIDECAR_BYTES = 64 * 1024


def read_sidecar(path: Path, registry: list[District] | None = None) -> dict:
    """The side-car <file>.meta.json next to a document, checked: a JSON object of known
    fields with the right types, a year in the registry's range, a known document kind and
    level (the district is checked against the registry by detect). A bad one is a
    DetectError naming the side-car and the field: that document is skipped, nothing else."""
    side = path.with_name(path.name + ".meta.json")
    if not side.exists():
        return {}
    try:
        if side.stat().st_size > MAX_SIDECAR_BYTES:
            raise DetectError(f"{side.name}: side-car larger than {MAX_SIDECAR_BYTES // 1024} KB")
        data = json.loads(side.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as e:
        raise DetectError(f"{side.name}: invalid JSON side-car ({type(e).__name__}: {str(e)[:200]})") from None
    if not isinstance(data, dict):
        raise DetectError(f"{side.name}: the side-car must be a JSON object "
                          '({"district": …, "year": …, "doc_type": …}), not ' + type(data).__name__)
    unknown = set(data) - set(SIDECAR_FIELDS)
    if unknown:
        raise DetectError(f"{side.name}: unknown side-car fields {sorted(unknown)}; known: {sorted(SIDECAR_FIELDS)}")
    for key, kind in SIDECAR_FIELDS.items():
        value = data.get(key)
        if key in data and (not isinstance(value, kind) or isinstance(value, bool)):
            raise DetectError(f"{side.name}: {key!r} must be {_type_name(kind)}, not {json.dumps(value)[:60]}")
        if isinstance(value, str) and not 0 < len(value.strip()) <= 200:
            raise DetectError(f"{side.name}: {key!r} must be a text of 1–200 characters")
    lo, hi = year_range(registry)
    if "year" in data and not lo <= data["year"] <= hi:
        raise DetectError(f"{side.name}: year {data['year']} is outside {lo}–{hi}")
    if "doc_type" in data and data["doc_type"] not in DOC_TYPES:
        raise DetectError(f"{side.name}: doc_type {data['doc_type']!r} is not one of {sorted(DOC_TYPES)}")
    if "level" in data and data["level"] not in LEVELS:
        raise DetectError(f"{side.name}: level {data['level']!r} is not one of {sorted(LEVELS)}")
    return data


def _type_name(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join({str: "a text", int: "a whole number", type(None): "null"}[k] for k in kinds)


def year_range(registry: list[District] | None = None) -> tuple[int, int]:
    """The years a document may be about: from the registry's first district to next year
    (a plan is written the year before it applies)."""
    registry = registry or load_registry()
    first = min((d.valid_from for d in registry if d.valid_from), default=1990)
    return first, datetime.date.today().year + 1


def detect(raw: RawDocument, path: Path | None = None, registry: list[District] | None = None) -> DocMeta:
    registry = registry or load_registry()
    text = "\n".join(ln.text for ln in raw.lines)
    side = read_sidecar(path, registry) if path else {}
    lo, hi = year_range(registry)
    year = side.get("year") or detect_year(text, lo, hi)
    doc_type = side.get("doc_type") or detect_doc_type(text)
    ranked: list[tuple[str, int]] = []
    district = side.get("district")
    if not district:
        ranked = district_candidates([ln.text for ln in raw.lines], year, registry)
        district = pick_district(ranked)
    level, unit = detect_level(raw)
    level = side.get("level", level)
    unit = side.get("unit_name", unit)
    missing = [k for k, v in (("district", district), ("year", year), ("doc_type", doc_type)) if not v]
    if missing:
        why = ""
        if "district" in missing and ranked:
            why = (" (no clear district: candidates "
                   + ", ".join(f"{name} {score}" for name, score in ranked[:3]) + ")")
        if "year" in missing:
            why += f" (no year {lo}–{hi} named as the document's own)"
        raise DetectError(
            f"{raw.source_file}: could not detect {', '.join(missing)} from the content{why}; "
            f"add a side-car {Path(raw.source_file).name}.meta.json to state it, e.g. "
            '{"district": "Skarpnäck", "year": 2024, "doc_type": "verksamhetsplan"}'
        )
    assert year is not None             # else "year" is missing: raised above
    if district not in {d.name for d in registry}:
        raise DetectError(f"{raw.source_file}: district {district!r} is not in data/districts.csv")
    if doc_type not in DOC_TYPES or level not in LEVELS:
        raise DetectError(f"{raw.source_file}: invalid doc_type/level {doc_type!r}/{level!r}")
    return DocMeta(district=district, year=int(year), doc_type=doc_type, level=level, unit_name=unit,
                   detected_by="sidecar" if side else "content")
