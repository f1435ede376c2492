"""Detection of district, year and kind: a clear winner or a clear message, never a guess;
side-cars checked like any input (a bad one skips its document, the rest loads)."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from etl.model import Line, RawDocument
from etl.parse.detect import DetectError, detect, year_range
from etl.store.build import build_database

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"
BODY = ["Nämndens verksamhet ska bidra till att målen nås.",
        "Förvaltningen följer upp arbetet varje tertial."] * 20


def raw_of(lines: list[str]) -> RawDocument:
    return RawDocument("x.txt", "", "plain", [Line(k + 1, t) for k, t in enumerate(lines)])


def test_a_plan_that_only_mentions_a_neighbour_is_not_filed_under_it():
    lines = ["Verksamhetsplan 2024", *BODY, "Samverkan sker med Skarpnäck kring feriejobb.", *BODY]
    with pytest.raises(DetectError) as e:
        detect(raw_of(lines))
    msg = str(e.value)
    assert "district" in msg and "Skarpnäck" in msg and "meta.json" in msg


def test_a_tie_between_two_districts_is_reported_whatever_the_order():
    for first, second in (("Bromma", "Kungsholmen"), ("Kungsholmen", "Bromma")):
        lines = [f"{first}s stadsdelsnämnd", f"{second}s stadsdelsnämnd", "Verksamhetsplan 2024", *BODY]
        with pytest.raises(DetectError) as e:
            detect(raw_of(lines))
        assert "candidates" in str(e.value) and "Bromma" in str(e.value) and "Kungsholmen" in str(e.value)


def test_a_clear_winner_is_detected():
    lines = ["Brommas stadsdelsnämnd", "Verksamhetsplan 2024", *BODY, "Samverkan med Kungsholmen."]
    meta = detect(raw_of(lines))
    assert (meta.district, meta.year, meta.doc_type) == ("Bromma", 2024, "verksamhetsplan")


def test_a_year_outside_the_registrys_range_is_not_accepted():
    lines = ["Brommas stadsdelsnämnd", "Verksamhetsplan 2099", *BODY]
    with pytest.raises(DetectError) as e:
        detect(raw_of(lines))
    lo, hi = year_range()
    assert "year" in str(e.value) and f"{lo}–{hi}" in str(e.value)


BAD_SIDECARS = {
    "huge_year": ({"year": 1e30}, "'year' must be a whole number"),
    "string_year": ({"year": "2021"}, "'year' must be a whole number"),
    "bool_year": ({"year": True}, "'year' must be a whole number"),
    "far_year": ({"year": 2999}, "outside"),
    "unit_number": ({"unit_name": 5}, "'unit_name' must be a text or null"),
    "district_list": ({"district": ["Bromma"]}, "'district' must be a text"),
    "unknown_kind": ({"doc_type": "budget"}, "doc_type 'budget' is not one of"),
    "not_an_object": ([1, 2], "must be a JSON object"),
    "unknown_field": ({"distrikt": "Bromma"}, "unknown side-car fields"),
    "unknown_district": ({"district": "Atlantis"}, "not in data/districts.csv"),
}


def test_bad_side_cars_skip_their_document_and_the_rest_loads(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    good = sorted(p for p in RAW.iterdir() if p.suffix == ".txt")[:2]
    for p in good:
        (src / p.name).write_bytes(p.read_bytes())
    text = (RAW / "kungsholmen_verksamhetsplan_2020.txt").read_bytes()
    for name, (content, _) in BAD_SIDECARS.items():
        (src / f"{name}.txt").write_bytes(text)
        (src / f"{name}.txt.meta.json").write_text(json.dumps(content), encoding="utf-8")
    (src / "broken_json.txt").write_bytes(text)
    (src / "broken_json.txt.meta.json").write_text('{"year": 20', encoding="utf-8")
    report = build_database(src, tmp_path / "db.duckdb")
    assert sorted(d.source_file for d in report.loaded) == sorted(p.name for p in good)
    skipped = {s.source_file: " ".join(w if isinstance(w, str) else getattr(w, "message", str(w)) for w in s.warnings)
               for s in report.skipped}
    for name, (_, expected) in BAD_SIDECARS.items():
        assert expected in skipped[f"{name}.txt"], (name, skipped[f"{name}.txt"])
    assert "invalid JSON side-car" in skipped["broken_json.txt"]
    con = duckdb.connect(str(tmp_path / "db.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 2
