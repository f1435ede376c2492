"""Budget tables: recognise the economic tables (mnkr) in a document's lines.

Stages (each passes plain data to the next):

1. find tables: Markdown tab-separated blocks whose header names the unit (mnkr), or in
   PDF text a header line that names the unit ("Mnkr", "Verksamhet, mnkr", "Avvikelse
   jämfört med budget (mnkr)"), followed by wrapped header lines and then value rows;
2. header -> column labels: broken words are rejoined with the document's own vocabulary
   ("Budge|t" -> "Budget", "Omslutnings-|förändring"), glued words split ("NettoVP"),
   and the labels are cut where a new column word starts; the number of columns comes
   from the rows (a label without a year joins the following dated label when there are
   more labels than cells: "Netto" + "VP 2021");
3. rows: a label (possibly wrapped over several lines, or with a group line above it such
   as "Investeringar" or "Centrala medel") and its cells; an empty cell is printed as an
   extra space, thousands groups ("2 813,3") are joined when the row has too many cells,
   a number broken over two lines ("1258,|2") is rejoined;
4. records: one per (row, column) with a value, plus the canonical activity area;
5. checks: a total row (Summa, Totalt, "Drift totalt", Netto) is compared with the sum of
   the rows above it (sub-rows "varav ..." excluded); a difference of more than one unit
   of the total's last printed decimal (rounding) becomes a ParseWarning.

Also the numbered decision list of a plan ("8. Nämnden ansöker om budgetjustering med
1,8 mnkr ...") gives one record per item with an amount.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TypeGuard

from etl.model import BudgetLine, Line, ParseWarning, RawDocument, Section
from etl.parse import patterns as P
from etl.parse.areas import canonical_area
from etl.parse.numbers import parse_number
from etl.parse.sections import section_index_for_line
from etl.parse.vocabulary import WORD, Vocabulary

STAGE = "budget"
UNIT = "mnkr"

# -- patterns (the document family's vocabulary) ------------------------------------------
UNIT_TOKEN = re.compile(r"^\(?m(?:n)?kr\)?[,:]?$", re.I)     # "Mnkr", "(mnkr)", "mkr,"
COLUMN_WORD = re.compile(
    r"\b(?:VP|VB|Budget|Bokslut|Avvikelse|Kostnader|Intäkter|Netto|Utfall|Prognos\w*|Omslutning\w*|"
    r"Beräknad\w*|Drift|Investering\w*|Budgetjustering\w*)\b",
    re.I,
)
# Marks of header text (not of a row label): a year or a column word as printed in headers.
HEADER_MARK = re.compile(
    r"\b(?:19|20)\d\d\b|\b(?:VP|VB|Budget|Bokslut|Avvikelse|Kostnader|Intäkter|Netto|Utfall|Prognos\w*|"
    r"Omslutning\w*|Beräknad\w*)|\bmnkr\b")
UNIT_IN_TEXT = re.compile(r"\bm(?:n)?kr\b", re.I)     # a header that names the unit
UNIT_WORD = re.compile(r"^(?:mnkr|tkr|kr|kronor|%|procent)\b", re.I)
TEXT_ROW = re.compile(
    r"^(?P<label>[A-Za-zÅÄÖåäöÉé][^\t]*?)\s+(?P<nums>[-−]?\d+(?:,\d+)?(?:\s+[-−]?\d+(?:,\d+)?)*)"
    r"(?:\s+(?P<note>\D.*))?$")
YEAR_LED = re.compile(r"^(?:19|20)\d\d\s+[A-ZÅÄÖa-zåäö]")
CELL = re.compile(r"^[-−–]?\d+(?:,\d+)?\**$")
YEAR_CELL = re.compile(r"^(?:19|20)\d\d\**$")
THOUSANDS_HEAD = re.compile(r"^[-−–]?\d{1,3}$")
THOUSANDS_TAIL = re.compile(r"^\d{3}(?:,\d+)?\**$")
TOTAL_LABEL = re.compile(r"^(?:summa|totalt|total)\b|\btotalt$|^netto$", re.I)
GROUP_LINE = re.compile(r"^\s*\S.*?\S?\s{3,}$")
PARENT_ROW = re.compile(r"\bvarav:?$", re.I)
SUB_ROW = re.compile(r"^[\s\-–—]*varav\b", re.I)
COLUMN_START = re.compile(r"^(?:[A-ZÅÄÖ][a-zåäöé]+\S*|[A-ZÅÄÖ]{2,4})$")
DECISION_ITEM = re.compile(r"^\s*(?P<no>\d{1,2})\.\s+(?P<text>.*\bmnkr\b.*)$", re.I)
DECISION_AMOUNT = re.compile(r"(?P<num>\d{1,3}(?:[ \u00a0]\d{3})*(?:,\d+)?|\d+(?:,\d+)?)\s*mnkr", re.I)
DECISION_KIND = [
    (re.compile(r"omslutningsförändring", re.I), "Omslutningsförändring"),
    (re.compile(r"budgetjuster", re.I), "Budgetjustering"),
]
MD_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
FOOTNOTE_MARK = re.compile(r"(?<=\))\d{1,2}$")      # "(mnkr)2": a footnote digit glued to a label
CAPTION = re.compile(r"^[A-ZÅÄÖ][^\t]{0,98}:$")      # "Nämndens parkinvesteringsmedel fördelas följande:"

HYPHEN_KEEPERS = re.compile(r"^(?:och|eller|samt|resp|respektive|till|som)", re.I)
MAX_LABEL_CHARS = 60        # a row label (one printed line); prose lines are longer
MAX_LABEL_WORDS = 9
MAX_PENDING_LINES = 4       # wrapped label lines before a row's numbers
MAX_HEADER_LINES = 32       # the report's result table wraps its header over ~27 lines
MAX_HEADER_LINE_CHARS = 80


# -- small helpers ------------------------------------------------------------------------
def parse_value(raw: str | None) -> float | None:
    """A printed cell ("1 487,5", "-6,4*", "<b>3 224,7</b>", "−2,5") as a number (mnkr)."""
    if raw is None:
        return None
    text = P.MARKUP.sub("", raw).replace("–", "-").strip().rstrip("*").strip()
    if not text:
        return None
    value, _unit, _mended = parse_number(text)
    return value


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", P.MARKUP.sub("", text)).strip()


def join_lines(parts: list[str], vocab: Vocabulary) -> str:
    """Join wrapped label/header lines, rejoining words broken at the line ends.

    "Budge" + "t" -> "Budget", "(nett" + "o)" -> "(netto)", "resultat" + "överförin" + "gar"
    -> "resultatöverföringar", "Omslutnings-" + "förändring" -> "Omslutningsförändring";
    two words that are each words of the document stay apart ("Bokslut" + "efter").
    """
    toks: list[list] = []           # [token, broken_before]
    for part in (p.strip() for p in parts):
        for n, tok in enumerate(part.split()):
            toks.append([tok, n == 0 and bool(toks)])

    def core(t: str) -> str:
        return "".join(WORD.findall(t))

    i = 0
    while i < len(toks) - 1:
        a, (b, broken) = toks[i][0], toks[i + 1]
        if a.endswith("-") and len(a) > 2 and (vocab.compound(a[:-1], b) or (
                b[:1].islower() and not HYPHEN_KEEPERS.match(b))):
            # "Omslutnings- förändring": a compound hyphenated at a line end;
            # "Individ- och familjeomsorg" keeps its hyphen (a conjunction follows)
            toks[i][0] = a[:-1] + b
            del toks[i + 1]
            continue
        if broken and core(b)[:1].islower():
            ca, cb = core(a), core(b)
            if ca and cb and vocab.word(ca, cb) and not (vocab.known(ca) and vocab.known(cb)):
                toks[i][0] = a + b
                del toks[i + 1]
                continue
            if i + 2 < len(toks) and toks[i + 2][1]:
                cc = core(toks[i + 2][0])
                if cc and vocab.word(ca, cb, cc) and not vocab.known(cb):
                    toks[i][0] = a + b + toks[i + 2][0]
                    del toks[i + 1:i + 3]
                    continue
        i += 1
    return " ".join(t for t, _ in toks)


# -- rows ---------------------------------------------------------------------------------
@dataclass
class _Split:
    label: str
    cells: list[str]          # '' = empty cell


def split_row(text: str) -> _Split | None:
    """Split a text row into its label and trailing cells; None when it ends in no number."""
    tokens = text.rstrip().split(" ")
    cells: list[str] = []
    i = len(tokens)
    while i > 0 and (tokens[i - 1] == "" or CELL.match(tokens[i - 1])):
        i -= 1
        cells.insert(0, tokens[i])
    label = " ".join(t for t in tokens[:i] if t).strip()
    # the space between the label and the first cell is a separator, not an empty cell
    if label and cells and cells[0] == "":
        cells = cells[1:]
    if not any(c for c in cells):
        return None
    return _Split(label, cells)


def _merge_thousands(cells: list[str], n: int) -> list[str]:
    """Join thousands groups ("2", "813,3" -> "2 813,3") from the left until n cells remain."""
    cells = list(cells)
    i = 0
    while len(cells) > n and i < len(cells) - 1:
        if THOUSANDS_HEAD.match(cells[i]) and THOUSANDS_TAIL.match(cells[i + 1]):
            cells[i:i + 2] = [f"{cells[i]} {cells[i + 1]}"]
        else:
            i += 1
    return cells


def _min_cells(cells: list[str]) -> int:
    return len(_merge_thousands(cells, 0))


def _fit(cells: list[str], n: int) -> list[str] | None:
    """The row's cells as exactly n cells (None when they cannot be read as n cells)."""
    if len(cells) > n:
        cells = _merge_thousands(cells, n)
    while len(cells) > n and cells and cells[0] == "":
        cells = cells[1:]
    if len(cells) > n:
        return None
    return cells + [""] * (n - len(cells))


