"""Indicator identity: printed indicator names -> one identity per indicator.

The documents print the same indicator with small differences (wrapped or hyphenated
words, "Andel"/"Andelen", a parenthesised qualifier added one year, a renamed indicator
after a new city budget). This module gives every printed row an `indicator_id`
(the name rules are in etl/derive/names.py, the overrides in etl/derive/overrides.py, the KF
target reconciliation that follows in etl/derive/kf_targets.py):

1. normalise  — whitespace, hyphenation ("ekono- miskt"), quotes, "Andelen" -> "Andel",
                a trailing "ökar"/"minskar" (kept as a direction hint), trailing punctuation;
                a trailing "(...)" is kept apart as the *qualifier*;
2. compare    — light Swedish stemming of the words, then rapidfuzz similarity. Thresholds
                were measured on the seed documents (see MEASURED below);
3. override   — data/indicator_overrides.csv (a staff member's corrections) wins.

Rules, in the order they are applied while clustering printed names (union-find with
cannot-link constraints):
- two printed names whose units differ are never merged (not even by an override);
- names printed in the same indicator table (same document and goal) are different
  indicators: a table never lists one indicator twice;
- different trailing qualifiers ("(ekonomiskt bistånd)" vs "(socialpsykiatri)") are
  different indicators; a bare name joins a qualified one only if exactly one qualified
  variant of that base exists (otherwise it is listed for review);
- a word *substituted* by another ("idrottsaktiviteter"/"kulturaktiviteter", "före"/"efter")
  means a different indicator; a word *added* ("Sjukfrånvaro" vs "Sjukfrånvaro dag 1-14",
  "... livsmedel" vs "... livsmedel och måltider") may be a rename or a narrower indicator:
  it is never merged automatically but listed for review with its score.

Goal context: the same normalised words are one identity wherever they are printed (the
city's KF indicators recur under renumbered goals after a new budget, and a district prints
the same indicator under both a KF goal and its own nämndmål). Goal context is used as a
cannot-link (same table => different indicators), is shown in the review report, and an
override row may be scoped to a goal (`goal` column) to split a name that means different
things under different goals.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

from rapidfuzz import fuzz

from etl.derive.clusters import Clusters, NameNode, build_nodes, cluster_nodes
from etl.derive.kf_targets import reconcile_kf_targets
from etl.derive.names import (
    UNIT_WORDS,
    clean_name,
    infer_direction,
    name_key,
    norm_unit,
    slugify,
)
from etl.derive.overrides import load_overrides
from etl.derive.tables import fetch_dicts, insert_rows
from etl.model import ParseWarning

# --- resolving identities in the database ------------------------------------------------

# The rows are read in groups that share everything identity looks at: the printed name, the
# unit and the goal context (a few hundred groups for tens of thousands of rows: the same KF
# indicator under the same KF goal in every district and year). Groups come in the order of
# their first row in the documents' content, not by ids: an incremental build numbers a
# changed document's rows after the others and must still give the same identities.
GROUP_KEY = ("name", "unit", "kf_goal_code", "namndmal", "goal_text", "goal_level")
_GROUPS_SQL = """
WITH v AS (
    SELECT v.name, v.unit, v.kf_goal_code, v.namndmal, g.text AS goal_text, v.goal_level, v.document_id,
           v.goal_id, v.kf_target_raw, v.outcome_men, v.outcome_women, d.district, d.year,
           (d.source_file, v.source_line, v.value_id) AS rn
    FROM indicator_values v
    JOIN documents d USING (document_id)
    LEFT JOIN goals g ON g.goal_id = v.goal_id
)
SELECT name, unit, kf_goal_code, namndmal, goal_text, goal_level,
       count(*) AS n,
       list(DISTINCT [document_id, goal_id]) FILTER (WHERE goal_id IS NOT NULL) AS tables,
       list(DISTINCT district) AS districts,
       list(year) AS years,
       list(DISTINCT district || ' ' || year) AS places,
       bool_or(goal_level = 'kf_mal' OR trim(coalesce(kf_target_raw, '')) <> '') AS is_kf,
       bool_or(outcome_men IS NOT NULL OR outcome_women IS NOT NULL) AS gender
