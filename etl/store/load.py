"""Load stage: ParsedDocuments -> DuckDB tables (etl/store/schema.sql), with provenance on every row.

`Loader` streams documents into the tables: rows are gathered per table as columns and
written in bulk (through Arrow) every few hundred thousand rows, so a build holds only a
batch of documents in memory, never the whole city. Ids continue after the largest id
already in the database, so an incremental build can add documents to a copy of the
previous database. `delete_files` removes everything one input file contributed.
"""
from __future__ import annotations

import json
from pathlib import Path

import duckdb

from etl.model import ParsedDocument, ParseWarning, SearchTerms
from etl.search.index import insert_terms

SCHEMA = (Path(__file__).parent / "schema.sql").read_text(encoding="utf-8")

# Columns the loader writes, per table (the rest of each table is filled by later stages).
COLUMNS = {
    "documents": ["document_id", "district", "year", "doc_type", "level", "unit_name", "source_file", "sha256",
                  "text_flavour", "detected_by", "n_lines"],
    "sections": ["section_id", "document_id", "heading", "heading_path", "text", "source_line_start",
                 "source_line_end", "source_page"],
    "goals": ["goal_id", "document_id", "level", "code", "text", "assessment", "assessment_raw", "parent_code",
              "parent_goal_id", "section_id", "source_line", "source_page", "source_box"],
    "indicator_values": ["value_id", "document_id", "indicator_id", "name", "goal_id", "goal_level", "kf_goal_code",
                         "namndmal", "target", "target_raw", "kf_target", "kf_target_raw", "unit", "periodicity",
                         "outcome", "outcome_raw", "outcome_men", "outcome_men_raw", "outcome_women",
                         "outcome_women_raw", "prior_outcome", "prior_outcome_raw", "prior_year", "analysis",
                         "section_id", "source_line", "source_line_end", "source_page", "source_box", "cell_boxes"],
    "activities": ["activity_id", "document_id", "goal_id", "goal_code", "text", "start_date", "end_date",
                   "deviation", "source_line", "source_page", "source_box", "analysis"],
    "budget_lines": ["budget_line_id", "document_id", "table_title", "section", "row_label", "area", "column_label",
                     "value", "value_raw", "unit", "source_line", "source_page", "source_box", "table_no"],
    "warnings": ["warning_id", "document_id", "source_file", "stage", "message", "source_line"],
}


def _json(box) -> str | None:
    """A PDF box (or a dict of them) as JSON text; None for text documents."""
    return None if box is None else json.dumps(box, ensure_ascii=False)


ID_COLUMN = {"documents": "document_id", "sections": "section_id", "goals": "goal_id", "indicator_values": "value_id",
             "activities": "activity_id", "budget_lines": "budget_line_id", "warnings": "warning_id"}
COUNTED = ("documents", "goals", "indicator_values", "activities", "budget_lines", "sections", "warnings")
FLUSH_ROWS = 200_000      # rows gathered before a bulk insert (search postings included)


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA)


