"""The benchmark corpus generator: deterministic, and its documents parse like the real ones."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from bench.generate import Planned, generate
from etl.parse.assemble import parse_file
from etl.parse.detect import load_registry
from etl.store.build import build_database

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "raw"
VP, VB = "verksamhetsplan", "verksamhetsberattelse"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes_other_seed_other_numbers(tmp_path):
    a = generate(tmp_path / "a", 6, seed=7)
    generate(tmp_path / "b", 6, seed=7)
    generate(tmp_path / "c", 6, seed=8)
    fa, fb, fc = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert fa == fb
    assert len(a) == 6 and len({g.file for g in a}) == 6
    stem = lambda files: {Path(k).stem: v for k, v in files.items() if k != "manifest.json"}  # noqa: E731
    sa, sc = stem(fa), stem(fc)
    assert sa.keys() == sc.keys()                    # the same documents are planned ...
    assert any(sa[k] != sc[k] for k in sa)           # ... with other templates and numbers
    # a smaller corpus is the start of a bigger one (500 is a prefix of 1000)
    generate(tmp_path / "d", 4, seed=7)
    fd = _files(tmp_path / "d")
    assert all(fd[k] == fa[k] for k in fd if k != "manifest.json")


# One document per template and flavour, for districts and years unlike the seeds': a council
# that existed only before the 2020 merger, and a unit plan renamed to another unit.
PLANS = [
    Planned("Bromma", 2012, VP, "namnd", template="enskede-arsta-vantor_verksamhetsplan_2021.txt"),
    Planned("Älvsjö", 2016, VP, "namnd", template="kungsholmen_verksamhetsplan_2020.txt"),
    Planned("Rinkeby-Kista", 2009, VP, "namnd", template="hagersten-alvsjo_verksamhetsplan_2025.md"),
    Planned("Skärholmen", 2023, VB, "namnd", template="norrmalm_verksamhetsberattelse_2021.txt", spaced=True),
    Planned("Farsta", 2024, VP, "enhet", unit_place="Hökarängen",
            template="hagersten-alvsjo_enhet-liljeholmens-dagliga-verksamheter_verksamhetsplan_2021.txt"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gen")
    made = generate(folder / "corpus", 0, seed=1, plans=PLANS)
    assert (folder / "corpus" / "manifest.json").exists()
    db = folder / "gen.duckdb"
    build_database(folder / "corpus", db)
    con = duckdb.connect(str(db), read_only=True)
    yield made, con
    con.close()


def test_generated_documents_are_detected_as_planned(built):
    made, con = built
    got = {r[0]: r[1:] for r in con.execute(
        "SELECT source_file, district, year, doc_type, level, unit_name, text_flavour FROM documents").fetchall()}
    expected = {g.file: (g.district, g.year, g.doc_type, g.level, g.unit_name, g.flavour) for g in made}
    assert got == expected
    assert expected["skarholmen_verksamhetsberattelse_2023.txt"][-1] == "spaced"
    assert expected["farsta_enhet-hokarangens-dagliga-verksamheter_verksamhetsplan_2024.txt"][4] == \
        "Hökarängens dagliga verksamheter"
    assert {g.flavour for g in made} == {"spaced", "plain", "markdown"}


def test_generated_tables_parse_like_their_seeds(built):
    """Each generated document yields the same number of indicator rows, goals and activities
    as the real document it was made from, and its perturbed numbers are read as numbers."""
    made, con = built
    registry = load_registry()
    for g in made:
        seed = parse_file(SEEDS / g.template, SEEDS, registry)
        doc_id, = con.execute("SELECT document_id FROM documents WHERE source_file = ?", [g.file]).fetchone()
        rows, numeric = con.execute(
            "SELECT count(*), count(coalesce(outcome, target, kf_target)) FROM indicator_values WHERE document_id = ?",
            [doc_id]).fetchone()
        goals, = con.execute("SELECT count(*) FROM goals WHERE document_id = ?", [doc_id]).fetchone()
        acts, = con.execute("SELECT count(*) FROM activities WHERE document_id = ?", [doc_id]).fetchone()
        assert rows == len(seed.indicators), g.file
        assert goals == len(seed.goals) and acts == len(seed.activities), g.file
        seed_numeric = sum(1 for r in seed.indicators
                           if any(c.value is not None for c in (r.outcome, r.target, r.kf_target)))
        assert numeric >= 0.9 * seed_numeric, (g.file, numeric, seed_numeric)


def test_years_and_names_are_rewritten(built):
    made, con = built
    folder = Path(con.execute("SELECT value FROM build_info WHERE key = 'input_dir'").fetchone()[0])
    bromma = next(g for g in made if g.district == "Bromma")
    text = (folder / bromma.file).read_text(encoding="utf-8")
    seed = (SEEDS / bromma.template).read_text(encoding="utf-8")
    assert "Enskede-Årsta-Vantör" in seed and "Enskede-Årsta-Vantör" not in text
    assert "Brommas stadsdelsnämnd" in text
    assert seed.count("2021") > 100 and text.count("2021") == 0 and text.count("2012") >= seed.count("2021")
    assert "Vision 2040" not in seed or "Vision 2040" in text        # far years stay