FROM v
GROUP BY name, unit, kf_goal_code, namndmal, goal_text, goal_level
ORDER BY min(rn)
"""


MATCH_COLUMNS = ["printed_name", "unit", "indicator_id", "method", "score", "matched_name", "needs_review",
                 "candidate_id", "candidate_name", "candidate_score", "reason", "n_rows", "districts", "years", "goals"]


def _canonical(groups: list[dict]) -> str:
    """The newest printing wins (a renamed indicator shows its current name); ties: the most
    frequent printing, then the shortest."""
    latest = max(max(g["years"]) for g in groups)
    names: Counter = Counter()
    for g in groups:
        at_latest = g["years"].count(latest)
        if at_latest:
            names[clean_name(g["name"])] += at_latest
    return min(names, key=lambda n: (-names[n], len(n), n))


def resolve_identities(con, overrides_path: Path | None) -> list[ParseWarning]:
    """Give every indicator_values row its identity and rewrite the `indicators` catalogue,
    `indicator_matches` (how each printed name was matched, what to review) and
    `kf_target_checks` (KF:s årsmål reconciliation); the tables are etl/store/schema.sql's.
    Runs inside the caller's transaction."""
    # a re-run (an incremental build) starts from the printed values: undo earlier fills
    con.execute("UPDATE indicator_values SET kf_target = NULL WHERE value_id IN "
                "(SELECT value_id FROM kf_target_checks WHERE status IN ('filled', 'filled_equal'))")
    overrides, warns = load_overrides(overrides_path)
    groups = fetch_dicts(con, _GROUPS_SQL)
    nodes = build_nodes(groups, overrides)
    cl, review, w = cluster_nodes(nodes, overrides)
    warns += w

    by_words: dict[str, list[NameNode]] = defaultdict(list)
    for n in nodes:
        by_words[n.key.full].append(n)
    for ns in by_words.values():
        units = sorted({n.unit for n in ns if n.unit})
        if len(units) > 1:
            where = "; ".join(f"{u}: " + ", ".join(sorted({p for n in ns if n.unit == u
                                                          for g in n.groups for p in g["places"]})) for u in units)
            warns.append(ParseWarning("indicators", f"{ns[0].display!r} is printed with different units "
                                 f"({where}); kept as separate indicators"))

    # identities
    clusters = sorted(cl.members.values(), key=lambda ms: min(ms))
    node_ident: dict[int, str] = {}
    catalogue: list[tuple] = []
    used: set[str] = set()
    direction_over = {o.key: o.value for o in overrides if o.action == "direction"}
    for members in clusters:
        mgroups = [g for m in members for g in nodes[m].groups]
        name = _canonical(mgroups)
        forced = {nodes[m].scope for m in members} - {None}
        unit_rows: Counter = Counter()
        for g in mgroups:
            if norm_unit(g["unit"]):
                unit_rows[g["unit"].strip()] += g["n"]
        unit = unit_rows.most_common(1)[0][0] if unit_rows else None
        ident = forced.pop() if forced else slugify(name_key(name).full)
        assert ident is not None        # None was taken out of forced
        if ident in used and not forced:
            # the same words in another unit: a separate identity, told apart by its unit
            base = slugify(name_key(name).full, max_len=64)
            ident = f"{base}-{slugify(UNIT_WORDS.get(unit or '', unit or 'utan-enhet'), 15)}"
            k = 2
            while ident in used:
                ident = f"{base}-{k}"
                k += 1
        used.add(ident)
        direction = None
        for m in members:
            direction = direction or direction_over.get(nodes[m].key.full)
        if direction is None:
            verbs = {nodes[m].key.verb_direction for m in members} - {None}
            direction = verbs.pop() if len(verbs) == 1 else None
        if direction is None:
            direction, rule = infer_direction(name)
            if rule == "default":
                for m in members:
                    d, r2 = infer_direction(nodes[m].display)
                    if r2 != "default":
                        direction = d
                        break
        is_kf = any(g["is_kf"] for g in mgroups)
        gender = any(g["gender"] for g in mgroups)
        catalogue.append((ident, name, unit, direction, is_kf, gender))
        for m in members:
            node_ident[m] = ident

    con.execute("DELETE FROM indicators")
    insert_rows(con, "indicators", ["indicator_id", "name", "unit", "direction", "is_kf", "gender_split"], catalogue)
    _assign(con, [(*(g[k] for k in GROUP_KEY), node_ident[n.nid]) for n in nodes for g in n.groups])

    _write_matches(con, nodes, cl, review, node_ident)
    warns += reconcile_kf_targets(con, {i[0]: i[1] for i in catalogue})
    return warns


