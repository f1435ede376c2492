"""What the user typed, matched against texts: the folding word match of the indicator search
and the activities filter (`text_matcher`), and the literal filter of the profile page
(`contains_text`)."""
from __future__ import annotations

import polars as pl

from etl.search.terms import folded_term, query_words, words


def contains_text(columns: list[str], text: str) -> pl.Expr:
    """Rows where any of the columns holds the user's text: case-insensitive, and literal
    (a "(" or "?" typed in a filter is a character, never a regular expression)."""
    needle = text.strip().lower()
    return pl.any_horizontal([pl.col(c).fill_null("").str.to_lowercase().str.contains(needle, literal=True)
                              for c in columns])


def text_matcher(text: str):
    """A predicate "do these texts hold every word the user typed": the dashboard's one
    folding rule (indicator search, activities): words in any order, case- and
    accent-insensitive on their Swedish stems (etl.search.terms.folded_term), and as the start of a
    word. None when the user typed no word."""
    wanted = [folded_term(w) for w in query_words(text)]
    if not wanted:
        return None

    def matches(*texts: str | None) -> bool:
        terms = {folded_term(w) for t in texts if t for w in words(t)}
        return all(any(x.startswith(w) for x in terms) for w in wanted)
    return matches