class Loader:
    """Adds documents to the tables in batches; call `flush()` at the end for the last batch."""

    def __init__(self, con: duckdb.DuckDBPyConnection, flush_rows: int = FLUSH_ROWS,
                 postings: str = "search_postings"):
        self.con = con
        self.flush_rows = flush_rows
        self.postings = postings          # where search postings go (etl.search.index.insert_terms)
        self.rows: dict[str, dict[str, list]] = {t: {c: [] for c in cols} for t, cols in COLUMNS.items()}
        self.terms: list[tuple[SearchTerms, list[int]]] = []   # search index rows, per document
        self.pending = 0
        self.counts = dict.fromkeys(COUNTED, 0)
        self.next_id = {t: self._max_id(t, col) + 1 for t, col in ID_COLUMN.items()}

    def _max_id(self, table: str, col: str) -> int:
        row = self.con.execute(f"SELECT coalesce(max({col}), 0) FROM {table}").fetchone()
        assert row is not None          # an aggregate without GROUP BY returns one row
        return int(row[0])

    def _add(self, table: str, values: list) -> int | None:
        cols = self.rows[table]
        new_id = None
        if table in self.next_id:
            new_id = self.next_id[table]
            self.next_id[table] += 1
            values = [new_id, *values]
        for c, v in zip(COLUMNS[table], values):
            cols[c].append(v)
        if table in self.counts:
            self.counts[table] += 1
        self.pending += 1
        return new_id

    def _add_keyed(self, table: str, values: list) -> int:
        """`_add` for a table with an id column (ID_COLUMN): returns the new row's id."""
        new_id = self._add(table, values)
        assert new_id is not None       # every table in ID_COLUMN gets an id
        return new_id

    def add(self, doc: ParsedDocument) -> int | None:
        """Queue one document's rows; returns its document_id (None for a skipped file,
        whose warnings are still stored)."""
        doc_id = None
        if doc.meta is not None:
            doc_id = self._add_document(doc)
        for w in doc.warnings:
            self.add_warning(doc.raw.source_file, w, doc_id)
        if self.pending >= self.flush_rows:
            self.flush()
        return doc_id

    def add_warning(self, source_file: str, w: ParseWarning, document_id: int | None = None) -> None:
        self._add("warnings", [document_id, source_file, w.stage, w.message, w.source_line])

    def _add_document(self, doc: ParsedDocument) -> int:
        m, add, add_keyed = doc.meta, self._add, self._add_keyed
        assert m is not None            # add() calls this for a detected document only
        doc_id = add_keyed("documents", [m.district, m.year, m.doc_type, m.level, m.unit_name, doc.raw.source_file,
                                         doc.raw.sha256, doc.raw.flavour, m.detected_by, doc.raw.n_lines])
        section_ids = [add_keyed("sections", [doc_id, s.heading, s.heading_path, s.text, s.source_line_start,
                                              s.source_line_end, s.source_page])
                       for s in doc.sections]
        self.terms.append((doc.search_terms, section_ids))
        self.pending += len(doc.search_terms.term_id)

        def section_id(no: int | None) -> int | None:
            return section_ids[no] if no is not None else None

        goal_ids: dict[int, int] = {}
        for g in doc.goals:
            goal_ids[g.key] = add_keyed("goals", [
                doc_id, g.level, g.code, g.text, g.assessment, g.assessment_raw, g.parent_code,
                goal_ids.get(g.parent_key) if g.parent_key is not None else None,
                section_id(g.section_no), g.source_line, g.source_page, _json(g.source_box)])
        for r in doc.indicators:
            goal = doc.goals[r.goal_key] if r.goal_key is not None else None
            add("indicator_values", [
                doc_id, r.name_key, r.name,        # provisional: etl.derive.identity gives the identity
                goal_ids.get(r.goal_key) if r.goal_key is not None else None,
                goal.level if goal else None, r.kf_goal_code, r.namnd_goal_text,
                r.target.value, r.target.raw, r.kf_target.value, r.kf_target.raw, r.unit, r.periodicity,
                r.outcome.value, r.outcome.raw, r.outcome_men.value, r.outcome_men.raw,
                r.outcome_women.value, r.outcome_women.raw, r.prior_outcome.value, r.prior_outcome.raw,
                r.prior_year, r.analysis, section_id(r.section_no), r.source_line, r.source_line_end,
                r.source_page, _json(r.source_box), _json(r.cell_boxes)])
        for a in doc.activities:
            add("activities", [
                doc_id, goal_ids.get(a.goal_key) if a.goal_key is not None else None,
                doc.goals[a.goal_key].code if a.goal_key is not None else None,
                a.text, a.start_date, a.end_date, a.deviation, a.source_line, a.source_page, _json(a.source_box),
                a.analysis])
        for b in doc.budget_lines:
            add("budget_lines", [
                doc_id, b.table_title, b.section, b.row_label, b.area, b.column_label, b.value, b.value_raw,
                b.unit, b.source_line, b.source_page, _json(b.source_box), b.table_no])
        return doc_id

    def flush(self) -> None:
        import pyarrow as pa

        for table, cols in self.rows.items():
            n = len(next(iter(cols.values())))
            if not n:
                continue
            types = self._arrow_types(table)
            arrow = pa.table({c: pa.array(v, type=types[c]) for c, v in cols.items()})
            self.con.register("_bulk", arrow)
            try:
                self.con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _bulk")
            finally:
                self.con.unregister("_bulk")
            for v in cols.values():
                v.clear()
        insert_terms(self.con, self.terms, self.postings)
        self.terms.clear()
        self.pending = 0

    _types: dict[str, dict] = {}

    def _arrow_types(self, table: str) -> dict:
        """Arrow types of a table's columns (so an all-NULL batch still has the right type),
        read once per process for all tables."""
        if not Loader._types:
            import pyarrow as pa

            to_arrow = {"INTEGER": pa.int32(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(),
                        "VARCHAR": pa.string(), "BOOLEAN": pa.bool_()}
            for t, c, kind in self.con.execute("SELECT table_name, column_name, data_type FROM duckdb_columns() "
                                               "WHERE database_name = current_database()").fetchall():
                if kind in to_arrow:
                    Loader._types.setdefault(t, {})[c] = to_arrow[kind]
        return Loader._types[table]


def delete_files(con: duckdb.DuckDBPyConnection, source_files: list[str]) -> None:
    """Remove every row that these input files contributed (documents and all their records,
    their search index rows, their warnings)."""
    if not source_files:
        return
    con.execute("CREATE OR REPLACE TEMP TABLE _gone_docs AS SELECT document_id FROM documents "
                "WHERE source_file IN (SELECT unnest(?::VARCHAR[]))", [source_files])
    con.execute("CREATE OR REPLACE TEMP TABLE _gone_sections AS SELECT section_id FROM sections "
                "WHERE document_id IN (SELECT document_id FROM _gone_docs)")
    for table in ("search_postings", "search_lengths"):
        con.execute(f"DELETE FROM {table} WHERE section_id IN (SELECT section_id FROM _gone_sections)")
    for table in ("sections", "goals", "indicator_values", "activities", "budget_lines"):
        con.execute(f"DELETE FROM {table} WHERE document_id IN (SELECT document_id FROM _gone_docs)")
    con.execute("DELETE FROM warnings WHERE source_file IN (SELECT unnest(?::VARCHAR[]))", [source_files])
    con.execute("DELETE FROM build_files WHERE source_file IN (SELECT unnest(?::VARCHAR[]))", [source_files])
    con.execute("DELETE FROM documents WHERE document_id IN (SELECT document_id FROM _gone_docs)")
    con.execute("DROP TABLE _gone_docs")
    con.execute("DROP TABLE _gone_sections")

