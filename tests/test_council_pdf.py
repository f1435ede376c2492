"""PDFs made the way councils make them: each seed written as a Word document with real
tables (python-docx: repeated header rows, merged two-row headers, narrow value columns,
running header and footer, a table of contents) and exported by LibreOffice, in four
layouts (bench/council_pdf.py). Each PDF must give what the seed's text gives.

Needs LibreOffice (`soffice`; test.sh installs it as root); skipped without it."""
from __future__ import annotations

import shutil
from collections import defaultdict

import pytest

from bench.council_pdf import LAYOUTS, SEEDS, build_corpus, compare
from etl.parse.assemble import parse_file

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")

FURNITURE = ("Tjänsteutlåtande", "start.stockholm", "Telefon 08-", "Dnr ")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """{(seed, layout): (text document, PDF document, comparison)} for every seed and layout."""
    pdfs = build_corpus(tmp_path_factory.mktemp("council-pdfs"))
    texts = {p.name: parse_file(p) for p in SEEDS.iterdir() if p.is_file()}
    out = {}
    for (seed, layout), pdf in pdfs.items():
        doc = parse_file(pdf)
        out[(seed, layout)] = (texts[seed], doc, compare(texts[seed], doc))
    return out


def test_the_corpus_covers_every_seed_in_four_layouts(corpus):
    assert len(LAYOUTS) >= 4
    assert {s for s, _ in corpus} == {p.name for p in SEEDS.iterdir() if p.is_file()}
    assert len(corpus) == len(LAYOUTS) * 5
    orient = {l.name: l.landscape for l in LAYOUTS}
    assert set(orient.values()) == {True, False}     # portrait and landscape


def test_each_layout_gives_99_percent_of_the_indicator_rows_cell_for_cell(corpus):
    per_layout = defaultdict(lambda: [0, 0])
    for (_, layout), (_, _, res) in corpus.items():
        matched, expected, _ = res["indicators"]
        per_layout[layout][0] += matched
        per_layout[layout][1] += expected
    for layout, (matched, expected) in per_layout.items():
        assert expected == 403
        assert matched / expected >= 0.99, f"{layout}: {matched}/{expected} indicator rows"


def test_metadata_and_goals_of_every_pdf(corpus):
    for (seed, layout), (_text, doc, res) in corpus.items():
        assert res["meta"], (seed, layout, doc.meta)
        assert res["goals"][0] == res["goals"][1] == res["goals"][2], (seed, layout, res["goals"])
    # the text seeds have 170 goals (each seed once)
    assert sum(len(t.goals) for (s, l), (t, _, _) in corpus.items() if l == LAYOUTS[0].name) == 170


def test_activities_and_budget_lines_come_through(corpus):
    totals = defaultdict(lambda: [0, 0])
    for (_, _), (_, _, res) in corpus.items():
        for k in ("activities", "budget"):
            totals[k][0] += res[k][0]
            totals[k][1] += res[k][1]
    assert totals["activities"][0] / totals["activities"][1] >= 0.98
    assert totals["budget"][0] / totals["budget"][1] >= 0.85


def test_page_furniture_and_contents_never_become_records(corpus):
    for (seed, layout), (_, doc, _) in corpus.items():
        texts = [g.text for g in doc.goals] + [r.name for r in doc.indicators] + [a.text for a in doc.activities]
        leaked = [t for t in texts if any(f in t for f in FURNITURE) or "....." in t]
        assert not leaked, (seed, layout, leaked[:3])


def test_every_record_has_its_page_and_box(corpus):
    for (seed, layout), (_, doc, _) in corpus.items():
        for r in doc.indicators:
            assert r.source_page and r.source_box, (seed, layout, r.name)
            x0, top, x1, bottom = r.source_box
            assert x0 < x1 and top < bottom
            assert r.cell_boxes and "name" in r.cell_boxes
        assert all(g.source_page for g in doc.goals)
        assert all(a.source_page and a.source_box for a in doc.activities)
