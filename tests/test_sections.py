"""Sections: headings and the text under them, golden excerpts of each text flavour.

tests/golden/sections/<name>.txt|.md is a real excerpt, <name>.expected.json the sections
found in it (checked by hand). Regenerate with `python -m tests.test_sections` and review.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from etl.model import RawDocument
from etl.parse.sections import PREAMBLE_HEADING, parse_sections, section_index_for_line
from etl.read.text import detect_flavour, lines_from_text

GOLDEN = Path(__file__).parent / "golden" / "sections"
RAW = Path(__file__).resolve().parent.parent / "data" / "raw"


def raw_from_text(text: str, name: str = "excerpt.txt") -> RawDocument:
    return RawDocument(name, "", detect_flavour(text.split("\n")), lines_from_text(text))


def sections_for(path: Path) -> list[dict]:
    secs = parse_sections(raw_from_text(path.read_text(encoding="utf-8"), path.name))
    return [{
        "heading": s.heading, "heading_path": s.heading_path,
        "source_line_start": s.source_line_start, "source_line_end": s.source_line_end,
        "text_starts": s.text[:70], "text_ends": s.text[-40:], "text_chars": len(s.text),
    } for s in secs]


def expected_path(excerpt: Path) -> Path:
    return excerpt.with_suffix(".expected.json")


EXCERPTS = sorted(p for p in GOLDEN.iterdir() if p.suffix in (".txt", ".md"))


@pytest.mark.parametrize("excerpt", EXCERPTS, ids=lambda p: p.stem)
def test_excerpt_matches_expected_sections(excerpt):
    expected = json.loads(expected_path(excerpt).read_text(encoding="utf-8"))
    assert sections_for(excerpt) == expected


def test_goal_labels_nest_beskrivning_and_forvantat_resultat_under_the_goal():
    secs = {s["heading"]: s for s in sections_for(GOLDEN / "plain_goal_structure.txt")}
    goal = "Nämndmål: 1.1.1 På Kungsholmen är människor självförsörjande och vägen till arbete är kort"
    assert goal in secs                                        # wrapped goal text joined
    assert secs["Beskrivning"]["heading_path"].endswith(f"{goal} > Beskrivning")
    assert secs["Beskrivning"]["text_starts"].startswith("Förvaltningen når det förväntade resultatet")
    assert secs["Förväntat resultat"]["heading_path"].endswith(f"{goal} > Förväntat resultat")
    # an indicator row ("... 5 st 800 st Tertial") and an activity name are not headings
    assert not any(h.endswith("Tertial") or h.startswith("Stadsdelsnämnden ska inom ramen") for h in secs)


def test_report_analysis_is_a_section_under_its_goal():
    secs = sections_for(GOLDEN / "report_goal_assessment_analysis.txt")
    analys = [s for s in secs if s["heading"] == "Analys"]
    assert analys and all("KF:s mål för verksamhetsområdet: 1.1" in s["heading_path"] for s in analys)
    assert not any(s["heading"].startswith("Uppfylls") for s in secs)


def test_markdown_levels_make_the_path():
    secs = sections_for(GOLDEN / "markdown_headings.md")
    beskr = next(s for s in secs if s["heading"] == "Beskrivning")
    assert beskr["heading_path"].startswith("KF:s inriktningsmål: 1.")
    assert "**" not in "".join(s["heading"] for s in secs)     # emphasis removed


def test_sections_cover_every_line_once_and_index_finds_the_innermost():
    text = "Inledning\nText om nämnden och dess ansvar. Mer text.\nNämndmål:\nTryggt stadsdelsområde\n" \
           "Beskrivning\nFörvaltningen arbetar med trygghet.\n"
    secs = parse_sections(raw_from_text(text))
    assert [s.heading for s in secs] == ["Inledning", "Nämndmål: Tryggt stadsdelsområde", "Beskrivning"]
    assert [(s.source_line_start, s.source_line_end) for s in secs] == [(1, 2), (3, 4), (5, 6)]
    assert secs[2].heading_path == "Inledning > Nämndmål: Tryggt stadsdelsområde > Beskrivning"
    assert section_index_for_line(secs, 4) == 1 and section_index_for_line(secs, 6) == 2
    assert section_index_for_line(secs, 99) == 2 and section_index_for_line([], 3) is None


def test_text_before_the_first_heading_is_kept():
    md = "**Till**\nNämnden\n\n# Verksamhetsplan\n\nText.\n## Mål\n\nMer text.\n## **Ekonomi**\n\nMnkr.\n"
    secs = parse_sections(raw_from_text(md, "plan.md"))
    assert secs[0].heading == PREAMBLE_HEADING and "Nämnden" in secs[0].text
    assert [s.heading for s in secs[1:]] == ["Verksamhetsplan", "Mål", "Ekonomi"]
    assert secs[2].heading_path == "Verksamhetsplan > Mål"


def test_markdown_emphasised_line_is_a_sub_heading_under_the_open_heading():
    # Hägersten-Älvsjö VP 2025 l.1787/1798: "– *Socialpsykiatri*", "– *Nyanlända*" (no '#')
    md = ("**Till**\nNämnden\n\n## Individ- och familjeomsorg\n\n### Ekonomiska förutsättningar\n\n"
          "Mnkr\tVP 2025\nKostnader\t1,0\n\n– *Socialpsykiatri*\n\nEkonomiska förutsättningar\n\n"
          "Mnkr\tVP 2025\nKostnader\t92,1\n\n– *Nyanlända*\n\nText om nyanlända.\n\n## Stadsmiljö\n\nText.\n")
    secs = parse_sections(raw_from_text(md, "plan.md"))
    assert secs[0].heading == PREAMBLE_HEADING           # "**Till**" before the first '#' heading
    paths = [s.heading_path for s in secs[1:]]
    assert paths == [
        "Individ- och familjeomsorg",
        "Individ- och familjeomsorg > Ekonomiska förutsättningar",
        "Individ- och familjeomsorg > Ekonomiska förutsättningar > – Socialpsykiatri",
        "Individ- och familjeomsorg > Ekonomiska förutsättningar > – Nyanlända",   # a sibling, not a child
        "Stadsmiljö",                                                            # the next '#' closes it
    ]


def test_every_seed_document_has_sections_that_cover_its_lines():
    from etl.read.text import read_document
    for path in sorted(RAW.iterdir()):
        raw = read_document(path, RAW)
        secs = parse_sections(raw)
        assert len(secs) >= 50, path.name
        starts = [s.source_line_start for s in secs]
        assert starts == sorted(starts)
        assert secs[0].source_line_start == raw.lines[0].no
        assert secs[-1].source_line_end == raw.lines[-1].no
        assert all(s.heading and s.source_line_start <= s.source_line_end for s in secs)


if __name__ == "__main__":
    for p in EXCERPTS:
        expected_path(p).write_text(json.dumps(sections_for(p), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print("wrote", expected_path(p))
