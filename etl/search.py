"""Swedish full-text search over document sections (DuckDB fts, BM25 ranking).

The fts extension is not built into the duckdb wheel and cannot be downloaded at run time
here; the ``duckdb-extension-fts`` wheel (pinned in pyproject.toml) carries the binary, and
we LOAD it from its file path inside site-packages, so this works offline on a fresh
machine. The index uses the Snowball Swedish stemmer and keeps å/ä/ö (``strip_accents=0``; the
tokeniser keeps Swedish letters). Snowball's Swedish stemmer does not remove the definite
singular "-an" of first-declension nouns ("förskolan" stays "förskolan" while "förskola",
"förskolor", "förskolorna" become "förskol"), so words are first normalised ("förskolan" ->
"förskola", "förskolans" -> "förskolas") in both the indexed text and the query. The
normalised text lives in a derived table ``sections_search`` (section_id, body), rebuilt
with the index; ``sections`` itself is unchanged.

    create_index(con)                       # after the sections table is loaded
    search_sections(con, "trygghet")        # -> polars DataFrame, best match first
"""
from __future__ import annotations

import glob
import importlib.util
import os
import re

import duckdb
import polars as pl

TABLE = "sections"
SEARCH_TABLE = "sections_search"           # derived: normalised heading + text per section
FTS_SCHEMA = "fts_main_sections_search"
STEMMER = "swedish"
# Characters that separate words (everything but letters, incl. Swedish and accented ones, and digits).
IGNORE = r"(\.|[^a-z0-9åäöéèüáàæø])+"
MARK_OPEN, MARK_CLOSE = "«", "»"
SNIPPET_CHARS = 240

RESULT_COLUMNS = [
    "section_id", "document_id", "heading", "heading_path", "snippet", "score",
    "source_file", "source_line_start", "district", "year", "doc_type",
]
RESULT_SCHEMA = {
    "section_id": pl.Int64, "document_id": pl.Int64, "heading": pl.Utf8, "heading_path": pl.Utf8,
    "snippet": pl.Utf8, "score": pl.Float64, "source_file": pl.Utf8, "source_line_start": pl.Int64,
    "district": pl.Utf8, "year": pl.Int64, "doc_type": pl.Utf8,
}
MARKUP = re.compile(r"<[^>]+>|\*\*|__")         # Markdown/HTML emphasis in .md documents
_WORD = re.compile(r"[A-Za-z0-9ÅÄÖåäöÉéÈèÜüÁáÀàÆæØø]+")


class SearchUnavailable(RuntimeError):
    """The fts extension cannot be loaded, or the search index has not been built."""


def fts_extension_path() -> str:
    """File path of the fts extension binary shipped in the duckdb-extension-fts wheel."""
    spec = importlib.util.find_spec("duckdb_extension_fts")
    if spec is None or not spec.submodule_search_locations:
        raise SearchUnavailable(
            "Full-text search needs the Python package 'duckdb-extension-fts' (same version as duckdb, "
            f"{duckdb.__version__}); install the project's pinned dependencies.")
    root = list(spec.submodule_search_locations)[0]
    exact = os.path.join(root, "extensions", f"v{duckdb.__version__}", "fts.duckdb_extension")
    if os.path.exists(exact):
        return exact
    found = sorted(glob.glob(os.path.join(root, "extensions", "*", "fts.duckdb_extension")))
    if not found:
        raise SearchUnavailable(f"No fts.duckdb_extension under {root}/extensions.")
    return found[-1]


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load the fts extension into this connection from the wheel's file (no download)."""
    try:
        con.execute("LOAD fts")        # already installed/loaded on this machine
        return
    except duckdb.Error:
        pass
    path = fts_extension_path()
    try:
        con.execute(f"LOAD '{_sql_str(path)}'")
    except duckdb.Error as exc:
        raise SearchUnavailable(
            f"Could not load DuckDB's fts extension from {path} (duckdb {duckdb.__version__}): {exc}. "
            "The packages duckdb and duckdb-extension-fts must have the same version.") from exc


def _sql_str(text: str) -> str:
    # A file path (from site-packages) inside a LOAD statement, which takes no parameters.
    return text.replace("'", "''")


def normalise_word(word: str) -> str:
    """Lower-case a word and turn a definite singular "-an(s)" into "-a(s)" (see module doc)."""
    w = word.lower()
    if len(w) >= 6 and w.endswith("ans"):
        return w[:-2] + "s"
    if len(w) >= 6 and w.endswith("an"):
        return w[:-1]
    return w


