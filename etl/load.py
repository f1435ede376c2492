"""Load stage: ParsedDocuments -> DuckDB tables (etl/schema.sql), with provenance on every row."""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import duckdb

from etl.model import ParsedDocument

SCHEMA = (Path(__file__).parent / "schema.sql").read_text(encoding="utf-8")


def create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(SCHEMA)


def normalise_name(name: str) -> str:
    """Provisional identity key: case, punctuation and spacing folded (issue 4 refines it)."""
    t = unicodedata.normalize("NFC", name).lower()
    t = re.sub(r"(\w)- (\w)", r"\1\2", t)          # hyphenation from wrapping
    t = re.sub(r"[^\wåäöé%]+", " ", t)
    return re.sub(r"\s+", " ", t).strip()


def indicator_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", unicodedata.normalize("NFKD", normalise_name(name)).encode("ascii", "ignore").decode()).strip("-")[:80]


def _section_for(sections: list[dict], line: int) -> int | None:
    from etl.sections import section_index_for_line

    return section_index_for_line(sections, line)


class _Buffer:
    """Rows gathered per table and written with one bulk INSERT each (row-by-row INSERTs
    cost about a millisecond apiece in DuckDB)."""

    def __init__(self) -> None:
        self.rows: dict[str, list[list]] = {}

    def execute(self, sql: str, params: list) -> None:
        table = sql.split()[2]
        self.rows.setdefault(table, []).append(params)

    def flush(self, con: duckdb.DuckDBPyConnection) -> None:
        import pyarrow as pa

        for table, rows in self.rows.items():
            if not rows:
                continue
            cols = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                [table]).fetchall()]
            arrow = pa.table({c: [r[i] for r in rows] for i, c in enumerate(cols[: len(rows[0])])})
            con.register("_bulk", arrow)
            con.execute(f"INSERT INTO {table} ({', '.join(arrow.column_names)}) SELECT * FROM _bulk")
            con.unregister("_bulk")


def load_documents(con: duckdb.DuckDBPyConnection, docs: list[ParsedDocument]) -> dict[str, int]:
    """Insert all documents' records (caller owns the transaction). Returns row counts."""
    counts = dict.fromkeys(["documents", "goals", "indicator_values", "activities", "budget_lines", "sections", "warnings"], 0)
    ids = dict.fromkeys(counts, 0)
    db, con = con, _Buffer()   # `con.execute` below buffers; `db` is the real connection

    def next_id(table: str) -> int:
        ids[table] += 1
        counts[table] += 1
        return ids[table]

    indicator_names: dict[str, tuple[str, str | None]] = {}
    for doc in docs:
        doc_id = None
        if doc.meta is not None:
            doc_id = next_id("documents")
            m = doc.meta
            con.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [doc_id, m.district, m.year, m.doc_type, m.level, m.unit_name, doc.raw.source_file,
                 doc.raw.sha256, doc.raw.flavour, m.detected_by, len(doc.raw.lines)],
            )
            sections = doc.extra.get("sections", [])
            section_ids: list[int] = []
            for s in sections:
                sid = next_id("sections")
                section_ids.append(sid)
                con.execute(
                    "INSERT INTO sections VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [sid, doc_id, s["heading"], s.get("heading_path"), s.get("text"), s["source_line_start"],
                     s["source_line_end"], s.get("source_page")],
                )

            def section_id(line: int) -> int | None:
                idx = _section_for(sections, line) if sections else None
                return section_ids[idx] if idx is not None else None

            goal_ids: dict[int, int] = {}
            for g in doc.goals:
                gid = next_id("goals")
                goal_ids[g.key] = gid
                con.execute(
                    "INSERT INTO goals VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [gid, doc_id, g.level, g.code, g.text, g.assessment, g.assessment_raw, g.parent_code,
                     goal_ids.get(g.parent_key) if g.parent_key is not None else None,
                     section_id(g.source_line), g.source_line, g.source_page],
                )
            for r in doc.indicators:
                goal = doc.goals[r.goal_key] if r.goal_key is not None else None
                kf_goal = _ancestor(doc, r.goal_key, "kf_mal")
                namnd = _ancestor(doc, r.goal_key, "namndmal")
                key = indicator_key(r.name)
                indicator_names.setdefault(key, (r.name, r.unit))
                con.execute(
                    "INSERT INTO indicator_values VALUES (" + ", ".join(["?"] * 28) + ")",
                    [next_id("indicator_values"), doc_id, key, r.name,
                     goal_ids.get(r.goal_key) if r.goal_key is not None else None,
                     goal.level if goal else None,
                     kf_goal.code if kf_goal else None, namnd.text if namnd else None,
                     r.target.value, r.target.raw, r.kf_target.value, r.kf_target.raw, r.unit, r.periodicity,
                     r.outcome.value, r.outcome.raw, r.outcome_men.value, r.outcome_men.raw,
                     r.outcome_women.value, r.outcome_women.raw, r.prior_outcome.value, r.prior_outcome.raw,
                     r.prior_year, r.analysis, section_id(r.source_line), r.source_line, r.source_line_end,
                     r.source_page],
                )
            for a in doc.activities:
                con.execute(
                    "INSERT INTO activities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [next_id("activities"), doc_id, goal_ids.get(a.goal_key) if a.goal_key is not None else None,
                     doc.goals[a.goal_key].code if a.goal_key is not None else None,
                     a.text, a.start_date, a.end_date, a.deviation, a.source_line, a.source_page, a.analysis],
                )
            for b in doc.extra.get("budget_lines", []):
                con.execute(
                    "INSERT INTO budget_lines VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [next_id("budget_lines"), doc_id, b.get("table_title"), b.get("section"), b["row_label"],
                     b.get("area"), b["column_label"], b.get("value"), b.get("value_raw"), b.get("unit"),
                     b["source_line"], b.get("source_page")],
                )
        for w in doc.warnings:
            con.execute(
                "INSERT INTO warnings VALUES (?, ?, ?, ?, ?, ?)",
                [next_id("warnings"), doc_id, doc.raw.source_file, w.stage, w.message, w.source_line],
            )
    for key, (name, unit) in indicator_names.items():
        con.execute("INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?)", [key, name, unit, None, None, None])
    con.flush(db)
    return counts


def _ancestor(doc: ParsedDocument, key: int | None, level: str):
    while key is not None:
        g = doc.goals[key]
        if g.level == level:
            return g
        key = g.parent_key
    return None
