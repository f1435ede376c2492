"""Budget tables in flattened text (a text extraction, or the prose lines of a PDF left
after its cell tables): a header line that names the unit ("Mnkr", "Verksamhet, mnkr",
"Avvikelse jämfört med budget (mnkr)"), wrapped header lines, then value rows.

A row is a label (possibly wrapped over several lines, or with a group line above it such as
"Investeringar" or "Centrala medel") and its cells at the line end; a number broken over two
lines ("1258,|2") is rejoined. A table whose last column is text (a description, comments)
is read row by row with its notes.
"""
from __future__ import annotations

import re

from etl.model import Line
from etl.parse import patterns as P
from etl.parse.budget.header import UNIT_TOKEN, fit_columns, header_segments, join_lines, split_stub
from etl.parse.budget.rows import (
    YEAR_CELL,
    continues_label,
    is_data_row,
    is_label_line,
    split_row,
    text_row,
)
from etl.parse.budget.tables import Row, Table, caption
from etl.parse.budget.tunables import SETTINGS
from etl.parse.vocabulary import Vocabulary

COLUMN_WORD = re.compile(
    r"\b(?:VP|VB|Budget|Bokslut|Avvikelse|Kostnader|Intäkter|Netto|Utfall|Prognos\w*|Omslutning\w*|"
    r"Beräknad\w*|Drift|Investering\w*|Budgetjustering\w*)\b",
    re.I,
)
# Marks of header text (not of a row label): a year or a column word as printed in headers.
HEADER_MARK = re.compile(
    r"\b(?:19|20)\d\d\b|\b(?:VP|VB|Budget|Bokslut|Avvikelse|Kostnader|Intäkter|Netto|Utfall|Prognos\w*|"
    r"Omslutning\w*|Beräknad\w*)|\bmnkr\b")
UNIT_WORD = re.compile(r"^(?:mnkr|tkr|kr|kronor|%|procent)\b", re.I)
YEAR_LED = re.compile(r"^(?:19|20)\d\d\s+[A-ZÅÄÖa-zåäö]")
GROUP_LINE = re.compile(r"^\s*\S.*?\S?\s{3,}$")


def _is_header_line(text: str) -> bool:
    t = text.strip()
    if not t or len(t) > SETTINGS.max_header_line_chars:
        return False
    sp = split_row(t)
    if sp is None:
        return True
    return all(YEAR_CELL.match(c) for c in sp.cells if c)


def _find_header(lines: list[Line], i: int, vocab: Vocabulary) -> dict | None:
    """The header block of a table whose unit line is lines[i], or None when it is no table."""
    text = lines[i].text.strip()
    if "kr" not in text.lower():
        return None          # no unit token ("Mnkr", "(mnkr)", "mkr,"): most lines, cheaply
    tokens = text.split()
    if not any(UNIT_TOKEN.match(t) for t in tokens[:SETTINGS.unit_within_words]) \
            or len(text) > SETTINGS.max_header_line_chars \
            or text.endswith("."):
        return None
    # header block: (a stub line ending in ',') + unit line + wrapped header lines
    start = i
    above = lines[i - 1].text.strip() if i > 0 else ""
    if above.endswith(",") and len(above) <= SETTINGS.max_stub_line_chars:
        start = i - 1
    # columns printed as "2021 Socioekonomiskt anslag / (mnkr)": the header starts above the
    # unit line, with the row header ("Enhet") before the first dated column
    while start > 0 and YEAR_LED.match(lines[start - 1].text.strip()) \
            and start > i - SETTINGS.max_header_lines_above:
        start -= 1
    if start < i and YEAR_LED.match(lines[start].text.strip()) and start > 0:
        above = lines[start - 1].text.strip()
        if len(above.split()) <= SETTINGS.max_row_header_words and not re.search(r"[.,;:]$", above) \
                and above[:1].isupper():
            start -= 1
    note_mode = False
    j = i + 1
    while j < len(lines) and j - i <= SETTINGS.max_header_lines:
        t = lines[j].text.strip()
        if is_data_row(split_row(t)):
            break
        if (tr := text_row(t)) and tr[2][:1].isalpha():
            note_mode = True
            break
        if not _is_header_line(t):
            return None
        j += 1
    if j >= len(lines) or j - i > SETTINGS.max_header_lines:
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
        stub, header_text = split_stub(join_lines(header_lines, vocab))
        if not (COLUMN_WORD.search(header_text) or COLUMN_WORD.search(stub)):
            return None
    return {"start": start, "first_row": j, "stub": stub, "header_text": header_text, "columns": columns,
            "header_lines": header_lines, "label_lines": between[cut:], "note_mode": note_mode}


