"""The parser's fast paths give exactly what the plain versions give.

etl/parse/detect.py searches lower-cased text with case-sensitive patterns, checks a leading \\b (or
(?<![\\w-])) by hand, and searches the whole text at once instead of line by line: each only
so that the regex engine can scan for a literal. The reference versions below are the first,
straightforward ones; they must agree on the seeds and on the edge cases here. etl/parse/recognise/
tries its line patterns only on lines with a keyword (P.LINE_KEYWORDS) or a final digit.
(bench/parse_equivalence.py compares the whole parse output on a larger corpus.)
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import pytest

from etl.parse import detect as D
from etl.parse import patterns as P
from etl.read.text import read_document

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"


def ref_detect_year(text: str) -> int | None:
    votes: Counter[int] = Counter()
    for pat, w in D._YEAR_PATTERNS:
        for m in re.finditer(pat, text, re.I):
            votes[int(m.group(1))] += w
    best = votes.most_common(1)
    return best[0][0] if best and best[0][1] > 0 else None


def ref_doc_type_counts(text: str) -> tuple[int, int]:
    return len(re.findall(r"\bVB\s+20\d\d\b", text)), len(re.findall(r"\bT[12]\s+20\d\d\b", text))


def ref_detect_district(lines, year, registry):
    by_form = {form: d for d in registry for form in (d.name, *d.aliases)}
    names = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(f) for f in sorted(by_form, key=len, reverse=True)) + r")(?![\w-])"
        r"(\s+stadsdels(?:nämnd|förvaltning|område))?"
    )
    scores: Counter[str] = Counter()
    after_goal_marker = 0
    for i, line in enumerate(lines):
        position = 10 if i < 60 else 1
        if re.match(r"^\W*(?:Nämndmål|Enhetsmål)\b", line):
            after_goal_marker = 3
        goal = 5 if after_goal_marker > 0 else 1
        after_goal_marker -= 1
        for m in names.finditer(line):
            d = by_form[m.group(1)]
            name = d.name
            if year and d.valid_to and year > d.valid_to:
                if not d.successor:
                    continue
                name = d.successor
            if year and d.valid_from and year < d.valid_from:
                continue
            scores[name] += (5 if m.group(2) else 1) * position * goal
    return scores, (scores.most_common(1)[0][0] if scores else None)


def _scores(lines, year, registry) -> Counter:
    """detect_district's scores, recomputed through the fast path's pieces."""
    seen = Counter()
    original = Counter.most_common

    def spy(self, n=None):
        seen.update(self)
        return original(self, n)

    Counter.most_common = spy
    try:
        D.detect_district(lines, year, registry)
    finally:
        Counter.most_common = original
    return seen


EDGE_TEXTS = [
    "Verksamhetsplan 2025\nVERKSAMHETSPLAN FÖR 2024 och verksamheten under 2023",
    "runder 2021, xBudget 2022, Budget 2022, _VB 2020, -VB 2019 VB 2019 VB  2018",
    "KF:s årsmål år 2025 kf:s ÅRSMÅL ÅR 2026",
    "verksamhetsåret 2021 verksamhetsårets 2022 Verksamhetsåret\u00a02023",
    "Tertialrapport 2 2024 tertialrapport 1 2023",
    "İnte under 2020, ſista verkſamhetsplan 2021, \u212aF:s årsmål år 2022",   # re.I folds these
    "Budget 2021\u212b",
    "",
]


@pytest.mark.parametrize("text", EDGE_TEXTS)
def test_year_and_period_counts_match_the_plain_regexes(text):
    assert D.detect_year(text) == ref_detect_year(text)
    assert (D._count_at_word_start(D._VB_PERIOD, text), D._count_at_word_start(D._T_PERIOD, text)) \
        == ref_doc_type_counts(text)


def test_seed_documents_detect_as_with_the_plain_regexes():
    registry = D.load_registry()
    for path in sorted(RAW.iterdir()):
        raw = read_document(path, RAW)
        lines = [ln.text for ln in raw.lines]
        text = "\n".join(lines)
        assert D.detect_year(text) == ref_detect_year(text), path.name
        assert (D._count_at_word_start(D._VB_PERIOD, text), D._count_at_word_start(D._T_PERIOD, text)) \
            == ref_doc_type_counts(text)
        for year in (2019, 2021, 2025):
            ref_scores, ref_name = ref_detect_district(lines, year, registry)
            # the same scores, so the same choice (pick_district's margin rule on top)
            assert D.detect_district(lines, year, registry) == D.pick_district(ref_scores.most_common()), path.name
            if year == 2021:
                assert ref_name == D.detect_district(lines, year, registry), path.name
            assert _scores(lines, year, registry) == ref_scores, path.name


def test_unit_goal_line_search_matches_the_line_by_line_test():
    from etl.model import Line, RawDocument

    def ref_has_unit_goals(raw):
        return any(re.match(r"^\W*Enhetsmål\b", ln.text) for ln in raw.lines)

    cases = [["Text", "– Enhetsmål: Brukarna"], ["Text om Enhetsmål", "Enhetsmålen"], ["•", "Enhetsmål"], ["x Enhetsmål"]]
    raws = [RawDocument("x.txt", "", "plain", [Line(k + 1, t) for k, t in enumerate(c)]) for c in cases]
    raws += [read_document(path, RAW) for path in sorted(RAW.iterdir())]
    for raw in raws:
        assert (D.detect_level(raw)[0] == "enhet") == ref_has_unit_goals(raw)


def test_district_names_after_letters_hyphens_and_across_lines():
    registry = D.load_registry()
    lines = ["Nämndmål:", "XNorrmalm och -Norrmalm och Norrmalms stadsdelsnämnd", "Kungsholmen",
             "stadsdelsnämnd Bromma", "Bromma\tstadsdelsförvaltning", "–", "Enhetsmål: Skarpnäck"] + ["Farsta"] * 70
    for year in (2019, 2025):
        ref_scores, ref_name = ref_detect_district(lines, year, registry)
        assert D.detect_district(lines, year, registry) == ref_name
        assert _scores(lines, year, registry) == ref_scores


def test_case_fold_extras_are_the_only_letters_re_ignorecase_adds():
    """str.lower() and re.I agree on every character for the letters of the year patterns,
    except the ones in P.CASE_FOLD_EXTRAS (whose texts take the plain path), and lower-casing
    keeps a character a word character or not (the hand-checked \\b)."""
    letters = sorted("abcdefghijklmnopqrstuvwxyzåäöé")      # the patterns' and keywords' letters
    any_letter = re.compile("[" + "".join(letters) + "]", re.I)
    extras = set(P.CASE_FOLD_EXTRAS)
    for cp in range(sys.maxunicode + 1):
        c = chr(cp)
        if c in extras:
            continue
        low = c.lower()
        assert (any_letter.fullmatch(c) is not None) == (low in letters), hex(cp)
        if len(low) == 1:
            assert (c.isalnum() or c == "_") == (low.isalnum() or low == "_"), hex(cp)


STRUCTURE_PATTERNS = [P.PAGE_FURNITURE, P.PLAN_HEADER, P.REPORT_HEADER_START, P.ACTIVITY_HEADER,
                      P.INRIKTNINGSMAL, P.KF_MAL, P.NAMNDMAL, P.ENHETSMAL, P.ASSESSMENT, P.LOOSE_INDICATOR_HEADER]


def test_every_line_a_structure_pattern_matches_is_tried():
    from etl.parse.recognise import Recogniser

    texts = ["Indikator Årsmål KF:s årsmål Periodicitet", "  INDIKATOR PERIODENS", "aktivitet startdatum slutdatum",
             "Målet uppfylls helt", "– Nämndmål:", "Enhetsmål: Brukarna är nöjda", "Tjänsteutlåtande", "Sid 4 (59)",
             "KF:s mål för verksamhetsområdet: 1.1 Stockholm", "Innehåll ....... 12", "Andel barn 3 %", "Prosa utan något."]
    raws = [read_document(path, RAW) for path in sorted(RAW.iterdir())]
    from etl.model import Line, RawDocument
    raws.append(RawDocument("x.txt", "", "plain", [Line(k + 1, t) for k, t in enumerate(texts)]))
    for raw in raws:
        rec = Recogniser(raw, headings=frozenset())
        assert rec.maybe_structure is not None
        for i, t in enumerate(rec.stripped):
            if any(rx.match(t) for rx in STRUCTURE_PATTERNS) or P.TOC_ENTRY.search(t):
                assert i in rec.maybe_structure, (raw.source_file, t)
    # a line with a letter that re.I folds differently: every line is tried
    odd = RawDocument("y.txt", "", "plain", [Line(1, "\u0130ndikator Årsmål KF:s årsmål Periodicitet")])
    assert Recogniser(odd, headings=frozenset()).maybe_structure is None