# -- header -------------------------------------------------------------------------------
def _split_stub(text: str) -> tuple[str, str]:
    """'Verksamhet, mnkr Kostnader ...' -> ('Verksamhet, mnkr', 'Kostnader ...')."""
    tokens = text.split()
    for i, tok in enumerate(tokens[:8]):
        if UNIT_TOKEN.match(tok):
            j = i + 1
            while j < len(tokens) and tokens[j][:1].islower() and not COLUMN_START.match(tokens[j]):
                j += 1      # "Mnkr, netto Budget 2021" -> stub "Mnkr, netto"
            return " ".join(tokens[:j]), " ".join(tokens[j:])
    return "", text


def header_segments(text: str) -> list[str]:
    """Cut header text into column labels where a new column word starts."""
    text = re.sub(r"(?<=[a-zåäö])(?=(?:VP|VB)\b|[A-ZÅÄÖ][a-zåäö])", " ", text)
    segs: list[list[str]] = []
    for tok in text.split():
        if not segs or COLUMN_START.match(tok):
            segs.append([tok])
        else:
            segs[-1].append(tok)
    return [" ".join(s) for s in segs]


_HAS_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def fit_columns(segs: list[str], n: int) -> list[str]:
    """Make the header labels match the n cells of the rows.

    With too many labels, a label without a year joins the dated label after it ("Netto" +
    "VP 2021", "Avvikelse" + "Bokslut 2021"), shortest first; failing that the last two join.
    """
    segs = list(segs)
    while len(segs) > n:
        cands = [i for i in range(len(segs) - 1)
                 if not _HAS_YEAR.search(segs[i]) and _HAS_YEAR.search(segs[i + 1])]
        if cands:
            i = min(cands, key=lambda c: (len(segs[c].split()), c))
            segs[i:i + 2] = [f"{segs[i]} {segs[i + 1]}"]
        else:
            segs[-2:] = [f"{segs[-2]} {segs[-1]}"]
    while len(segs) < n:
        segs.append(f"Kolumn {len(segs) + 1}")
    return segs