def _starts_table(lines: list[Line], k: int, vocab: Vocabulary) -> bool:
    t = lines[k].text.strip()
    return "kr" in t.lower() and any(UNIT_TOKEN.match(tok) for tok in t.split()[:SETTINGS.unit_within_words]) \
        and _find_header(lines, k, vocab) is not None


def _value_rows(lines: list[Line], h: dict, table: Table, vocab: Vocabulary) -> int:
    """Read the value rows of a table (cells at the line end); returns the index after the table."""
    repeat = {x for x in h["header_lines"] if x}
    pending: list[Line] = list(h["label_lines"])
    table.group = None
    k = h["first_row"]
    resume = k + 1
    while k < len(lines):
        line = lines[k]
        t = line.text.strip()
        if _passed_over(t, repeat):
            k += 1
            continue
        # a number broken over two lines: "1258," + "2 1207,5 ..."
        if re.search(r"\d,$", t) and k + 1 < len(lines) and re.match(r"^\d", lines[k + 1].text.strip()):
            t = t + lines[k + 1].text.strip()
            k += 1
        sp = split_row(line.text.rstrip() if t == line.text.strip() else t)
        if is_data_row(sp):
            label = sp.label
            first = line
            if pending:
                texts = [p.text.strip() for p in pending]
                if continues_label(texts, label):
                    label = join_lines(texts + [label], vocab)
                    first = pending[0]
                else:
                    table.group = join_lines(texts, vocab)
            label = label or table.group or ""
            if not label:
                break
            table.add_row(label, sp.cells, first)
            pending = []
            k += 1
            resume = k
            continue
        if _starts_table(lines, k, vocab):
            break                # the next table's header (its title lines stay unread)
        if GROUP_LINE.match(line.text) and is_label_line(t) and not pending:
            table.group = t      # "Investeringar      ": a row whose cells are all empty
            k += 1
            continue
        if is_label_line(t) and len(pending) < SETTINGS.max_pending_lines:
            pending.append(line)
            k += 1
            continue
        break
    return resume          # label lines after the last row may start the next table


def _passed_over(t: str, repeat: set[str]) -> bool:
    """A line inside a table that is not part of it: its header again after a page break, a
    page number or running footer."""
    return t in repeat or bool(P.PAGE_FURNITURE.match(t)) or bool(P.FOOTER_WEB.match(t))


def _note_rows(lines: list[Line], h: dict, table: Table, n_values: int, vocab: Vocabulary) -> int:
    """Read a table whose last column is text ("Beskrivning", comments): label, values, note.

    Lines that are not rows are either the wrapped note of the row above, or (when a line
    that starts with the values follows) the wrapped label of the next row, or a group line
    (one short line after a finished note, before a labelled row).
    """
    repeat = {x for x in h["header_lines"] if x}
    table.group = None
    buffer: list[Line] = list(h["label_lines"])
    last_note = ""
    k = h["first_row"]
    while k < len(lines):
        line = lines[k]
        t = line.text.strip()
        if _passed_over(t, repeat):
            k += 1
            continue
        if len(t) > SETTINGS.max_header_line_chars or _starts_table(lines, k, vocab):
            break                # prose after the table, or the next table
        row = text_row(t)
        if row is not None and UNIT_WORD.match(row[2]):
            break                # "... om totalt 1,37 mnkr för ...": an amount in prose
        if row is None:
            sp = split_row(line.text.rstrip())
            if is_data_row(sp) and sp.label and sp.label[:1].isupper() and not re.search(r"\d", sp.label):
                row = (sp.label, [c for c in sp.cells if c], "")
        starts_with_values = re.match(r"^[-−]?\d+(?:,\d+)?(?:\s|$)", t)
        if row is not None:
            label, cells, note = row
            if buffer:
                finished = not last_note or last_note.rstrip().endswith(".") or not table.rows
                texts = [b.text.strip() for b in buffer]
                if finished and len(texts) == 1 and not re.search(r"\d", texts[0]):
                    table.group = texts[0]
                buffer = []
            table.add_row(label, (cells + [""] * n_values)[:n_values], line)
            last_note = note
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
            table.rows.append(Row(join_lines([b.text for b in label_lines], vocab), table.group,
                                   (nums + [""] * n_values)[:n_values], label_lines[0]))
            last_note = t
            buffer = []
            k += 1
            continue
        if len(buffer) >= SETTINGS.max_note_lines:
            break
        buffer.append(line)
        k += 1
    # trailing buffer lines after the last row belong to the text after the table
    while buffer and k > h["first_row"] and lines[k - 1] in buffer:
        buffer.pop()
        k -= 1
    return k


def find_text_tables(lines: list[Line], vocab: Vocabulary) -> list[Table]:
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        h = _find_header(lines, i, vocab)
        if h is None:
            i += 1
            continue
        table = Table(stub=h["stub"], header_text=h["header_text"], start=lines[h["start"]],
                      caption=caption(lines, h["start"]))
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
