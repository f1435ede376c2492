"""Table headers by their words: a header cell's label -> its column's role.

The plan and report templates print the same columns in many ways: one header row or two
with merged cells ("Mål" over "Årsmål | KF:s årsmål"; "Utfall" over "män/pojkar |
kvinnor/flickor"), a year in the heading ("KF:s årsmål år 2025", "Periodens utfall VB
2020"), wrapped and hyphenated inside narrow cells ("Periodici- tet"). A column's label is
what all its header rows print above it, top to bottom; its role comes from the label's
words, never from where a line broke.

Roles are the IndicatorRow / Activity field names, plus ``name`` and ``activity`` (the
text column). ``table_kind`` says what a header makes of the table: ``plan``, ``report``,
``activity``, or None (a budget table or any other table: not read here).
"""
from __future__ import annotations

import re

from etl.parse import patterns as P

# (role, pattern on the normalised, lower-cased label), first match wins: the KF target
# before the council's own target, the gender split and the prior year before the outcome
ROLE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("name", re.compile(r"^(?:indikator(?:er|n|namn)?|nyckeltal|mått)\b")),
    ("activity", re.compile(r"^aktivitet(?:er|en)?\b")),
    ("kf_target", re.compile(r"\bkf:?s\b|\bkf\b|kommunfullmäktige")),
    ("outcome_men", re.compile(r"\b(?:män|pojkar)\b")),
    ("outcome_women", re.compile(r"\b(?:kvinnor|flickor)\b")),
    ("prior_outcome", re.compile(r"utfall.*(?:\b(?:vb|t[123]|tertial\s?[123]?)\s?(?:19|20)\d\d\b|föregående|förra|\b(?:19|20)\d\d\b)")),
    ("outcome", re.compile(r"\butfall\b")),
    ("target", re.compile(r"[åa]rsmål|\bmål\b|målvärde")),
    ("periodicity", re.compile(r"^(?:.*\s)?(?:periodicitet|period|mätperiod|frekvens)$")),
    ("start_date", re.compile(r"^start(?:datum)?\b|^från\b")),
    ("end_date", re.compile(r"^slut(?:datum)?\b|^till\b")),
    ("deviation", re.compile(r"^avvikelse|^status\b")),
]
INDICATOR_ROLES = {"name", "target", "kf_target", "periodicity", "outcome", "outcome_men", "outcome_women",
                   "prior_outcome"}
ACTIVITY_ROLES = {"activity", "start_date", "end_date", "deviation"}
# Words a header cell may hold (a header row is words like these, not values).
HEADER_WORDS = re.compile(
    r"\b(?:indikator\w*|aktivitet\w*|[åa]rsmål|mål|kf:s|utfall|periodens|period\w*|män|pojkar|kvinnor|flickor"
    r"|startdatum|slutdatum|avvikelse|mnkr|tkr|budget|bokslut|netto|kostnader|intäkter|vp|vb|prognos)\b", re.I)
# The template's own words (column labels, standard cell phrases, units): known words when
# telling a word broken inside a narrow cell ("Peri|od") from two words ("Periodens|utfall").
TEMPLATE_WORDS = frozenset(
    w.lower() for w in re.findall(r"[A-Za-zÅÄÖåäö]{2,}", " ".join(P.WORD_CELLS) + " " + P.UNITS + " " + P.PERIOD)
) | frozenset("""indikator indikatorer aktivitet aktiviteter årsmål arsmål mål kf periodens utfall män pojkar kvinnor
    flickor period periodicitet startdatum slutdatum avvikelse budget bokslut netto kostnader intäkter prognos
    verksamhet verksamheter föregående år totalt summa varav""".split())
_HYPHEN_WRAP = re.compile(r"(?<=[a-zåäöé])-\s+(?=[a-zåäöé])")
_SLASH = re.compile(r"\s*/\s*")
_SPACES = re.compile(r"\s+")
_PRIOR_YEAR = re.compile(r"\b(?:19|20)(\d\d)\b")
_YEAR_ONLY = re.compile(r"^(?:(?:VB|VP|T[123]|år|Budget|Bokslut|Utfall|Prognos)\s?)?(?:19|20)\d\d$", re.I)


