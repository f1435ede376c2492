"""Link stage: the parsed records tied together, so the loader only writes rows.

Each goal, indicator row and activity gets the section it is printed in (`section_no`, an
index into doc.sections: sections partition the document, etl.parse.sections), each
indicator row its normalised name (the provisional key; etl.derive.identity gives the
identity across documents) and the KF goal and council goal it sits under, and the
document its search index rows (etl.search.index.document_terms).
"""
from __future__ import annotations

from etl.derive.names import slugify
from etl.model import Goal, ParsedDocument
from etl.parse.sections import section_index_for_line
from etl.search.index import document_terms


def link(doc: ParsedDocument) -> ParsedDocument:
    sections = doc.sections

    def section_no(line: int) -> int | None:
        return section_index_for_line(sections, line) if sections else None

    for g in doc.goals:
        g.section_no = section_no(g.source_line)
    for r in doc.indicators:
        r.section_no = section_no(r.source_line)
        r.name_key = slugify(r.name)
        kf_goal = _ancestor(doc.goals, r.goal_key, "kf_mal")
        namnd = _ancestor(doc.goals, r.goal_key, "namndmal")
        r.kf_goal_code = kf_goal.code if kf_goal else None
        r.namnd_goal_text = namnd.text if namnd else None
    for a in doc.activities:
        a.section_no = section_no(a.source_line)
    doc.search_terms = document_terms(sections)
    return doc


def _ancestor(goals: list[Goal], key: int | None, level: str) -> Goal | None:
    """The goal of ``level`` that goal ``key`` is or sits under."""
    while key is not None:
        g = goals[key]
        if g.level == level:
            return g
        key = g.parent_key
    return None
