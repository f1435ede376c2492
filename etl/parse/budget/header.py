"""A budget table's column labels from its printed header.

Broken words are rejoined with the document's own vocabulary ("Budge|t" -> "Budget",
"Omslutnings-|förändring"), glued words split ("NettoVP"), and the labels cut where a new
column word starts; the number of columns comes from the rows (a label without a year joins
the following dated label when there are more labels than cells: "Netto" + "VP 2021").
"""
from __future__ import annotations

import re
from collections import Counter

from etl.model import ParseWarning
from etl.parse.budget.rows import fit_cells, min_cells
from etl.parse.budget.tables import STAGE, Table
from etl.parse.budget.tunables import SETTINGS
from etl.parse.vocabulary import WORD, Vocabulary

UNIT_TOKEN = re.compile(r"^\(?m(?:n)?kr\)?[,:]?$", re.I)     # "Mnkr", "(mnkr)", "mkr,"
COLUMN_START = re.compile(r"^(?:[A-ZÅÄÖ][a-zåäöé]+\S*|[A-ZÅÄÖ]{2,4})$")
FOOTNOTE_MARK = re.compile(r"(?<=\))\d{1,2}$")      # "(mnkr)2": a footnote digit glued to a label
HYPHEN_KEEPERS = re.compile(r"^(?:och|eller|samt|resp|respektive|till|som)", re.I)
HAS_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


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


def split_stub(text: str) -> tuple[str, str]:
    """'Verksamhet, mnkr Kostnader ...' -> ('Verksamhet, mnkr', 'Kostnader ...')."""
    tokens = text.split()
    for i, tok in enumerate(tokens[:SETTINGS.unit_within_words]):
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


def fit_columns(segs: list[str], n: int) -> list[str]:
    """Make the header labels match the n cells of the rows.

    With too many labels, a label without a year joins the dated label after it ("Netto" +
    "VP 2021", "Avvikelse" + "Bokslut 2021"), shortest first; failing that the last two join.
    """
    segs = list(segs)
    while len(segs) > n:
        cands = [i for i in range(len(segs) - 1)
                 if not HAS_YEAR.search(segs[i]) and HAS_YEAR.search(segs[i + 1])]
        if cands:
            i = min(cands, key=lambda c: (len(segs[c].split()), c))
            segs[i:i + 2] = [f"{segs[i]} {segs[i + 1]}"]
        else:
            segs[-2:] = [f"{segs[-2]} {segs[-1]}"]
    while len(segs) < n:
        segs.append(f"Kolumn {len(segs) + 1}")
    return segs


def settle_columns(t: Table, warnings: list[ParseWarning]) -> None:
    """Give a text table its final columns and every row exactly that many cells."""
    if t.note_column:
        return
    counts = [min_cells(r.cells) for r in t.rows]
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
        fitted = fit_cells(r.cells, n)
        if fitted is None and r.label:
            cells = [c for c in r.cells]
            while len(cells) > n and cells[0]:
                r.label = f"{r.label} {cells.pop(0)}"      # "Grupp 2 12,0 11,0"
            fitted = fit_cells(cells, n)
        if fitted is None:
            warnings.append(ParseWarning(STAGE, f"row '{r.label}' does not fit the table's {n} columns", r.line.no))
            continue
        r.cells = fitted
        kept.append(r)
    t.rows = kept