_AN_WORD = re.compile(r"\b\w+ans?\b", re.I)


def normalise_text(text: str) -> str:
    """normalise_word on every word: lower-case all, then rewrite only the words in -an(s)."""
    return _AN_WORD.sub(lambda m: normalise_word(m.group(0)), (text or "").lower())


def create_index(con: duckdb.DuckDBPyConnection) -> None:
    """Build (or rebuild) the BM25 index over the sections' headings and text."""
    load_fts(con)
    rows = con.execute(f"SELECT section_id, heading, text FROM {TABLE} ORDER BY section_id").fetchall()
    con.execute(f"CREATE OR REPLACE TABLE {SEARCH_TABLE} (section_id INTEGER PRIMARY KEY, body VARCHAR)")
    if rows:
        frame = pl.DataFrame(
            {"section_id": [r[0] for r in rows],
             "body": [normalise_text(f"{heading}\n{text or ''}") for _, heading, text in rows]},
            schema={"section_id": pl.Int32, "body": pl.Utf8},
        )
        con.register("_sections_search_rows", frame.to_arrow())
        try:
            con.execute(f"INSERT INTO {SEARCH_TABLE} SELECT section_id, body FROM _sections_search_rows")
        finally:
            con.unregister("_sections_search_rows")
    con.execute(
        f"PRAGMA create_fts_index('{SEARCH_TABLE}', 'section_id', 'body', "
        f"stemmer='{STEMMER}', stopwords='none', ignore='{IGNORE}', "
        f"strip_accents=0, lower=1, overwrite=1)"
    )


def index_exists(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_schemas() WHERE schema_name = ?", [FTS_SCHEMA]
    ).fetchone()
    return bool(row and row[0])


def stems(con: duckdb.DuckDBPyConnection, words: list[str]) -> list[str]:
    """The Swedish stems of words, as the index computes them."""
    if not words:
        return []
    row = con.execute(
        "SELECT list_transform(?::VARCHAR[], w -> stem(w, ?))", [[normalise_word(w) for w in words], STEMMER]
    ).fetchone()
    return list(row[0]) if row else []


def make_snippet(text: str, word_stems: list[str], query_stems: set[str], words: list[re.Match]) -> str:
    """Text around the first hit, with every hit word marked «like this»."""
    hits = [i for i, s in enumerate(word_stems) if s in query_stems]
    if not text:
        return ""
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


def search_sections(con: duckdb.DuckDBPyConnection, query: str, limit: int = 20) -> pl.DataFrame:
    """Sections matching a Swedish query (any inflection of its words), best first.

    Columns: section_id, document_id, heading, heading_path, snippet (hits marked «…»),
    score (BM25), source_file, source_line_start, district, year, doc_type.
    Raises SearchUnavailable when the extension cannot load or the index was not built.
    """
    query = (query or "").strip()
    if not query:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    load_fts(con)
    if not index_exists(con):
        raise SearchUnavailable("The search index has not been built: run the build (python -m etl build).")
    sql = f"""
        SELECT s.section_id, s.document_id, s.heading, s.heading_path, s.text, h.score,
               d.source_file, s.source_line_start, d.district, d.year, d.doc_type
        FROM (SELECT section_id, {FTS_SCHEMA}.match_bm25(section_id, ?) AS score FROM {SEARCH_TABLE}) AS h
        JOIN {TABLE} AS s USING (section_id)
        JOIN documents AS d ON d.document_id = s.document_id
        WHERE h.score IS NOT NULL
        ORDER BY h.score DESC, s.section_id
        LIMIT ?
    """
    rows = con.execute(sql, [normalise_text(query), int(limit)]).fetchall()
    query_stems = set(stems(con, [w.lower() for w in _WORD.findall(query)]))
    records = []
    for (sid, did, heading, path, text, score, src, line, district, year, doc_type) in rows:
        snippet_text = MARKUP.sub("", text or heading)
        s_words = list(_WORD.finditer(snippet_text))
        snippet = make_snippet(snippet_text, stems(con, [m.group(0) for m in s_words]), query_stems, s_words)
        records.append({
            "section_id": sid, "document_id": did, "heading": heading, "heading_path": path,
            "snippet": snippet, "score": float(score), "source_file": src,
            "source_line_start": line, "district": district, "year": year, "doc_type": doc_type,
        })
    if not records:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    return pl.DataFrame(records, schema=RESULT_SCHEMA)
