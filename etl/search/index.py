"""Swedish full-text search over document sections: our own BM25 index in DuckDB tables.

    search_postings(term_id, section_id, tf)   one row per term and section
    search_lengths(section_id, n_terms)        section length in terms (BM25's |d|)

Terms come from etl/search/terms.py (Snowball Swedish stems, å/ä/ö kept, "-an" folded), so
"förskolan" finds "förskolor" and "målet" finds "mål". The index is built per document:
the parse workers count each section's terms (`document_terms`), the load stage inserts
them with the section ids, and a changed document only replaces its own rows, so an
incremental build does not re-index the city. A full build stages its postings and writes
them sorted by term id once (`start_staging`/`finish_staging`; `optimise_index` sorts an
index built otherwise): DuckDB then skips every row group that cannot hold a query's terms,
and a query reads a few thousand rows instead of millions.

Ranking is Okapi BM25 (k1 = 1.2, b = 0.75, idf = ln(1 + (N - df + 0.5) / (df + 0.5))), any
query word may match (OR), scored over all documents even when a district is chosen.

    search_sections(con, "trygghet")                   # -> polars DataFrame, best match first
    search_sections(con, "trygghet", district="Norrmalm")
"""
from __future__ import annotations

import re
from array import array
from collections.abc import Sequence

import duckdb

from etl.model import SearchTerms, Section
from etl.parse.patterns import MARKUP
from etl.search import terms as T

K1, B = 1.2, 0.75
MARK_OPEN, MARK_CLOSE = "«", "»"
SNIPPET_CHARS = 240

RESULT_COLUMNS = [
    "section_id", "document_id", "heading", "heading_path", "snippet", "score",
    "source_file", "source_line_start", "district", "year", "doc_type",
]
RESULT_TYPES = {                                 # polars dtypes of the result, by name
    "section_id": "Int64", "document_id": "Int64", "heading": "Utf8", "heading_path": "Utf8",
    "snippet": "Utf8", "score": "Float64", "source_file": "Utf8", "source_line_start": "Int64",
    "district": "Utf8", "year": "Int64", "doc_type": "Utf8",
}
_WORD = re.compile(T.WORD.pattern, re.I)        # words with their positions, for snippets


class SearchUnavailable(RuntimeError):
    """The database has no (complete) search index: it was built by an older version, or
    sections were loaded without indexing them."""


# --- building the index ----------------------------------------------------------------------

def document_terms(sections: Sequence[Section]) -> SearchTerms:
    """The index rows of one document's sections (a section's heading and text are indexed)."""
    out = SearchTerms()
    for i, s in enumerate(sections):
        counts = T.term_counts(f"{s.heading}\n{s.text}")
        out.section.extend([i] * len(counts))
        out.term_id.extend(counts.keys())
        out.tf.extend(counts.values())
        out.n_terms.append(sum(counts.values()))
    return out


def as_arrow(values: array):
    import pyarrow as pa

    kind = {"i": pa.int32(), "q": pa.int64()}[values.typecode]
    return pa.Array.from_buffers(kind, len(values), [None, pa.py_buffer(values)])


def insert_terms(con: duckdb.DuckDBPyConnection, batch: list[tuple[SearchTerms, list[int]]],
                 postings: str = "search_postings") -> None:
    """Insert the index rows of several documents: (document_terms(...), section ids), where
    `section_ids[i]` is the id of the document's local section i. `postings`: the table the
    postings go to (a full build gathers them in STAGING and sorts them once at the end)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    rows, lengths = [], []
    for found, section_ids in batch:
        ids = pa.array(section_ids, pa.int32())
        rows.append(pa.table({"term_id": as_arrow(found.term_id),
                              "section_id": pc.take(ids, as_arrow(found.section)),
                              "tf": as_arrow(found.tf)}))
        lengths.append(pa.table({"section_id": ids, "n_terms": as_arrow(found.n_terms)}))
    if not batch:
        return
    con.register("_postings", pa.concat_tables(rows))
    con.register("_lengths", pa.concat_tables(lengths))
    try:
        con.execute(f"INSERT INTO {postings} SELECT term_id, section_id, tf FROM _postings")
        con.execute("INSERT INTO search_lengths SELECT section_id, n_terms FROM _lengths")
    finally:
        con.unregister("_postings")
        con.unregister("_lengths")


def index_missing_sections(con: duckdb.DuckDBPyConnection) -> int:
    """Index the sections that have no index rows yet (e.g. loaded by hand); returns how many."""
    rows = con.execute("""SELECT section_id, heading, text FROM sections
                          WHERE section_id NOT IN (SELECT section_id FROM search_lengths)
                          ORDER BY section_id""").fetchall()
    if rows:
        sections = [Section(h or "", "", t or "", 0, 0) for _, h, t in rows]
        insert_terms(con, [(document_terms(sections), [r[0] for r in rows])])
    return len(rows)


STAGING = "search_postings_unsorted"   # TEMP table: a full build's postings before sorting


def start_staging(con: duckdb.DuckDBPyConnection) -> str:
    """A temporary table for the postings of a full build (returns its name)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE {STAGING} AS SELECT * FROM search_postings LIMIT 0")
    return STAGING


def finish_staging(con: duckdb.DuckDBPyConnection) -> None:
    """Write the staged postings into the index, sorted by term id: written once, so the
    database file holds no free space from a rewrite."""
    con.execute(f"INSERT INTO search_postings SELECT * FROM {STAGING} ORDER BY term_id, section_id")
    con.execute(f"DROP TABLE {STAGING}")