# -- tables -------------------------------------------------------------------------------
@dataclass
class _Row:
    label: str
    group: str | None
    cells: list[str]
    line: Line


@dataclass
class _Table:
    stub: str
    header_text: str
    start: Line
    rows: list[_Row] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    note_column: bool = False      # the table's last column is text (not stored)
    caption: str | None = None     # the line introducing the table ("… fördelas följande:")


def _is_header_line(text: str) -> bool:
    t = text.strip()
    if not t or len(t) > MAX_HEADER_LINE_CHARS:
        return False
    sp = split_row(t)
    if sp is None:
        return True
    return all(YEAR_CELL.match(c) for c in sp.cells if c)


def _is_data(sp: _Split | None) -> TypeGuard[_Split]:
    if sp is None:
        return False
    filled = [c for c in sp.cells if c]
    if all(YEAR_CELL.match(c) for c in filled):
        return False     # "Analys av årsresultat 2021": a heading with a year, not a row
    return len(sp.label) <= MAX_LABEL_CHARS and len(sp.label.split()) <= MAX_LABEL_WORDS


def _is_label_line(text: str) -> bool:
    t = text.strip()
    return (0 < len(t) <= MAX_LABEL_CHARS and len(t.split()) <= MAX_LABEL_WORDS
            and not t.endswith((".", ":")))


