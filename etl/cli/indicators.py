"""`python -m etl indicators`: the indicator catalogue and the matches a person should review.

Reads the tables written by etl/derive/identity.py (indicators, indicator_matches, kf_target_checks).
"""
from __future__ import annotations

from pathlib import Path

import click
import duckdb

from etl import settings
from etl.derive.names import name_key
from etl.derive.overrides import load_overrides

DEFAULT_DB_SHOWN = "data/stadsdelar.duckdb"
SECTIONS = ("summary", "identities", "merges", "review", "kf", "overrides")
DEFAULT_OVERRIDES = settings.DATA_DIR / "indicator_overrides.csv"


def _rows(con, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def _short(text: str | None, width: int) -> str:
    text = text or ""
    return text if len(text) <= width else text[: width - 1] + "…"


def _score(v: float | None) -> str:
    return "  –  " if v is None else f"{v:5.1f}".replace(".", ",")


def override_lines(con, overrides_path: Path | None) -> list[str]:
    """Override rows whose names are not printed in the documents of this database (a typo,
    or documents not in this build)."""
    overrides, problems = load_overrides(overrides_path)
    printed = {name_key(n).full for (n,) in _rows(con, "SELECT DISTINCT name FROM indicator_values")}
    ids = {i for (i,) in _rows(con, "SELECT indicator_id FROM indicators")}
    out = [f"  {w.message}" for w in problems]
    for o in overrides:
        missing = [n for n in ([o.printed_name] + ([o.value] if o.action in ("same_as", "not_same") else []))
                   if name_key(n).full not in printed and n not in ids]
        if missing:
            out.append(f"  line {o.line}: {o.printed_name!r} {o.action} {o.value!r}: not printed: "
                       + ", ".join(map(repr, missing)))
    head = (f"OVERRIDES ({overrides_path}): {len(out) - len(problems)} of {len(overrides)} override rows "
            "match nothing in this database")
    return [head] + out


def report_lines(con, sections: tuple[str, ...] = SECTIONS, width: int = 110,
                 overrides_path: Path | None = DEFAULT_OVERRIDES) -> list[str]:
    """The report as lines of text (the command prints them; tests read them)."""
    out: list[str] = []
    n_printed, n_variants = _rows(con, "SELECT count(DISTINCT printed_name), count(*) FROM indicator_matches")[0]
    n_ident = _rows(con, "SELECT count(*) FROM indicators")[0][0]
    merged = _rows(con, """SELECT indicator_id FROM indicator_matches GROUP BY 1
                           HAVING count(DISTINCT printed_name) > 1""")
    review, seen = [], set()
    for r in _rows(con, """SELECT printed_name, unit, indicator_id, coalesce(candidate_score, score),
                                  candidate_name, candidate_id, reason, districts, years, goals, method
                           FROM indicator_matches WHERE needs_review
                           ORDER BY coalesce(candidate_score, score, 0) DESC, printed_name, unit"""):
        pair = frozenset([(r[0], r[2]), (r[4], r[5])]) if r[4] else (r[0], r[1])
        if pair not in seen:
            seen.add(pair)
            review.append(r[:10])
    if "summary" in sections:
        out += [f"{n_printed} printed names ({n_variants} name/unit variants) -> {n_ident} identities; "
                f"{len(merged)} identities merge several printings; {len(review)} matches to review."]
    if "identities" in sections:
        out += ["", "IDENTITIES (districts, years, rows; unit, direction, KF = city council indicator)"]
        for ident, name, unit, direction, is_kf, gender, nd, years, nrows in _rows(con, """
                SELECT i.indicator_id, i.name, i.unit, i.direction, i.is_kf, i.gender_split,
                       count(DISTINCT d.district), string_agg(DISTINCT CAST(d.year AS VARCHAR), ',' ORDER BY CAST(d.year AS VARCHAR)),
                       count(v.value_id)
                FROM indicators i
                LEFT JOIN indicator_values v USING (indicator_id)
                LEFT JOIN documents d USING (document_id)
                GROUP BY ALL ORDER BY count(DISTINCT d.district) DESC, i.name"""):
            flags = ", ".join(x for x in (unit or "no unit", direction, "KF" if is_kf else None,
                                          "by gender" if gender else None) if x)
            out.append(f"  {nd} distr  {years or '':<15} {nrows:>3} rows  {_short(name, width - 40)}  [{flags}]")
            out.append(f"  {'':<32}id: {ident}")
    if "merges" in sections:
        out += ["", "MERGED PRINTINGS (method, score = rapidfuzz ratio 0-100)"]
        for (ident,) in sorted(merged):
            out.append(f"  {ident}")
            for name, unit, method, score, dists, years in _rows(con, """
                    SELECT printed_name, unit, method, score, districts, years FROM indicator_matches
                    WHERE indicator_id = ? ORDER BY method = 'exact' DESC, printed_name""", [ident]):
                out.append(f"    {method:<10} {_score(score)}  {_short(name, width - 30)} [{unit or '-'}; {dists} {years}]")
    if "review" in sections:
        out += ["", "TO REVIEW (score = rapidfuzz ratio 0-100). If two names are one indicator, add to "
                "data/indicator_overrides.csv:  <printed name>,same_as,<other printed name>"]
        if not review:
            out.append("  nothing to review")
        for name, unit, ident, score, cand, cand_id, reason, dists, years, goals in review:
            out.append(f"  {_score(score)}  {_short(name, width - 10)}  [{unit or '-'}; {dists} {years}]")
            if cand:
                out.append(f"         ~ {_short(cand, width - 12)}")
            out.append(f"         {_short(reason, width - 10)}; ids {ident} / {cand_id or '-'}")
            if goals:
                out.append(f"         goal: {_short(goals, width - 16)}")
    if "kf" in sections:
        kf = _rows(con, """SELECT status, count(*) FROM kf_target_checks GROUP BY 1 ORDER BY 1""")
        out += ["", "KF:S ÅRSMÅL RECONCILIATION: " + (", ".join(f"{s} {n}" for s, n in kf) or "nothing to check")]
        for ident, year, note in _rows(con, """
                SELECT DISTINCT indicator_id, year, note FROM kf_target_checks
                WHERE status <> 'agrees' ORDER BY 1, 2"""):
            out.append(f"  {year} {ident}: {_short(note, width - 20)}")
    if "overrides" in sections:
        out += [""] + override_lines(con, overrides_path)
    return out


@click.command("indicators")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              default=lambda: str(settings.db_path()), show_default=DEFAULT_DB_SHOWN,
              help="DuckDB file written by `python -m etl build` (env STADSDEL_DB).")
@click.option("--section", "sections", type=click.Choice(SECTIONS), multiple=True,
              help="Print only these sections (repeatable). Default: all.")
@click.option("--width", default=110, show_default=True, help="Truncate long names to this width.")
@click.option("--overrides", "overrides_path", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_OVERRIDES, show_default="data/indicator_overrides.csv",
              help="Curated override file to check against the database.")
def indicators_command(db_path: Path, sections: tuple[str, ...], width: int, overrides_path: Path) -> None:
    """Print the indicator identities with their district/year coverage, the printed names
    merged into each, and the uncertain matches a person should review (with scores).

    Example: python -m etl indicators --db data/stadsdelar.duckdb --section review
    """
    if not db_path.exists():
        raise click.ClickException(f"{db_path} does not exist; run `python -m etl build` first")
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "indicator_matches" not in tables:
            raise click.ClickException(f"{db_path} has no indicator_matches table; rebuild it with "
                                       "`python -m etl build` (identity resolution runs in the build)")
        for line in report_lines(con, sections or SECTIONS, width, overrides_path):
            click.echo(line)
    finally:
        con.close()