def optimise_index(con: duckdb.DuckDBPyConnection) -> None:
    """Rewrite the postings sorted by term id (row-group skipping at query time)."""
    con.execute("CREATE TEMP TABLE _sorted AS SELECT * FROM search_postings ORDER BY term_id, section_id")
    con.execute("DELETE FROM search_postings")
    con.execute("INSERT INTO search_postings SELECT * FROM _sorted")
    con.execute("DROP TABLE _sorted")


def index_exists(con: duckdb.DuckDBPyConnection) -> bool:
    """Is every section of the database in the search index?"""
    row = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name IN "
                      "('search_postings', 'search_lengths')").fetchone()
    if not row or row[0] != 2:
        return False
    counts = con.execute(
        "SELECT (SELECT count(*) FROM search_lengths), (SELECT count(*) FROM sections)").fetchone()
    return counts is not None and counts[0] == counts[1]


# --- querying --------------------------------------------------------------------------------

def query_term_ids(query: str) -> list[int]:
    return sorted({T.term_id(w) for w in T.query_words(query)})


_SEARCH_SQL = f"""
WITH q AS (SELECT unnest($terms::BIGINT[]) AS term_id),
p AS (SELECT term_id, section_id, tf FROM search_postings WHERE term_id IN (SELECT term_id FROM q)),
df AS (SELECT term_id, count(*) AS df FROM p GROUP BY term_id),
st AS (SELECT count(*) AS n, avg(n_terms) AS avgdl FROM search_lengths),
scored AS (
    SELECT p.section_id,
           sum(ln(1 + (st.n - df.df + 0.5) / (df.df + 0.5))
               * p.tf * ({K1} + 1) / (p.tf + {K1} * (1 - {B} + {B} * l.n_terms / st.avgdl))) AS score
    FROM p JOIN df USING (term_id) JOIN search_lengths l USING (section_id) CROSS JOIN st
    GROUP BY p.section_id
),
best AS (            -- the top hits first, then their text: a common word matches thousands
    SELECT h.section_id, h.score FROM scored AS h
    JOIN sections AS s USING (section_id) JOIN documents AS d USING (document_id)
    WHERE $district IS NULL OR d.district = $district
    ORDER BY h.score DESC, h.section_id
    LIMIT $limit
)
SELECT s.section_id, s.document_id, s.heading, s.heading_path, s.text, b.score,
       d.source_file, s.source_line_start, d.district, d.year, d.doc_type
FROM best AS b
JOIN sections AS s USING (section_id)
JOIN documents AS d ON d.document_id = s.document_id
ORDER BY b.score DESC, s.section_id
"""


def make_snippet(text: str, query_terms: set[str], words: list[re.Match]) -> str:
    """Text around the first hit, with every hit word marked «like this»."""
    if not text:
        return ""
    hits = [i for i, m in enumerate(words) if T.term(m.group(0)) in query_terms]
    if not hits:
        snippet = text[:SNIPPET_CHARS]
        return snippet + ("…" if len(text) > SNIPPET_CHARS else "")
    first = words[hits[0]]
    start = max(0, first.start() - SNIPPET_CHARS // 3)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first.start() else start
    end = min(len(text), start + SNIPPET_CHARS)
    out, pos = [], start
    for i in hits:
        m = words[i]
        if m.start() < start or m.end() > end:
            continue
        out.append(text[pos:m.start()])
        out.append(f"{MARK_OPEN}{m.group(0)}{MARK_CLOSE}")
        pos = m.end()
    out.append(text[pos:end])
    snippet = re.sub(r"\s+", " ", "".join(out)).strip()
    return ("…" if start > 0 else "") + snippet + ("…" if end < len(text) else "")


def search_sections(con: duckdb.DuckDBPyConnection, query: str, limit: int = 20,
                    district: str | None = None):
    """Sections matching a Swedish query (any inflection of its words), best first, as a polars
    DataFrame. Columns: section_id, document_id, heading, heading_path, snippet (hits marked «…»),
    score (BM25), source_file, source_line_start, district, year, doc_type.
    With `district`, only that district's sections (ranked against the whole city's index).
    Raises SearchUnavailable when the database has no search index.
    """
    import polars as pl  # not at module level: the parse workers import this module

    schema = {c: getattr(pl, t) for c, t in RESULT_TYPES.items()}
    ids = query_term_ids(query or "")
    if not ids:
        return pl.DataFrame(schema=schema)
    if not index_exists(con):
        raise SearchUnavailable("The search index has not been built: run the build (python -m etl build).")
    rows = con.execute(_SEARCH_SQL, {"terms": ids, "district": district, "limit": int(limit)}).fetchall()
    query_terms = {T.term(w) for w in T.query_words(query)}
    records = []
    for (sid, did, heading, path, text, score, src, line, dist, year, doc_type) in rows:
        snippet_text = MARKUP.sub("", text or heading)
        snippet = make_snippet(snippet_text, query_terms, list(_WORD.finditer(snippet_text)))
        records.append({
            "section_id": sid, "document_id": did, "heading": heading, "heading_path": path,
            "snippet": snippet, "score": float(score), "source_file": src,
            "source_line_start": line, "district": dist, "year": year, "doc_type": doc_type,
        })
    return pl.DataFrame(records, schema=schema)