def _continues(pending: list[str], label: str) -> bool:
    """Does a row label continue the label lines above it (rather than follow a group line)?"""
    if not label:
        return True
    last = pending[-1].rstrip()
    if label[:1].islower() or label[:1] in "(&/":
        return True
    if last.endswith(("-", ",", "/", "&")):
        return True
    return bool(re.search(r"\b(?:och|med|för|till|av|i|samt|inom)$", last, re.I))


def _text_row(text: str) -> tuple[str, list[str], str] | None:
    """'Signalparken 7 Genomförande av ...' -> (label, cells, note) for tables with a text column."""
    m = TEXT_ROW.match(text.strip())
    if not m or re.search(r"\d,\d", m.group("label")) or len(m.group("label")) > MAX_LABEL_CHARS:
        return None
    label = m.group("label")
    if not (label[:1].isupper() or SUB_ROW.match(label)):
        return None
    cells = m.group("nums").split()
    if all(YEAR_CELL.match(c) for c in cells):
        return None
    return label, cells, (m.group("note") or "").strip()


def _find_header(lines: list[Line], i: int, vocab: Vocabulary) -> dict | None:
    """The header block of a table whose unit line is lines[i], or None when it is no table."""
    text = lines[i].text.strip()
    if "kr" not in text.lower():
        return None          # no unit token ("Mnkr", "(mnkr)", "mkr,"): most lines, cheaply
    tokens = text.split()
    if not any(UNIT_TOKEN.match(t) for t in tokens[:8]) or len(text) > MAX_HEADER_LINE_CHARS \
            or text.endswith("."):
        return None
    # header block: (a stub line ending in ',') + unit line + wrapped header lines
    start = i
    if i > 0 and lines[i - 1].text.rstrip().endswith(",") and len(lines[i - 1].text.strip()) <= 40:
        start = i - 1
    # columns printed as "2021 Socioekonomiskt anslag / (mnkr)": the header starts above the
    # unit line, with the row header ("Enhet") before the first dated column
    while start > 0 and YEAR_LED.match(lines[start - 1].text.strip()) and start > i - 4:
        start -= 1
    if start < i and YEAR_LED.match(lines[start].text.strip()) and start > 0:
        above = lines[start - 1].text.strip()
        if len(above.split()) <= 3 and not re.search(r"[.,;:]$", above) and above[:1].isupper():
            start -= 1
    note_mode = False
    j = i + 1
    while j < len(lines) and j - i <= MAX_HEADER_LINES:
        t = lines[j].text.strip()
        if _is_data(split_row(t)):
            break
        if (tr := _text_row(t)) and tr[2][:1].isalpha():
            note_mode = True
            break
        if not _is_header_line(t):
            return None
        j += 1
    if j >= len(lines) or j - i > MAX_HEADER_LINES:
        return None
    # The lines before the first value row: header lines, then (maybe) the first row's
    # wrapped label, which starts with a capital and has no year or column word.
    between = lines[i + 1:j]
    cut = len(between)
    for b in range(len(between) - 1, -1, -1):
        if HEADER_MARK.search(between[b].text):
            break
        if between[b].text.strip()[:1].isupper():
            cut = b
    header_lines = [ln.text.strip() for ln in lines[start:i + 1 + cut]]
    columns: list[str] = []
    led = [n for n, h in enumerate(header_lines) if YEAR_LED.match(h)]
    if led:
        stub = join_lines(header_lines[:led[0]], vocab)
        bounds = led + [len(header_lines)]
        columns = [join_lines(header_lines[a:b], vocab) for a, b in zip(bounds, bounds[1:])]
        header_text = ""
        if not any(UNIT_TOKEN.search(c) or re.search(r"\bmnkr\b", c, re.I) for c in columns):
            return None
    else:
        stub, header_text = _split_stub(join_lines(header_lines, vocab))
        if not (COLUMN_WORD.search(header_text) or COLUMN_WORD.search(stub)):
            return None
    return {"start": start, "first_row": j, "stub": stub, "header_text": header_text, "columns": columns,
            "header_lines": header_lines, "label_lines": between[cut:], "note_mode": note_mode}


def _starts_table(lines: list[Line], k: int, vocab: Vocabulary) -> bool:
    t = lines[k].text.strip()
    return "kr" in t.lower() and any(UNIT_TOKEN.match(tok) for tok in t.split()[:8]) \
        and _find_header(lines, k, vocab) is not None