def _assign(con, mapping: list[tuple]) -> None:
    """indicator_values.indicator_id from (*GROUP_KEY values, identity), where it changed."""
    con.execute("CREATE OR REPLACE TEMP TABLE _ident_map (name VARCHAR, unit VARCHAR, kf_goal_code VARCHAR, "
                "namndmal VARCHAR, goal_text VARCHAR, goal_level VARCHAR, indicator_id VARCHAR)")
    insert_rows(con, "_ident_map", [*GROUP_KEY, "indicator_id"], mapping)
    same = " AND ".join(f"v.{k} IS NOT DISTINCT FROM m.{k}" for k in GROUP_KEY if k != "goal_text")
    con.execute(f"""
        UPDATE indicator_values SET indicator_id = u.indicator_id
        FROM (SELECT v.value_id, m.indicator_id FROM indicator_values v
              LEFT JOIN goals g ON g.goal_id = v.goal_id
              JOIN _ident_map m ON {same} AND g.text IS NOT DISTINCT FROM m.goal_text
              WHERE v.indicator_id <> m.indicator_id) AS u
        WHERE indicator_values.value_id = u.value_id""")
    con.execute("DROP TABLE _ident_map")


def _write_matches(con, nodes: list[NameNode], cl: Clusters, review: list[dict], node_ident: dict[int, str]) -> None:
    # the best still-open candidate per node: a pair whose two names ended up apart
    open_cands: dict[int, dict] = {}
    for p in review:
        if node_ident[p["a"]] == node_ident[p["b"]]:
            continue
        for x, y in ((p["a"], p["b"]), (p["b"], p["a"])):
            if x not in open_cands or p["score"] > open_cands[x]["score"]:
                open_cands[x] = {**p, "other": y}
    by_words: dict[str, list[NameNode]] = defaultdict(list)
    for n in nodes:
        by_words[n.key.full].append(n)
    for n in nodes:
        if n.nid in open_cands:
            continue
        for m in by_words[n.key.full]:
            if node_ident[m.nid] != node_ident[n.nid]:
                why = (f"same words in another unit ({m.unit or 'no unit'})" if m.unit != n.unit
                       else "same words, kept apart by an override")
                open_cands[n.nid] = {"a": n.nid, "b": m.nid, "other": m.nid, "score": 100.0, "reason": why}
                break
    out = []
    for n in nodes:
        method, score, matched, reason = cl.how.get(n.nid, ("exact", None, None, None))
        cand = open_cands.get(n.nid)
        needs = cand is not None or (method == "fuzzy" and (score or 0) < 95)
        for printed in sorted(n.names, key=lambda p: (p != n.display, p)):
            pgroups = [g for g in n.groups if clean_name(g["name"]) == printed]
            years = sorted({y for g in pgroups for y in g["years"]})
            if printed == n.display:
                how = (method, score, nodes[matched].display if matched is not None else None, reason)
            else:   # another printing of the same words ("Andelen", case, hyphen, wrap)
                how = ("normalised", round(float(fuzz.ratio(printed, n.display)), 1), n.display, "same words")
            units: Counter = Counter()
            for g in n.groups:
                if norm_unit(g["unit"]):
                    units[g["unit"].strip()] += g["n"]
            out.append((
                printed, units.most_common(1)[0][0] if units else None, node_ident[n.nid], *how[:3], needs,
                node_ident[cand["other"]] if cand else None,
                nodes[cand["other"]].display if cand else None,
                cand["score"] if cand else None,
                cand["reason"] if cand else how[3],
                n.names[printed], ", ".join(sorted({d for g in pgroups for d in g["districts"]})),
                ", ".join(map(str, years)), n.context(),
            ))
    con.execute("DELETE FROM indicator_matches")
    insert_rows(con, "indicator_matches", MATCH_COLUMNS, out)
