"""Clustering printed indicator names into identities: union-find over printed-name nodes
with cannot-link constraints (different units, one table, different qualifiers, a word
substituted), the overrides applied, and the pairs a person should review (the rules are
listed in etl/derive/identity.py's docstring)."""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from etl.derive.names import (
    Comparison,
    NameKey,
    clean_name,
    compare_keys,
    name_key,
    norm_unit,
)
from etl.derive.overrides import Override
from etl.model import ParseWarning


@dataclass
class NameNode:
    nid: int
    key: NameKey
    unit: str | None
    scope: str | None                       # identity forced by an override
    groups: list[dict] = field(default_factory=list)   # row groups (_GROUPS_SQL)
    names: Counter = field(default_factory=Counter)    # cleaned printed name -> rows
    goal_scoped: bool = False               # split off by an override with a goal
    tables: set[tuple[int, int]] = field(default_factory=set)   # (document_id, goal_id)

    @property
    def n_rows(self) -> int:
        return sum(g["n"] for g in self.groups)

    @property
    def display(self) -> str:
        return self.names.most_common(1)[0][0]

    def context(self) -> str:
        goals: Counter = Counter()
        for g in self.groups:
            goals[_goal_label(g)] += g["n"]
        return "; ".join(g for g, _ in goals.most_common(3) if g)


def _goal_label(r: dict) -> str:
    parts = []
    if r.get("kf_goal_code"):
        parts.append(f"KF {r['kf_goal_code']}")
    if r.get("namndmal"):
        parts.append(f"nämndmål: {r['namndmal'][:60]}")
    elif r.get("goal_text"):
        parts.append(f"{r.get('goal_level') or 'mål'}: {r['goal_text'][:60]}")
    return ", ".join(parts)


def _row_context(r: dict) -> str:
    return " | ".join(str(r.get(k) or "") for k in ("kf_goal_code", "namndmal", "goal_text")).lower()


class Clusters:
    """Union-find over nodes with the cannot-link rules of the module docstring."""

    def __init__(self, nodes: list[NameNode], not_same: list[tuple[int, int]]):
        self.nodes = nodes
        self.parent = list(range(len(nodes)))
        self.members = {i: [i] for i in range(len(nodes))}
        self.not_same = not_same
        self.how: dict[int, tuple[str, float, int | None, str]] = {}  # nid -> (method, score, matched nid, reason)

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def units(self, root: int) -> set[str]:
        return {unit for m in self.members[root] if (unit := self.nodes[m].unit)}

    def why_not(self, a: int, b: int, check_tables: bool | None) -> str | None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        if len(self.units(ra) | self.units(rb)) > 1:
            return "units differ: " + " / ".join(sorted(self.units(ra) | self.units(rb)))
        ma, mb = set(self.members[ra]), set(self.members[rb])
        for x, y in self.not_same:
            if (x in ma and y in mb) or (x in mb and y in ma):
                return "override: not the same"
        scopes = {self.nodes[m].scope for m in ma | mb} - {None}
        if len(scopes) > 1:
            return "different identities forced by overrides"
        if check_tables is not None:   # an automatic merge: goal-scoped overrides split names
            sa = {self.nodes[m].scope for m in ma if self.nodes[m].goal_scoped}
            sb = {self.nodes[m].scope for m in mb if self.nodes[m].goal_scoped}
            if sa != sb:
                return "kept apart by a goal-scoped override"
        if check_tables:
            ta = set().union(*(self.nodes[m].tables for m in ma))
            tb = set().union(*(self.nodes[m].tables for m in mb))
            if ta & tb:
                return "printed in the same table"
        return None

    def union(self, a: int, b: int, method: str, score: float, reason: str,
              check_tables: bool | None) -> str | None:
        """Merge the clusters of a and b unless a rule forbids it (then return why).
        check_tables: True/False for automatic merges (with/without the same-table rule),
        None for a merge a person asked for in the override file."""
        blocked = self.why_not(a, b, check_tables)
        if blocked:
            return blocked
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return None
        if len(self.members[ra]) < len(self.members[rb]):
            ra, rb = rb, ra
            a, b = b, a
        self.parent[rb] = ra
        self.members[ra].extend(self.members.pop(rb))
        if b not in self.how:
            self.how[b] = (method, score, a, reason)
        elif a not in self.how:
            self.how[a] = (method, score, b, reason)
        return None


def build_nodes(groups: list[dict], overrides: list[Override]) -> list[NameNode]:
    scoped = [o for o in overrides if o.action == "identity" and o.goal]
    nodes: dict[tuple, NameNode] = {}
    for g in groups:
        key = name_key(g["name"])
        scope = None
        for o in scoped:
            assert o.goal is not None   # scoped: the identity overrides with a goal
            if o.key == key.full and o.goal.lower() in _row_context(g):
                scope = o.value
                break
        k = (key.full, norm_unit(g["unit"]), scope)
        node = nodes.get(k)
        if node is None:
            node = nodes[k] = NameNode(len(nodes), key, k[1], scope, goal_scoped=scope is not None)
        node.groups.append(g)
        node.names[clean_name(g["name"])] += g["n"]
        node.tables.update(tuple(t) for t in g["tables"] or ())
    return list(nodes.values())