def _value_rows(lines: list[Line], h: dict, table: _Table, vocab: Vocabulary) -> int:
    """Read the value rows of a table (cells at the line end); returns the index after the table."""
    repeat = {x for x in h["header_lines"] if x}
    pending: list[Line] = list(h["label_lines"])
    group: str | None = None
    k = h["first_row"]
    resume = k + 1
    while k < len(lines):
        line = lines[k]
        t = line.text.strip()
        if t in repeat or P.PAGE_FURNITURE.match(t) or P.FOOTER_WEB.match(t):
            k += 1
            continue
        # a number broken over two lines: "1258," + "2 1207,5 ..."
        if re.search(r"\d,$", t) and k + 1 < len(lines) and re.match(r"^\d", lines[k + 1].text.strip()):
            t = t + lines[k + 1].text.strip()
            k += 1
        sp = split_row(line.text.rstrip() if t == line.text.strip() else t)
        if _is_data(sp):
            label = sp.label
            first = line
            if pending:
                texts = [p.text.strip() for p in pending]
                if _continues(texts, label):
                    label = join_lines(texts + [label], vocab)
                    first = pending[0]
                else:
                    group = join_lines(texts, vocab)
            label = label or group or ""
            if not label:
                break
            table.rows.append(_Row(label, group, sp.cells, first))
            pending = []
            if TOTAL_LABEL.search(label):
                group = None
            k += 1
            resume = k
            continue
        if _starts_table(lines, k, vocab):
            break                # the next table's header (its title lines stay unread)
        if GROUP_LINE.match(line.text) and _is_label_line(t) and not pending:
            group = t            # "Investeringar      ": a row whose cells are all empty
            k += 1
            continue
        if _is_label_line(t) and len(pending) < MAX_PENDING_LINES:
            pending.append(line)
            k += 1
            continue
        break
    return resume          # label lines after the last row may start the next table


def _note_rows(lines: list[Line], h: dict, table: _Table, n_values: int, vocab: Vocabulary) -> int:
    """Read a table whose last column is text ("Beskrivning", comments): label, values, note.

    Lines that are not rows are either the wrapped note of the row above, or (when a line
    that starts with the values follows) the wrapped label of the next row, or a group line
    (one short line after a finished note, before a labelled row).
    """
    repeat = {x for x in h["header_lines"] if x}
    group: str | None = None
    buffer: list[Line] = list(h["label_lines"])
    last_note = ""
    k = h["first_row"]
    while k < len(lines):
        line = lines[k]
        t = line.text.strip()
        if t in repeat or P.PAGE_FURNITURE.match(t) or P.FOOTER_WEB.match(t):
            k += 1
            continue
        if len(t) > MAX_HEADER_LINE_CHARS or _starts_table(lines, k, vocab):
            break                # prose after the table, or the next table
        row = _text_row(t)
        if row is not None and UNIT_WORD.match(row[2]):
            break                # "... om totalt 1,37 mnkr för ...": an amount in prose
        if row is None:
            sp = split_row(line.text.rstrip())
            if _is_data(sp) and sp.label and sp.label[:1].isupper() and not re.search(r"\d", sp.label):
                row = (sp.label, [c for c in sp.cells if c], "")
        starts_with_values = re.match(r"^[-−]?\d+(?:,\d+)?(?:\s|$)", t)
        if row is not None:
            label, cells, note = row
            if buffer:
                finished = not last_note or last_note.rstrip().endswith(".") or not table.rows
                texts = [b.text.strip() for b in buffer]
                if finished and len(texts) == 1 and not re.search(r"\d", texts[0]):
                    group = texts[0]
                buffer = []
            table.rows.append(_Row(label, group, (cells + [""] * n_values)[:n_values], line))
            last_note = note
            if TOTAL_LABEL.search(label):
                group = None
            k += 1
            continue
        # the values start the line: the row's label is wrapped on the lines above it
        # (the last lines of the buffer that start with a capital and hold no digits)
        label_start = None
        if starts_with_values:
            for b in range(len(buffer) - 1, -1, -1):
                if re.search(r"\d", buffer[b].text):
                    break
                if buffer[b].text.strip()[:1].isupper():
                    label_start = b
        if label_start is not None:
            nums = re.findall(r"[-−]?\d+(?:,\d+)?(?=\s|$)", t)[:n_values]
            label_lines = buffer[label_start:]
            table.rows.append(_Row(join_lines([b.text for b in label_lines], vocab), group,
                                   (nums + [""] * n_values)[:n_values], label_lines[0]))
            last_note = t
            buffer = []
            k += 1
            continue
        if len(buffer) >= MAX_PENDING_LINES + 2:
            break
        buffer.append(line)
        k += 1
    # trailing buffer lines after the last row belong to the text after the table
    while buffer and k > h["first_row"] and lines[k - 1] in buffer:
        buffer.pop()
        k -= 1
    return k


