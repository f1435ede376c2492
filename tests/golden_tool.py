"""Golden-file helpers: an excerpt of real document text next to its expected records.

Regenerate after an intended change with:  python -m tests.golden_tool  (then review the diff).
"""
from __future__ import annotations

import json
from pathlib import Path

from etl.model import RawDocument
from etl.read.text import detect_flavour, lines_from_text
from tests.helpers import recognised

GOLDEN = Path(__file__).parent / "golden" / "indicators"


def records_for(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    raw = RawDocument(path.name, "", detect_flavour(text.split("\n")), lines_from_text(text))
    goals, rows, activities, warnings = recognised(raw)
    return {
        "goals": [{"level": g.level, "code": g.code, "text": g.text, "assessment": g.assessment,
                   "source_line": g.source_line} for g in goals],
        "indicators": [
            {"name": r.name, "source_line": r.source_line,
             "goal": goals[r.goal_key].code or goals[r.goal_key].text[:40] if r.goal_key is not None else None,
             **{f"{k}_raw": getattr(r, k).raw for k in ("target", "kf_target", "outcome", "outcome_men",
                                                         "outcome_women", "prior_outcome")},
             **{k: getattr(r, k).value for k in ("target", "kf_target", "outcome", "outcome_men",
                                                  "outcome_women", "prior_outcome")},
             "unit": r.unit, "periodicity": r.periodicity, "prior_year": r.prior_year,
             "analysis_starts": (r.analysis or "")[:50] or None}
            for r in rows
        ],
        "activities": [{"text": a.text, "start_date": a.start_date, "end_date": a.end_date,
                        "deviation": a.deviation, "source_line": a.source_line} for a in activities],
        "warnings": [{"stage": w.stage, "source_line": w.source_line} for w in warnings],
    }


def expected_path(excerpt: Path) -> Path:
    return excerpt.with_suffix(".expected.json")


if __name__ == "__main__":
    for p in sorted(GOLDEN.glob("*.txt")) + sorted(GOLDEN.glob("*.md")):
        expected_path(p).write_text(json.dumps(records_for(p), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print("wrote", expected_path(p))
