"""KF:s årsmål reconciled per indicator identity and year: the city's target is the same for
every district, so a printed KF target that disagrees with the others is listed, and an
empty one is filled from the districts that print it (kf_target_checks)."""
from __future__ import annotations

from collections import defaultdict

from etl.derive.tables import insert_rows
from etl.model import ParseWarning


def _fmt(v: float | None) -> str:
    if v is None:
        return "–"
    return f"{v:g}".replace(".", ",")


# KF targets printed next to a district target are unambiguous evidence (one definition for
# the agreement checks and the disagreement report).
_EVIDENCE = """evidence AS (
    SELECT DISTINCT v.indicator_id, d.year, round(v.kf_target, 6) AS kf, d.district
    FROM indicator_values v JOIN documents d USING (document_id)
    WHERE v.kf_target IS NOT NULL AND v.target_raw IS NOT NULL AND v.target_raw <> ''
)"""

_KF_SQL = f"""
CREATE OR REPLACE TEMP TABLE _kf AS
WITH r AS (
    SELECT v.value_id, v.indicator_id, v.target, v.target_raw, v.kf_target, v.kf_target_raw,
           d.district, d.year, d.doc_type,
           row_number() OVER (ORDER BY v.indicator_id, d.year, d.district, d.source_file,
                                       v.source_line, v.value_id) AS rn
    FROM indicator_values v JOIN documents d USING (document_id)
),
{_EVIDENCE},
per_year AS (
    SELECT indicator_id, year, count(DISTINCT kf) AS n_values, min(kf) AS consensus,
           list(DISTINCT district) AS agreeing
    FROM evidence GROUP BY indicator_id, year
),
rows AS (
    SELECT r.*, p.consensus, list_sort(list_filter(p.agreeing, x -> x <> r.district)) AS others,
           r.target IS NOT NULL AND r.kf_target IS NULL AND trim(coalesce(r.kf_target_raw, '')) = '' AS single_target,
           r.kf_target IS NOT NULL AND trim(coalesce(r.target_raw, '')) = '' AS single_kf
    FROM r JOIN per_year p USING (indicator_id, year)
    WHERE p.n_values = 1
)
SELECT value_id, indicator_id, year, district, target, kf_target, consensus, others, rn,
       CASE WHEN single_target AND len(others) > 0 AND doc_type = 'verksamhetsplan'
                 THEN CASE WHEN round(target, 6) = consensus THEN 'filled_equal' ELSE 'filled' END
            WHEN single_kf AND len(others) > 0 AND round(kf_target, 6) <> consensus THEN 'check_differs'
            WHEN kf_target IS NOT NULL THEN 'agrees'
       END AS status
FROM rows
"""

_KF_DISAGREE_SQL = f"""
WITH {_EVIDENCE}
SELECT indicator_id, year, kf, list(district ORDER BY district) AS districts
FROM evidence
WHERE (indicator_id, year) IN (SELECT (indicator_id, year) FROM evidence GROUP BY ALL HAVING count(DISTINCT kf) > 1)
GROUP BY ALL ORDER BY indicator_id, year, kf
"""

CHECK_COLUMNS = ["indicator_id", "year", "value_id", "district", "printed_kf_target", "consensus_kf_target",
                 "status", "note"]


def reconcile_kf_targets(con, names: dict[str, str]) -> list[ParseWarning]:
    """KF:s årsmål is the same for every district in a year. Per identity and year: store a
    warning where districts print different KF targets; where they agree, fill a plan's
    empty KF:s årsmål on a single-value row (only a district årsmål printed), and flag a
    single value printed as KF:s årsmål that differs from what the other districts print.
    The row-by-row work is SQL; Python only words the notes of the rows that need one."""
    found: list[tuple[tuple, ParseWarning]] = []     # (sort key, warning)
    checks: list[tuple] = []
    disagree: dict[tuple[str, int], list[tuple[float, list[str]]]] = defaultdict(list)
    for ident, year, kf, districts in con.execute(_KF_DISAGREE_SQL).fetchall():
        disagree[(ident, year)].append((kf, districts))
    for (ident, year), printed in disagree.items():
        detail = "; ".join(f"{_fmt(v)} ({', '.join(ds)})" for v, ds in printed)
        found.append(((ident, year, 0), ParseWarning("indicators", f"KF:s årsmål {year} differs between districts for "
                                                               f"{names.get(ident, ident)!r}: {detail}")))
        checks.extend((ident, year, None, d, v, None, "disagree", detail) for v, ds in printed for d in ds)

    con.execute(_KF_SQL)
    for value_id, ident, year, district, _target, kf, consensus, others, rn, status in con.execute(
            "SELECT value_id, indicator_id, year, district, target, kf_target, consensus, others, rn, status "
            "FROM _kf WHERE status IN ('filled', 'filled_equal', 'check_differs') ORDER BY rn").fetchall():
        name = names.get(ident, ident)
        if status == "check_differs":
            note = (f"single value {_fmt(kf)} read as KF:s årsmål, other districts print "
                    f"{_fmt(consensus)}: it may be the district's own årsmål")
            checks.append((ident, year, value_id, district, kf, consensus, status, note))
            found.append(((ident, year, rn), ParseWarning("indicators", f"{district} {year}: {name!r}: {note}")))
            continue
        note = f"KF:s årsmål {_fmt(consensus)} from {', '.join(others)}"
        if status == "filled_equal":
            note += "; the single printed value equals it and may be KF:s årsmål, not the district's"
        checks.append((ident, year, value_id, district, None, consensus, status, note))
        found.append(((ident, year, rn), ParseWarning("indicators", f"{district} {year}: {name!r}: filled empty {note}")))
    con.execute("UPDATE indicator_values SET kf_target = k.consensus FROM _kf k "
                "WHERE indicator_values.value_id = k.value_id AND k.status IN ('filled', 'filled_equal')")
    con.execute("DELETE FROM kf_target_checks")
    insert_rows(con, "kf_target_checks", CHECK_COLUMNS, checks)
    con.execute("INSERT INTO kf_target_checks SELECT indicator_id, year, value_id, district, kf_target, consensus, "
                "'agrees', NULL FROM _kf WHERE status = 'agrees'")
    con.execute("DROP TABLE _kf")
    return [w for _, w in sorted(found, key=lambda f: f[0])]