def _text_tables(lines: list[Line], vocab: Vocabulary) -> list[_Table]:
    tables: list[_Table] = []
    i = 0
    while i < len(lines):
        h = _find_header(lines, i, vocab)
        if h is None:
            i += 1
            continue
        table = _Table(stub=h["stub"], header_text=h["header_text"], start=lines[h["start"]],
                       caption=_caption(lines, h["start"]))
        if h["columns"]:
            table.columns = list(h["columns"])
        if h["note_mode"]:
            segs = header_segments(h["header_text"])
            n_values = max(1, len(segs) - 1)
            k = _note_rows(lines, h, table, n_values, vocab)
            table.columns = fit_columns(segs, n_values + 1)[:n_values] if segs else ["Belopp"]
            table.note_column = True
        else:
            k = _value_rows(lines, h, table, vocab)
        if table.rows:
            tables.append(table)
            i = max(k, i + 1)
        else:
            i += 1
    return tables


def _caption(lines: list[Line], start: int) -> str | None:
    """The line right above a table's header when it introduces the table (ends in ':')."""
    if start <= 0:
        return None
    text = _clean(lines[start - 1].text)
    return text if CAPTION.match(text) else None


def _md_cells(text: str) -> list[str] | None:
    """Cells of a Markdown table line: tab-separated, or a pipe table ("| a | b |")."""
    if "\t" in text:
        return [_clean(c) for c in text.split("\t")]
    t = text.strip()
    if t.startswith("|") and t.count("|") >= 2:
        return [_clean(c) for c in t.strip("|").split("|")]
    return None


def _markdown_tables(lines: list[Line]) -> list[_Table]:
    tables: list[_Table] = []
    i = 0
    while i < len(lines):
        if _md_cells(lines[i].text) is None:
            i += 1
            continue
        j = i
        while j < len(lines) and _md_cells(lines[j].text) is not None:
            j += 1
        block = [ln for ln in lines[i:j] if not MD_RULE.match(ln.text)]   # no "|---|---|" rows
        header = _md_cells(block[0].text)
        assert header is not None       # every line of the block is a table line
        if not UNIT_IN_TEXT.search(" ".join(header)):
            i = j
            continue
        table = _Table(stub=header[0], header_text="\t".join(header[1:]), start=block[0],
                       caption=_caption(lines, i))
        table.columns = [h or f"Kolumn {n + 1}" for n, h in enumerate(header[1:])]
        group = None
        for line in block[1:]:
            cells = _md_cells(line.text)
            assert cells is not None    # every line of the block is a table line
            label, values = cells[0], cells[1:]
            if not any(values):
                group = label or group
                continue
            table.rows.append(_Row(label, group, values, line))
            if TOTAL_LABEL.search(label):
                group = None
        if table.rows:
            tables.append(table)
        i = j
    return tables


def _cell_tables(lines: list[Line]) -> list[_Table]:
    """Budget tables read from a PDF's geometry: a table whose header (its column labels,
    composed from all header rows) names the unit, its rows as printed; a header repeated
    after a page break is passed over, a row with no amounts is a group label."""
    tables: list[_Table] = []
    current: _Table | None = None
    labels: list[str] = []
    group = None
    for i, ln in enumerate(lines):
        if ln.cells is None:
            current = None                   # prose ends a table
            continue
        if ln.header:
            new = [_clean(c.text) for c in ln.cells]
            if current is not None and new == labels:
                continue                     # the header again, on the next page
            current, labels, group = None, new, None
            if UNIT_IN_TEXT.search(" ".join(new)):
                current = _Table(stub=new[0], header_text="\t".join(new[1:]), start=ln, caption=_caption(lines, i))
                current.columns = [h or f"Kolumn {n + 1}" for n, h in enumerate(new[1:])]
                tables.append(current)
            continue
        if current is None:
            continue
        cells = [_clean(c) for c in ln.text.split("\t")]
        label, values = cells[0], (cells[1:] + [""] * len(current.columns))[:len(current.columns)]
        if not any(values):
            group = label or group
            continue
        current.rows.append(_Row(label, group, values, ln))
        if TOTAL_LABEL.search(label):
            group = None
    return [t for t in tables if t.rows]


