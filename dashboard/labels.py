"""The database's codes for document kinds, attainment classes, printed assessments and
document levels, with the Swedish words the user reads for them (pages, charts, exports)."""
from __future__ import annotations

REPORT = "verksamhetsberattelse"
TERTIAL = "tertialrapport"
PLAN = "verksamhetsplan"

DOC_TYPE_LABELS = {
    PLAN: "Verksamhetsplan",
    REPORT: "Verksamhetsberättelse",
    TERTIAL: "Tertialrapport",
}
ATTAINMENT_LABELS = {
    "met": "Uppnått",
    "not_met": "Ej uppnått",
    "no_direction": "Ingen riktning",
    "no_target": "Inget mål",
    "planned": "Bara mål (plan)",
    "missing": "Saknas",
}
ASSESSMENT_LABELS = {"helt": "Helt uppfyllt", "delvis": "Delvis uppfyllt", "inte": "Inte uppfyllt"}
LEVEL_LABELS = {"namnd": "nämnd", "enhet": "enhet"}