def normalise(label: str) -> str:
    """A header label as one line of lower-case words: wraps and hyphenation inside the
    cell undone ("Periodici- tet" -> "periodicitet", "män/ pojkar" -> "män/pojkar")."""
    t = _SPACES.sub(" ", label.replace("\u00ad", "")).strip()
    t = _HYPHEN_WRAP.sub("", t)
    t = _SLASH.sub("/", t)
    return t.lower()


def column_role(label: str) -> str | None:
    t = normalise(label)
    if not t:
        return None
    for role, rx in ROLE_PATTERNS:
        if rx.search(t):
            return role
    return None


def header_roles(labels: list[str]) -> list[str | None]:
    """Each column's role; the first column of an indicator table is the name even when its
    header cell is empty. A role is given to one column only (the first that has it), so a
    repeated label is reported, not read twice."""
    roles = [column_role(lb) for lb in labels]
    if roles and roles[0] is None and not normalise(labels[0]) and any(r in INDICATOR_ROLES for r in roles[1:]):
        roles[0] = "name"
    seen: set[str] = set()
    for k, r in enumerate(roles):
        if r is not None and r in seen:
            roles[k] = None
        elif r is not None:
            seen.add(r)
    return roles


def table_kind(roles: list[str | None]) -> str | None:
    have = set(roles) - {None}
    if "activity" in have and ({"start_date", "end_date"} & have):
        return "activity"
    if "name" in have and ({"outcome", "outcome_men", "outcome_women", "prior_outcome"} & have):
        return "report"
    if "name" in have and ({"target", "kf_target"} & have) and "periodicity" in have:
        return "plan"
    return None


def prior_year(labels: list[str]) -> int | None:
    """The year of the previous period's outcome column ("Periodens utfall VB 2020")."""
    for lb in labels:
        if column_role(lb) == "prior_outcome":
            m = _PRIOR_YEAR.search(lb)
            if m:
                return int(m.group(0))
    return None


def is_value(text: str) -> bool:
    """A body cell's content: a number (not a bare year in a heading), a date, a period word,
    or a standard cell phrase."""
    t = text.strip()
    if not t:
        return False
    return _is_period(t) or _is_body_value(t)


def _is_period(t: str) -> bool:
    return bool(P.PERIOD_AT_END.fullmatch(" " + t) or P.PERIOD_AT_END.fullmatch(t))


def _is_body_value(t: str) -> bool:
    """A number (not a year), a date or a standard phrase: never printed in a header."""
    from etl.parse.numbers import parse_number

    if re.search(P.DATE, t):
        return True
    if _YEAR_ONLY.match(t) or _is_period(t):
        return False
    value, _unit, _raw = parse_number(t)
    if value is not None:
        return True
    return bool(re.fullmatch(r"(?:" + "|".join(P.WORD_CELLS) + r")", t, re.I))


MAX_HEADER_CELL = 60     # characters: a longer cell is a name or a text, not a column label


def is_header_row(texts: list[str]) -> bool:
    """Could these cells be a header row? Every printed cell is short and holds no value (a
    year is allowed: "VB 2019", "KF:s årsmål år 2025"), and a cell that is not a period
    says what its column is (HEADER_WORDS): "Netto VP 2021", "Periodens utfall"."""
    printed = [t.strip() for t in texts if t.strip()]
    if not printed:
        return False
    if any(len(t) > MAX_HEADER_CELL or _is_body_value(t) for t in printed):
        return False
    if any(re.search(r"\d", t) and not _PRIOR_YEAR.search(t) for t in printed):
        return False
    return any(HEADER_WORDS.search(t) and not _is_period(t) for t in printed)


def compose_labels(header_rows: list[list[tuple[int, int, str]]], n_cols: int) -> list[str]:
    """Column labels from header rows of (first column, span, text) cells: what is printed
    above each column, top to bottom ("Mål" spanning two columns over "Årsmål")."""
    labels: list[list[str]] = [[] for _ in range(n_cols)]
    for row in header_rows:
        for col, span, text in row:
            t = _SPACES.sub(" ", text).strip()
            if not t:
                continue
            for c in range(col, min(col + span, n_cols)):
                if not labels[c] or labels[c][-1] != t:
                    labels[c].append(t)
    return [" ".join(parts) for parts in labels]