# -- records ------------------------------------------------------------------------------
def _section_context(sections: list[Section], line_no: int, table_start: bool = False) -> tuple[str | None, list[str]]:
    """(innermost heading, headings that may name the table's area, nearest first).

    The candidates are the heading path of the table's section and, when headings follow
    each other without text ("Förskola" / "Ekonomiska förutsättningar"), the ones before.
    With ``table_start`` (line_no is a table's first header line), a section that starts at
    that line is the table's own stub taken for a heading ("Enhet" above "2021
    Socioekonomiskt anslag (mnkr)"), so the table sits in the section before it.
    """
    idx = section_index_for_line(sections, line_no)
    if idx is not None and table_start and idx > 0 and sections[idx].source_line_start == line_no:
        idx -= 1
    if idx is None:
        return None, []
    sec = sections[idx]
    cands = list(reversed(sec.heading_path.split(" > ")))
    back = idx - 1
    while back >= 0 and not sections[back].text.strip() and idx - back <= 3:
        cands.append(sections[back].heading)
        back -= 1
    return sec.heading, cands


def _candidate_parts(block: list[_Row]) -> list[list[_Row]]:
    """Readings of which rows a total adds up: all rows except "varav" sub-rows; when a row
    introduces sub-rows ("Vård och omsorg, varav:"), also without the k rows after it."""
    base = [r for r in block if not SUB_ROW.match(r.label)]
    out = [base]
    for p, row in enumerate(base):
        if PARENT_ROW.search(row.label):
            for k in range(1, len(base) - p):
                out.append(base[:p + 1] + base[p + 1 + k:])
    return out


def _column_sum(rows: list[_Row], c: int) -> tuple[float | None, int]:
    parsed = [parse_value(r.cells[c]) for r in rows if c < len(r.cells)]
    vals = [v for v in parsed if v is not None]
    return (round(sum(vals), 6) if vals else None), len(vals)


def _tolerance(raw: str) -> float:
    """Rounding allowance for a printed total: 1.5 units of its last printed decimal
    ("370,4" -> 0.15), so sums of rounded rows may differ by one unit but not by two."""
    m = re.search(r",(\d+)", raw or "")
    return 1.5 * 10 ** -(len(m.group(1)) if m else 0) + 1e-9


def _total_checks(table: _Table, title: str, warnings: list[ParseWarning]) -> None:
    block: list[_Row] = []
    for row in table.rows:
        if not TOTAL_LABEL.search(row.label):
            block.append(row)
            continue
        printed = [parse_value(row.cells[c]) if c < len(row.cells) else None for c in range(len(table.columns))]

        def mismatches(parts: list[_Row], printed=printed, row=row) -> list[tuple[int, float, int]]:
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


def _fmt(x: float) -> str:
    s = f"{x:,.1f}".replace(",", " ").replace(".", ",")
    return s


def _records(table: _Table, table_no: int, sections: list[Section], warnings: list[ParseWarning]) -> list[BudgetLine]:
    heading, area_cands = _section_context(sections, table.start.no, table_start=True)
    title = table.stub or heading or "Budgettabell"
    # the table's area: named by its stub, its caption, or the headings it sits under
    table_area = next((a for a in (canonical_area(c) for c in [table.stub, table.caption, *area_cands]) if a), None)
    out: list[BudgetLine] = []
    row_areas = [canonical_area(r.label) or canonical_area(r.group) or table_area
                 for r in table.rows if not TOTAL_LABEL.search(r.label)]
    common = row_areas[0] if row_areas and len(set(row_areas)) == 1 else None
    for row in table.rows:
        if TOTAL_LABEL.search(row.label):
            area = common
        else:
            area = canonical_area(row.label) or canonical_area(row.group) or table_area
        label = row.label
        if row.group and row.group != row.label and not TOTAL_LABEL.search(row.label):
            label = f"{row.group} › {row.label}"
        boxes = {cell.col: cell.box for cell in row.line.cells or ()}     # PDF: each cell's box
        for c, col in enumerate(table.columns):
            raw = row.cells[c] if c < len(row.cells) else ""
            raw = P.MARKUP.sub("", raw).strip()
            if not raw:
                continue
            out.append(BudgetLine(table_no, title, heading, label, area, col, parse_value(raw), raw, UNIT,
                                  row.line.no, row.line.page, boxes.get(c + 1) or row.line.box))
    _total_checks(table, f"{title} (line {table.start.no})", warnings)
    return out


