"""Human-readable view of one ParsedDocument (for `python -m etl inspect`)."""
from __future__ import annotations

from etl.model import Cell, ParsedDocument


def _c(cell: Cell) -> str:
    if cell.raw is None:
        return "·"
    return cell.raw if cell.value is None else f"{cell.raw} [{cell.value:g}{' ' + cell.unit if cell.unit else ''}]"


def render(doc: ParsedDocument) -> str:
    out: list[str] = [f"Fil: {doc.raw.source_file}  (sha256 {doc.raw.sha256[:12]}…, format {doc.raw.flavour}, "
                      f"{doc.raw.n_lines} rader med text)"]
    if doc.meta is None:
        out.append("Metadata: kunde inte avgöras")
    else:
        m = doc.meta
        out.append(f"Metadata: {m.district} · {m.doc_type} {m.year} · nivå {m.level}"
                   + (f" ({m.unit_name})" if m.unit_name else "") + f" · källa: {m.detected_by}")
    rows_by_goal: dict[int | None, list] = {}
    for r in doc.indicators:
        rows_by_goal.setdefault(r.goal_key, []).append(r)
    acts_by_goal: dict[int | None, int] = {}
    for a in doc.activities:
        acts_by_goal[a.goal_key] = acts_by_goal.get(a.goal_key, 0) + 1
    indent = {"inriktningsmal": 0, "kf_mal": 1, "namndmal": 2, "enhetsmal": 3}

    def rows(key):
        for r in rows_by_goal.get(key, []):
            pad = "    " * (indent[doc.goals[key].level] + 1 if key is not None else 1)
            out.append(f"{pad}rad {r.source_line}-{r.source_line_end}: {r.name}")
            # a report row (its table has a "VB <year>" column) shows its outcome cells even when all are empty
            if r.prior_year is not None or r.outcome.raw or r.outcome_men.raw or r.outcome_women.raw or r.prior_outcome.raw:
                out.append(f"{pad}    utfall {_c(r.outcome)} | män {_c(r.outcome_men)} | kvinnor {_c(r.outcome_women)}"
                           f" | VB {r.prior_year or ''} {_c(r.prior_outcome)}")
            out.append(f"{pad}    årsmål {_c(r.target)} | KF:s årsmål {_c(r.kf_target)} | period {r.periodicity or '·'}")
            if r.analysis:
                out.append(f"{pad}    analys: {r.analysis[:100]}{'…' if len(r.analysis) > 100 else ''}")

    rows(None)
    for g in doc.goals:
        pad = "    " * indent[g.level]
        assess = f"  [uppfylls {g.assessment}]" if g.assessment else ""
        out.append(f"{pad}{g.level} {g.code or ''} (rad {g.source_line}): {g.text}{assess}"
                   + (f"  ({acts_by_goal[g.key]} aktiviteter)" if g.key in acts_by_goal else ""))
        rows(g.key)
    out.append(f"Summa: {len(doc.goals)} mål, {len(doc.indicators)} indikatorrader, {len(doc.activities)} aktiviteter"
               f", {len(doc.sections)} avsnitt, {len(doc.budget_lines)} budgetceller, {len(doc.warnings)} varningar")
    for w in doc.warnings:
        out.append(f"  VARNING [{w.stage}] rad {w.source_line or '-'}: {w.message}")
    return "\n".join(out)
