"""Sections: every heading of a document and the text under it.

Markdown documents mark headings with ``#``. PDF text ('plain' and 'spaced' flavours) has
no markup, so headings are recognised by shape: a short line that starts with a capital
letter, ends without sentence punctuation, follows the end of a sentence (or a blank line
in 'plain' text) and is followed by a line that starts a new sentence. The template's
structural labels (KF:s inriktningsmål, KF:s mål för verksamhetsområdet, Nämndmål,
Enhetsmål, Beskrivning, Förväntat resultat, Analys ...) are always headings and get fixed
levels, so a "Beskrivning" sits under its goal in ``heading_path``.

Each section runs from its heading line to the line before the next heading; the text
under it is kept line by line (joined with newlines). Text before the first heading becomes
a section of its own (heading ``PREAMBLE_HEADING``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from etl.model import Line, RawDocument, Section
from etl.parse import patterns as P

PREAMBLE_HEADING = "Dokumentets början"
PATH_SEP = " > "
MAX_HEADING_CHARS = 75     # wrapped prose lines in the PDF text are ~85-95 characters
MAX_HEADING_WORDS = 13
MAX_EMPHASIS_HEADING_CHARS = 120   # a Markdown line that is only an emphasised phrase

# Structural labels of the plan/report template and their levels in the heading tree.
STRUCTURAL = [
    (re.compile(r"^\W*KF:s\s+inriktningsmål\b", re.I), 1),
    (re.compile(r"^\W*KF:s\s+mål\s+för\s+verksamhetsområdet\b", re.I), 2),
    (re.compile(r"^\W*(?:Nämndmål|Enhetsmål)\b", re.I), 3),
    (re.compile(r"^\W*(?:Beskrivning|Förväntat resultat|Analys|Kommentar)\W*$", re.I), 4),
]
# Lines that look like headings by shape but are table headers or cell values.
NOT_HEADING = re.compile(
    r"^\W*(?:Indikator\s+(?:[ÅA]rsmål|Periodens)|Aktivitet\s+Startdatum|(?:Målet\s+)?uppfylls\s+(?:helt|delvis|inte|ej)\b"
    r"|Tjänsteutlåtande$|Sid\s+\d+|Bilaga\s+\d+$)",
    re.I,
)
# Top-level parts of the plan/report template: they close the goal structure above them.
TOP_LEVEL = re.compile(
    r"^\W*(?:Inledning|Sammanfattande analys|Uppföljning av ekonomi|Redovisning av ekonomi|Ekonomi"
    r"|Nämndens ekonomiska förutsättningar|Systematiskt kvalitetsarbete|Övriga ekonomiska redovisningar"
    r"|Budgetjusteringar|Investeringar|Omslutningsförändringar|Resultatenheter"
    r"|Konsekvenser av covid\S*(?: pandemin)?|Bilagor)\W*$",
    re.I,
)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# A Markdown line that is only a short emphasised phrase ("– *Socialpsykiatri*",
# "**Omslutningsförändringar**"): a sub-heading the conversion did not mark with '#'.
_MD_EMPHASIS_HEADING = re.compile(
    r"^\s*(?:[-–—]\s+)?(?:\*{1,3}|_{1,2}|<b>|<i>|<strong>|<em>)(?P<text>[^*_<>\t]*[^\s*_<>\t.,;:])"
    r"(?:\*{1,3}|_{1,2}|</b>|</i>|</strong>|</em>)\s*$")
_BULLET = re.compile(r"^[\-–—•·*\u2022\uf0b7\uf02d\uf0a7]\s")
_TRAILING_VALUE = re.compile(r"(?:\d+,\d+|\d+\s?%|\b\d{1,3}|\d{5,}|\(\d+\))\s*\**$")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SENTENCE_END = re.compile(r"[.!?:;]\s*[\"”»)]?$")
_TAGS = re.compile(r"<[^>]+>")


@dataclass
class _Heading:
    line: Line
    text: str
    level: int
    end_no: int        # last line of the heading itself (wrapped headings)


_EMPHASIS = re.compile(r"(?<!\w)[*_]+|[*_]+(?!\w)")
_SPACES = re.compile(r"\s+")
# what every STRUCTURAL label starts with (one cheap test before the four patterns)
_STRUCTURAL_START = re.compile(r"^\W*(?:KF:s|Nämndmål|Enhetsmål|Beskrivning|Förväntat|Analys|Kommentar)", re.I)
_ENDS_CLAUSE = re.compile(r"[.,;]$")
_ENDS_YEAR = re.compile(r"\b(?:19|20)\d\d$")
_WORD_CELL = re.compile(r"(?:" + "|".join(P.WORD_CELLS) + r")", re.I)     # (fullmatch) a standard cell phrase
_ENDS_LOWER = re.compile(r"[a-zåäö]$")
_ENDS_WORDLIKE = re.compile(r"[\w)»”\"?!]$")
_HEADER_FRAGMENT = re.compile(r",$|\bmnkr\b", re.I)


def clean_heading(text: str) -> str:
    """Heading text without Markdown emphasis, HTML tags or surrounding punctuation."""
    text = _TAGS.sub("", text)
    text = _EMPHASIS.sub("", text)
    return _SPACES.sub(" ", text).strip(" \t#")


def _structural_level(text: str) -> int | None:
    if not _STRUCTURAL_START.match(text):
        return None
    for rx, level in STRUCTURAL:
        if rx.search(text):
            return level
    return None


def _starts_upper(text: str) -> bool:
    t = text.lstrip(" –-")
    return bool(t) and (t[0].isupper() or t[0].isdigit())


def _is_table_row(text: str) -> bool:
    return bool(_TRAILING_VALUE.search(text.rstrip())) or "\t" in text


def _shape_heading(lines: list[Line], i: int, flavour: str) -> bool:
    line = lines[i]
    t = line.text.strip()
    if not (2 <= len(t) <= MAX_HEADING_CHARS):
        return False
    if not t[0].isupper() and not t.startswith(("– ", "- ")):
        return False
    if len(t.split()) > MAX_HEADING_WORDS:
        return False
    if t.startswith(("- ", "– ")) and not _starts_upper(t[2:]):
        return False
    if _BULLET.match(t) and not t.startswith(("– ", "- ")):
        return False
    if _ENDS_CLAUSE.search(t) or NOT_HEADING.search(t) or _DATE.search(t):
        return False
    if t.endswith(":") and len(t) > 45:
        return False
    if _TRAILING_VALUE.search(t) and not _ENDS_YEAR.search(t):
        return False
    if P.PERIOD_AT_END.search(t) or _WORD_CELL.fullmatch(t):
        return False
    # Activity names in activity tables: their date cells follow within a few lines.
    if any(P.ACTIVITY_DATES.search(ln.text) for ln in lines[i + 1:i + 4]):
        return False
    if _ENDS_LOWER.search(t) is None and not _ENDS_WORDLIKE.search(t):
        return False
    prev = lines[i - 1] if i > 0 else None
    nxt = lines[i + 1] if i + 1 < len(lines) else None
    if nxt is None:
        return False
    n = nxt.text.strip()
    if not _starts_upper(n) and not _BULLET.match(n):
        return False
    if len(n) < 20 and not _structural_level(n) and not _HEADER_FRAGMENT.search(n):
        return False          # a heading is followed by prose, not by a header fragment
    if _is_table_row(n) and not _structural_level(n):
        return False
    if prev is None:
        return True
    p = prev.text.rstrip()
    if flavour == "plain" and line.gap_before:
        return True
    if _SENTENCE_END.search(p):
        return True
    # After a table (its last row ends in a number) a heading starts new prose.
    if _is_table_row(p) and not _is_table_row(n) and (len(n) > len(t) or _HEADER_FRAGMENT.search(n)):
        return True
    return False


def _plain_headings(lines: list[Line], flavour: str) -> list[_Heading]:
    out: list[_Heading] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        text = line.text.strip()
        level = _structural_level(text)
        if level is not None and len(text) <= 160 and not _TRAILING_VALUE.search(text):
            # A label ending in ':' takes the goal text from the next line; a wrapped goal
            # text continues on lines that start in lower case.
            end = i
            full = text
            if full.endswith(":") and i + 1 < len(lines) and len(lines[i + 1].text.strip()) <= 160:
                end += 1
                full = f"{full} {lines[end].text.strip()}"
            while (end + 1 < len(lines) and level <= 3 and lines[end + 1].text.strip()[:1].islower()
                   and len(lines[end + 1].text.strip()) <= 100 and end - i < 3):
                end += 1
                full = f"{full} {lines[end].text.strip()}"
            out.append(_Heading(line, clean_heading(full), level, lines[end].no))
            i = end + 1
            continue
        if _shape_heading(lines, i, flavour):
            out.append(_Heading(line, clean_heading(text), 0, line.no))
        i += 1
    return out


def _markdown_headings(lines: list[Line]) -> list[_Heading]:
    """'#' headings (level = number of hashes) and, after the first '#' heading, emphasised-
    phrase lines (level 0: leaves under the open '#' heading; before it they are the cover
    page's labels, "**Till**")."""
    out: list[_Heading] = []
    for line in lines:
        m = _MD_HEADING.match(line.text)
        if not m:
            if out and len(line.text.strip()) <= MAX_EMPHASIS_HEADING_CHARS and _MD_EMPHASIS_HEADING.match(line.text):
                text = clean_heading(line.text)
                if text:
                    out.append(_Heading(line, text, 0, line.no))
            continue
        text = clean_heading(m.group(2))
        if text:
            out.append(_Heading(line, text, len(m.group(1)), line.no))
    return out


def parse_sections(raw: RawDocument) -> list[Section]:
    """Every heading and the text under it, in document order."""
    lines = raw.lines
    if not lines:
        return []
    if raw.flavour == "markdown":
        heads = _markdown_headings(lines)
    else:
        heads = _plain_headings(lines, raw.flavour)
    by_no = {h.line.no: h for h in heads}
    sections: list[Section] = []
    stack: list[tuple[int, str, bool]] = []   # (level, heading, fixed level?) of the open ancestors
    current: Section | None = None
    body: list[str] = []
    skip_until = 0

    def close() -> None:
        if current is not None:
            current.text = "\n".join(body).strip()
            sections.append(current)

    for line in lines:
        h = by_no.get(line.no)
        if h is not None:
            close()
            body = []
            level, fixed = h.level, True
            structural = _structural_level(h.text)
            if raw.flavour == "markdown" and level == 0:
                # an emphasised line: a leaf under the open '#' heading, closed by the next one
                level = max((lv for lv, _, fx in stack if fx), default=0) + 1
                fixed = False
            elif raw.flavour == "markdown" and structural is not None:
                # the template's labels outrank the '#' count ("### Beskrivning" sits under
                # "### KF:s mål ..."); its top-level parts close the goal structure
                level = structural
            elif raw.flavour == "markdown" and TOP_LEVEL.match(h.text):
                level = 1
            elif level == 0:
                # PDF text (and Markdown's emphasised lines) have no heading sizes: template
                # top-level parts reset the tree, other headings are leaves under the open
                # goal structure / top-level part.
                if TOP_LEVEL.match(h.text):
                    level = 1
                else:
                    level = max((lv for lv, _, fx in stack if fx), default=0) + 1
                    fixed = False
            while stack and (stack[-1][0] >= level or (raw.flavour == "markdown" and fixed and not stack[-1][2])):
                stack.pop()
            path = PATH_SEP.join([s for _, s, _ in stack] + [h.text])
            stack.append((level, h.text, fixed))
            current = Section(h.text, path, "", line.no, h.end_no, line.page)
            skip_until = h.end_no
            continue
        if line.no <= skip_until:
            continue
        if current is None:
            current = Section(PREAMBLE_HEADING, PREAMBLE_HEADING, "", line.no, line.no, line.page)
        body.append(line.text.strip())
        current.source_line_end = line.no
    close()
    return sections


def heading_lines(sections: list[Section]) -> frozenset[int]:
    """Line numbers of the headings of ``sections`` (from parse_sections)."""
    if sections and sections[0].heading == PREAMBLE_HEADING:
        sections = sections[1:]      # the text before the first heading has no heading line
    return frozenset(s.source_line_start for s in sections)


def section_index_for_line(sections: list[Section], line_no: int) -> int | None:
    """Index (into ``sections``) of the innermost section that contains ``line_no``.

    Sections partition the document (each runs to the next heading of any level), so the
    innermost one is the section whose line range holds the line; a line in a gap between
    sections (none in practice) belongs to the section before it.
    """
    best = None
    for idx, sec in enumerate(sections):
        if sec.source_line_start <= line_no:
            best = idx
            if line_no <= sec.source_line_end:
                return idx
        else:
            break
    return best