def cluster_nodes(nodes: list[NameNode], overrides: list[Override]) -> tuple[Clusters, list[dict], list[ParseWarning]]:
    """Cluster printed-name nodes into identities. Returns the clusters, the candidate
    pairs a person should review, and warnings about overrides that could not apply."""
    warns: list[ParseWarning] = []
    by_key: dict[str, list[int]] = defaultdict(list)
    for n in nodes:
        by_key[n.key.full].append(n.nid)

    def lookup(printed: str) -> list[int]:
        return by_key.get(name_key(printed).full, [])

    not_same: list[tuple[int, int]] = []
    for o in overrides:
        if o.action == "not_same":
            for x in lookup(o.printed_name):
                for y in lookup(o.value):
                    not_same.append((x, y))
    cl = Clusters(nodes, not_same)

    def merge_or_warn(a: int, b: int, method: str, why: str, o: Override) -> None:
        score = round(float(fuzz.ratio(nodes[a].key.base, nodes[b].key.base)), 1)   # for information
        blocked = cl.union(a, b, method, score, why, check_tables=None)
        if blocked:
            warns.append(ParseWarning("indicators", f"override line {o.line} ({o.printed_name!r} {o.action} "
                                 f"{o.value!r}) not applied: {blocked}", o.line))

    # 1. overrides: explicit identities and same_as
    forced: dict[str, list[int]] = defaultdict(list)
    for n in nodes:
        if n.scope:
            forced[n.scope].append(n.nid)
    for o in overrides:
        if o.action == "identity" and not o.goal:
            for x in lookup(o.printed_name):
                nodes[x].scope = o.value
                forced[o.value].append(x)
    for ident, members in forced.items():
        for x in members[1:]:
            o = next(ov for ov in overrides if ov.action == "identity" and ov.value == ident)
            merge_or_warn(members[0], x, "override", f"identity {ident}", o)
    for o in overrides:
        if o.action != "same_as":
            continue
        xs, ys = lookup(o.printed_name), lookup(o.value) or forced.get(o.value, [])
        for x in xs:
            for y in ys:
                merge_or_warn(y, x, "override", f"same as {o.value}", o)

    # 2. the same normalised words (any goal; units must agree)
    for ids in by_key.values():
        # a row without a unit joins the most printed unit of the same words
        ids = sorted(ids, key=lambda i: (nodes[i].unit is None, -nodes[i].n_rows, i))
        for x in ids[1:]:
            cl.union(ids[0], x, "normalised", 100.0, "same words", check_tables=False)

    # 3. pairs of distinct keys: qualifier rule and fuzzy comparison
    keys = list(by_key)
    nkeys = [name_key(k) for k in keys]
    qualified_bases: dict[str, set[str]] = defaultdict(set)
    for k in nkeys:
        if k.qualifier:
            qualified_bases[k.base].add(k.qualifier)
    edges: list[tuple[float, int, int, str]] = []
    review: list[dict] = []
    bases = [k.base for k in nkeys]
    # vectorised prefilter: only pairs that look alike at all are compared word by word
    near = (process.cdist(bases, bases, scorer=fuzz.ratio, score_cutoff=60, workers=-1) > 0) | \
           (process.cdist(bases, bases, scorer=fuzz.token_set_ratio, score_cutoff=80, workers=-1) > 0)
    for i, j in zip(*near.nonzero()):
        i, j = int(i), int(j)
        if j <= i:
            continue
        a, b = nkeys[i], nkeys[j]
        c = compare_keys(a, b)
        if c.decision == "same" and (bool(a.qualifier) != bool(b.qualifier)):
            base = a.base if a.qualifier else b.base
            if len(qualified_bases[base]) > 1 and a.base == b.base:
                c = Comparison("review", c.score, "bare name, several qualified variants: "
                               + ", ".join(sorted(qualified_bases[base])))
            elif a.base != b.base:
                c = Comparison("review", c.score, c.reason + "; qualifier added")
            else:
                c = Comparison("same", c.score, "qualifier added/dropped")
        if c.decision == "same":
            edges.append((c.score, by_key[keys[i]][0], by_key[keys[j]][0], c.reason))
        elif c.decision == "review":
            review.append({"a": by_key[keys[i]][0], "b": by_key[keys[j]][0], "score": c.score, "reason": c.reason})
    for score, x, y, reason in sorted(edges, key=lambda e: -e[0]):
        blocked = cl.union(x, y, "fuzzy", score, reason, check_tables=True)
        if blocked:
            review.append({"a": x, "b": y, "score": score, "reason": f"{reason}; not merged: {blocked}"})
    return cl, review, warns
