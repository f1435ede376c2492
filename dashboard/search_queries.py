"""The search page's query: sections matching the words, ranked by the full-text index
(etl.search.index: BM25, Swedish stems), with a snippet to show as Markdown."""
from __future__ import annotations

import re

import polars as pl

from dashboard.fmt import md_escape
from dashboard.sql import _frame
from etl.search.index import MARK_CLOSE, MARK_OPEN

_SECTION_META_SQL = """
SELECT s.section_id, d.district, d.year, d.doc_type, d.document_id, d.source_file,
       s.heading, s.heading_path, s.text, s.source_line_start, s.source_line_end, s.source_page
FROM sections s JOIN documents d USING (document_id)
"""


def _fts_search(con, query: str, limit: int, district: str | None) -> pl.DataFrame | None:
    """Ranked hits from etl.search.index (BM25 index, Swedish stemming), or None when the database
    has no search index (built by an older version)."""
    from etl.search.index import SearchUnavailable
    from etl.search.index import search_sections as fts_search

    try:
        res = fts_search(con, query, limit, district=district)
    except SearchUnavailable:
        return None
    if not isinstance(res, pl.DataFrame) or "section_id" not in res.columns:
        return None
    return res


def search_terms(query: str) -> list[str]:
    return [t for t in re.findall(r"\w+", query.lower()) if len(t) > 1]


def search_sections(con, query: str, limit: int = 50, district: str | None = None) -> pl.DataFrame:
    """Sections matching `query` with district, document and lines; `snippet` marks hits
    with **bold**. Uses the full-text index (etl.search.index: BM25, Swedish stems) when present,
    else ILIKE on all words. Column `method` says which ('fts' | 'ilike')."""
    terms = search_terms(query)
    empty = _frame(con, _SECTION_META_SQL + " WHERE FALSE").with_columns(
        snippet=pl.lit("", pl.String), method=pl.lit("", pl.String))
    if not terms:
        return empty
    hits = _fts_search(con, query, limit, district)
    if hits is not None:
        if hits.height == 0:
            return empty
        ids = [int(x) for x in hits["section_id"].to_list()]
        meta = _frame(con, _SECTION_META_SQL + " WHERE s.section_id IN (SELECT unnest(?::INTEGER[]))", [ids])
        snip = hits.select(pl.col("section_id").cast(pl.Int64),
                           pl.col("snippet").map_elements(marked_to_markdown, return_dtype=pl.String),
                           pl.int_range(pl.len()).alias("_rank"))
        df = meta.with_columns(pl.col("section_id").cast(pl.Int64)).join(snip, on="section_id").sort("_rank")
        df = df.drop("_rank").with_columns(method=pl.lit("fts"))
    else:
        clauses = " AND ".join("(s.text ILIKE ? OR s.heading ILIKE ?)" for _ in terms)
        params = []
        for t in terms:
            params += [f"%{t}%", f"%{t}%"]
        df = _frame(con, _SECTION_META_SQL + f" WHERE {clauses} ORDER BY d.year DESC, d.district, "
                    "s.source_line_start", params)
        df = df.with_columns(
            snippet=pl.Series([make_snippet(t or "", terms) for t in df["text"].to_list()], dtype=pl.String),
            method=pl.lit("ilike"))
    if district:
        df = df.filter(pl.col("district") == district)
    return df.head(limit)


_MARKED = re.compile(f"({re.escape(MARK_OPEN)}[^{re.escape(MARK_CLOSE)}]*{re.escape(MARK_CLOSE)})")


def marked_to_markdown(snippet: str) -> str:
    """The index's snippet (hits marked «like this») as Markdown to show: the document's text
    escaped (shown as text, never as links, colours or formulas), the hits in our own bold."""
    out = []
    for part in _MARKED.split(snippet or ""):
        if part.startswith(MARK_OPEN) and part.endswith(MARK_CLOSE):
            out.append(f"**{md_escape(part[1:-1], inline=True)}**")
        elif part:
            out.append(md_escape(part, inline=True))
    return "".join(out)


def make_snippet(text: str, terms: list[str], width: int = 220) -> str:
    """A window of `text` around the first hit, as Markdown: the document's text escaped
    (shown as text, fmt.md_escape), the hits in our own bold."""
    low = text.lower()
    hits = [low.find(t) for t in terms if low.find(t) >= 0]
    start = max(0, min(hits) - width // 3) if hits else 0
    piece = " ".join(text[start:start + width].split())
    out, pos = [], 0
    if terms:
        rx = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True) if t), re.I)
        for m in rx.finditer(piece):
            out.append(md_escape(piece[pos:m.start()], inline=True) + f"**{md_escape(m.group(0), inline=True)}**")
            pos = m.end()
    out.append(md_escape(piece[pos:], inline=True))
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    return f"{prefix}{''.join(out)}{suffix}"