def _decision_item(line: Line) -> tuple[re.Match, str, str, str] | None:
    """(match, text, amount, kind) of a numbered decision item with one amount, else None."""
    m = DECISION_ITEM.match(line.text)
    if not m:
        return None
    text = _clean(m.group("text"))
    amounts = DECISION_AMOUNT.findall(text)
    kind = next((label for rx, label in DECISION_KIND if rx.search(text)), None)
    if len(amounts) != 1 or kind is None:
        return None
    return m, text, amounts[0], kind


def _decision_records(lines: list[Line], sections: list[Section], table_no: int) -> list[BudgetLine]:
    """The numbered decision list's items with one amount; the list counts as one table."""
    out = []
    for line in lines:
        item = _decision_item(line)
        if item is None:
            continue
        m, text, amount, kind = item
        heading, _ = _section_context(sections, line.no)
        out.append(BudgetLine(table_no, heading or "Förslag till beslut", heading, f"{m.group('no')}. {text}",
                              canonical_area(text), kind, parse_value(amount), amount, UNIT, line.no, line.page))
    return out


def _settle_columns(t: _Table, warnings: list[ParseWarning]) -> None:
    """Give a text table its final columns and every row exactly that many cells."""
    if t.note_column:
        return
    counts = [_min_cells(r.cells) for r in t.rows]
    n = max(counts)
    header_width = len(t.columns) or len(header_segments(t.header_text))
    usual = Counter(counts).most_common(1)[0][0]
    if n > usual and usual <= header_width < n:
        # a row wider than the header and the other rows has a number in its label
        n = max(c for c in counts if c <= header_width)
    if len(t.columns) != n:       # (dated columns read from header lines already fit)
        t.columns = fit_columns(header_segments(t.header_text), n) if t.header_text else (
            [t.stub or "Belopp"] if n == 1 else [f"Kolumn {c + 1}" for c in range(n)])
    kept = []
    for r in t.rows:
        fitted = _fit(r.cells, n)
        if fitted is None and r.label:
            cells = [c for c in r.cells]
            while len(cells) > n and cells[0]:
                r.label = f"{r.label} {cells.pop(0)}"      # "Grupp 2 12,0 11,0"
            fitted = _fit(cells, n)
        if fitted is None:
            warnings.append(ParseWarning(STAGE, f"row '{r.label}' does not fit the table's {n} columns", r.line.no))
            continue
        r.cells = fitted
        kept.append(r)
    t.rows = kept


def parse_budget(raw: RawDocument, sections: list[Section],
                 vocab: Vocabulary | None = None) -> tuple[list[BudgetLine], list[ParseWarning]]:
    """All budget-table cells of a document as BudgetLine records, plus warnings.

    ``sections`` (the document's, etl.parse.sections.parse_sections) gives each table its
    section heading and area context, ``vocab`` the document's Vocabulary (made here when not
    passed).
    """
    warnings: list[ParseWarning] = []
    if raw.flavour == "markdown":
        tables = _markdown_tables(raw.lines)
    elif raw.flavour == "pdf":
        # tables the reader found in the page's geometry, then any left in the text
        tables = _cell_tables(raw.lines)
        prose = [ln for ln in raw.lines if ln.cells is None]
        text_tables = _text_tables(prose, vocab or Vocabulary(prose))
        for t in text_tables:
            _settle_columns(t, warnings)
        tables += text_tables
    else:
        tables = _text_tables(raw.lines, vocab or Vocabulary(raw.lines))
        for t in tables:
            _settle_columns(t, warnings)
    for t in tables:
        t.columns = [FOOTNOTE_MARK.sub("", c) for c in t.columns]
    # tables are numbered in document order; the decision list (when it has items) is one table
    decisions_at = next((ln.no for ln in raw.lines if _decision_item(ln) is not None), None)
    order = sorted([(t.start.no, k) for k, t in enumerate(tables)]
                   + ([(decisions_at, len(tables))] if decisions_at is not None else []))
    table_no = {k: n for n, (_, k) in enumerate(order, start=1)}
    records: list[BudgetLine] = []
    for k, t in enumerate(tables):
        records.extend(_records(t, table_no[k], sections, warnings))
    if decisions_at is not None:
        records.extend(_decision_records(raw.lines, sections, table_no[len(tables)]))
    return records, warnings
