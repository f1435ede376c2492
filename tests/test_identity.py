"""Indicator identity (issue 4): one identity per indicator across districts and years.

The names below are printed in the seed documents (data/raw); the pairs are the tricky ones
found while measuring the matcher on them.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from etl.cli.indicators import indicators_command, override_lines, report_lines
from etl.derive.identity import resolve_identities
from etl.derive.names import clean_name, compare_keys, infer_direction, name_key, slugify
from etl.derive.overrides import load_overrides

SCHEMA = Path(__file__).resolve().parent.parent / "etl" / "store" / "schema.sql"
ROOT = Path(__file__).resolve().parent.parent

EB_CHILDREN = "Andel barn som lever i familjer som har ekonomiskt bistånd"


def make_db(rows: list[dict], con=None):
    """A database built through etl/store/schema.sql holding the given indicator rows.

    Each row: name, district, year and optionally unit, goal (text of the goal whose table
    holds it), goal_level, doc_type, target, kf_target, kf_target_raw, outcome_men."""
    con = con or duckdb.connect()
    con.execute(SCHEMA.read_text())
    docs: dict[tuple, int] = {}
    goals: dict[tuple, int] = {}
    for i, r in enumerate(rows, 1):
        dkey = (r["district"], r["year"], r.get("doc_type", "verksamhetsplan"))
        if dkey not in docs:
            docs[dkey] = len(docs) + 1
            con.execute("INSERT INTO documents (document_id, district, year, doc_type, level, source_file, sha256) "
                        "VALUES (?, ?, ?, ?, 'namnd', ?, 'x')", [docs[dkey], *dkey, f"{dkey[0]}_{dkey[1]}.txt"])
        doc = docs[dkey]
        goal_text = r.get("goal", "Mål")
        gkey = (doc, goal_text)
        if gkey not in goals:
            goals[gkey] = len(goals) + 1
            con.execute("INSERT INTO goals (goal_id, document_id, level, text, source_line) VALUES (?, ?, ?, ?, 1)",
                        [goals[gkey], doc, r.get("goal_level", "kf_mal"), goal_text])
        target, kf = r.get("target"), r.get("kf_target")
        con.execute(
            "INSERT INTO indicator_values (value_id, document_id, indicator_id, name, goal_id, goal_level, "
            "kf_goal_code, target, target_raw, kf_target, kf_target_raw, unit, outcome_men, source_line) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [i, doc, slugify(name_key(r["name"]).full), r["name"], goals[gkey], r.get("goal_level", "kf_mal"),
             r.get("kf_goal_code"), target, None if target is None else str(target), kf,
             r.get("kf_target_raw", None if kf is None else str(kf)), r.get("unit", "%"), r.get("outcome_men"), i])
    con.execute("INSERT INTO indicators (indicator_id, name) SELECT indicator_id, min(name) FROM indicator_values GROUP BY 1")
    return con


def ids_by_name(con) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for name, ident in con.execute("SELECT name, indicator_id FROM indicator_values").fetchall():
        out.setdefault(name, set()).add(ident)
    return out


def same_identity(con, a: str, b: str) -> bool:
    ids = ids_by_name(con)
    return ids[a] == ids[b] and len(ids[a]) == 1


def write_overrides(path: Path, *rows: str) -> Path:
    path.write_text("# test overrides\nprinted_name,action,value,goal,note\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


# --- normalisation ------------------------------------------------------------------------

def test_clean_name_joins_line_break_hyphenation_but_keeps_compound_ellipsis():
    assert clean_name("Andel personer som har ekono-  miskt\n bistånd ") == "Andel personer som har ekonomiskt bistånd"
    assert clean_name("utförs på vård- och omsorgsboende") == "utförs på vård- och omsorgsboende"
    assert clean_name("Andel enheter med egenkontroll av SoL- dokumentationen.") == \
        "Andel enheter med egenkontroll av SoL-dokumentationen"


def test_name_key_equates_andel_andelen_case_and_wrapping():
    wrapped = "Andel barn som lever i \nfamiljer som har \nekonomiskt bistånd"
    assert name_key(wrapped) == name_key(EB_CHILDREN)
    assert name_key("Andelen nöjda omsorgstagare i dagverksamhet") == name_key("Andel nöjda omsorgstagare i dagverksamhet")
    assert name_key("Antalet besök på stadens fritidsgårdar").base == "antal besök på stadens fritidsgårdar"


def test_name_key_keeps_trailing_qualifier_and_direction_verb_apart():
    k = name_key("Andel personer som själv upplever att de får en förbättrad situation av "
                 "insatsen/insatserna de fått från socialtjänsten (ekonomiskt bistånd)")
    assert k.qualifier == "ekonomiskt bistånd"
    assert "(" not in k.base
    k2 = name_key("Antalet IA anmälningar inom kategorin förskolebarn minskar.")
    assert k2.verb_direction == "lower" and not k2.base.endswith("minskar")


# --- pairs measured on the seed documents ---------------------------------------------------

MUST_MERGE = [
    ("Andel brukare inom socialpsykiatrin som inte upplever diskriminering",
     "Andel brukare inom socialpsykiatri som inte upplever diskriminering"),
    ("Andel omsorgstagare som upplever att de kan påverka hur hjälpen utförs på vård- och omsorgsboende",
     "Andel omsorgstagare som upplever att de kan påverka hur hjälpen utförs på vård och omsorgsboenden"),
    ("Andelen nöjda omsorgstagare i dagverksamhet", "Andel nöjda omsorgstagare i dagverksamhet"),
    (EB_CHILDREN, "Andel barn som lever i\nfamiljer som har ekono- miskt bistånd"),
]

MUST_STAY_APART = [
    ("Nämndens budgetföljsamhet före resultatöverföringar", "Nämndens budgetföljsamhet efter resultatöverföringar"),
    ("Sjukfrånvaro", "Sjukfrånvaro dag 1-14"),
    ("Andel familjehemsplacerade barn som når målen i svenska/svenska som andraspråk, matematik, och engelska i grundskolan",
     "Andel institutionsplacerade barn som når målen i svenska/svenska som andraspråk, matematik, och engelska i grundskolan"),
    ("Andel barn och ungdomar som är nöjda med tillgången till idrottsaktiviteter",
     "Andel barn och ungdomar som är nöjda med tillgången till kulturaktiviteter"),
    ("Andel personer som själv upplever att de får en förbättrad situation av insatsen/insatserna de fått från "
     "socialtjänsten (ekonomiskt bistånd)",
     "Andel personer som själv upplever att dem får en förbättrad situation av insatsen/insatserna de fått från "
     "socialtjänsten (socialpsykiatri)"),
    ("Andel enheter som har en strukturerad egenkontroll av SoL-dokumentationen",
     "Andel enheter som har en strukturerad egenkontroll av HSL-dokumentationen"),
    ("Andel trygga omsorgstagare i hemtjänsten", "Andel trygga omsorgstagare i vård- och omsorgsboende"),
    ("Andel våldsutövare som fullföljer behandling på relationsvåldscenter innerstaden (RVCI)",
     "Andel våldsutsatta som fullföljer behandling på relationsvåldscenter innerstaden (RVCI)"),
    ("Andel medarbetare inom förskolan som kan rekommendera sin arbetsplats",
     "Andel medarbetare inom äldreomsorgen som kan rekommendera sin arbetsplats"),
]


@pytest.mark.parametrize("a,b", MUST_MERGE)
def test_tricky_pairs_merge(a, b):
    assert compare_keys(name_key(a), name_key(b)).decision == "same"
    con = make_db([{"name": a, "district": "Kungsholmen", "year": 2020},
                   {"name": b, "district": "Hägersten-Älvsjö", "year": 2025}])
    resolve_identities(con, None)
    assert same_identity(con, a, b)
    assert con.execute("SELECT count(*) FROM indicators").fetchone()[0] == 1


@pytest.mark.parametrize("a,b", MUST_STAY_APART)
def test_pairs_that_must_stay_apart(a, b):
    assert compare_keys(name_key(a), name_key(b)).decision != "same"
    con = make_db([{"name": a, "district": "Kungsholmen", "year": 2020},
                   {"name": b, "district": "Norrmalm", "year": 2021}])
    resolve_identities(con, None)
    assert not same_identity(con, a, b)


def test_bare_name_joins_its_only_qualified_variant_but_not_one_of_several():
    base = "Andel personer som själv upplever att de får en förbättrad situation av insatserna"
    one = make_db([{"name": base, "district": "Kungsholmen", "year": 2020},
                   {"name": base + " (ekonomiskt bistånd)", "district": "Norrmalm", "year": 2021}])
    resolve_identities(one, None)
    assert same_identity(one, base, base + " (ekonomiskt bistånd)")

    several = make_db([{"name": base, "district": "Kungsholmen", "year": 2020},
                       {"name": base + " (ekonomiskt bistånd)", "district": "Norrmalm", "year": 2021},
                       {"name": base + " (socialpsykiatri)", "district": "Norrmalm", "year": 2021, "goal": "Annat"}])
    resolve_identities(several, None)
    ids = ids_by_name(several)
    assert len(set().union(*ids.values())) == 3
    review = several.execute("SELECT candidate_score FROM indicator_matches WHERE printed_name = ? AND needs_review",
                             [base]).fetchall()
    assert review and review[0][0] == 100.0


def test_names_in_the_same_table_are_different_indicators():
    a = "Andel brukare inom socialpsykiatrin som inte upplever diskriminering"
    b = "Andel brukare inom socialpsykiatri som inte upplever diskriminering"
    con = make_db([{"name": a, "district": "Norrmalm", "year": 2021, "goal": "KF 1.4"},
                   {"name": b, "district": "Norrmalm", "year": 2021, "goal": "KF 1.4"}])
    resolve_identities(con, None)
    assert not same_identity(con, a, b)
    reason = con.execute("SELECT candidate_name, reason FROM indicator_matches WHERE needs_review").fetchall()
    assert any("same table" in r[1] for r in reason)


def test_same_words_under_different_goals_are_one_identity():
    # the city's KF indicators recur under renumbered goals and under a nämndmål
    con = make_db([{"name": EB_CHILDREN, "district": "Kungsholmen", "year": 2020, "goal": "KF 1.1"},
                   {"name": EB_CHILDREN, "district": "Kungsholmen", "year": 2020, "goal": "Nämndmål",
                    "goal_level": "namndmal"},
                   {"name": EB_CHILDREN, "district": "Hägersten-Älvsjö", "year": 2025, "goal": "KF 1.3"}])
    resolve_identities(con, None)
    assert len(ids_by_name(con)[EB_CHILDREN]) == 1


# --- units ------------------------------------------------------------------------------------

def test_unit_differs_never_merges_and_is_reported():
    # Kungsholmen 2020 prints "50 %" for this "Antal" indicator; others print "st"
    name = "Antal personer som utsatts för våld i nära relation som är kända av socialtjänsten"
    con = make_db([{"name": name, "district": "Kungsholmen", "year": 2020, "unit": "%"},
                   {"name": name, "district": "Norrmalm", "year": 2021, "unit": "st"},
                   {"name": name, "district": "Enskede-Årsta-Vantör", "year": 2021, "unit": "st"},
                   {"name": name, "district": "Norrmalm", "year": 2021, "unit": None, "goal": "Annat mål"}])
    warnings = resolve_identities(con, None)
    units = dict(con.execute("SELECT i.unit, count(*) FROM indicator_values v JOIN indicators i USING (indicator_id) "
                             "GROUP BY 1").fetchall())
    assert units == {"%": 1, "st": 3}     # the row without a unit joins the most printed unit
    assert any("different units" in w.message for w in warnings)
    assert con.execute("SELECT count(*) FROM indicator_matches WHERE needs_review").fetchone()[0] >= 2


def test_override_cannot_merge_different_units(tmp_path):
    a, b = "Antal besök på stadens fritidsgårdar", "Andel nöjda besökare på stadens fritidsgårdar"
    con = make_db([{"name": a, "district": "Kungsholmen", "year": 2020, "unit": "st"},
                   {"name": b, "district": "Norrmalm", "year": 2021, "unit": "%"}])
    warnings = resolve_identities(con, write_overrides(tmp_path / "o.csv", f"{a},same_as,{b},,"))
    assert not same_identity(con, a, b)
    assert any("not applied: units differ" in w.message for w in warnings)


# --- overrides ----------------------------------------------------------------------------------

def test_override_same_as_changes_identity_on_next_resolve(tmp_path):
    a = "Andel avhysningar som kunnat avvärjas efter inkommet meddelande till förvaltningen från kronofogdemyndigheten"
    b = "Andel meddelanden om avhysning som inkommit till förvaltningen från Kronofogdemyndigheten som kunnat avvärjas"
    rows = [{"name": a, "district": "Enskede-Årsta-Vantör", "year": 2021},
            {"name": b, "district": "Kungsholmen", "year": 2020}]
    con = make_db(rows)
    resolve_identities(con, None)
    assert not same_identity(con, a, b)
    path = write_overrides(tmp_path / "o.csv", f'"{b}",same_as,"{a}",,reworded in the 2021 budget')
    resolve_identities(con, path)            # the next build reads the edited file
    assert same_identity(con, a, b)
    assert con.execute("SELECT count(*) FROM indicators").fetchone()[0] == 1
    method = con.execute("SELECT method FROM indicator_matches WHERE printed_name = ?", [b]).fetchone()[0]
    assert method == "override"


def test_override_not_same_and_identity_and_direction(tmp_path):
    a = "Andel brukare inom socialpsykiatrin som inte upplever diskriminering"
    b = "Andel brukare inom socialpsykiatri som inte upplever diskriminering"
    con = make_db([{"name": a, "district": "Norrmalm", "year": 2021},
                   {"name": b, "district": "Hägersten-Älvsjö", "year": 2025}])
    path = write_overrides(tmp_path / "o.csv", f"{a},not_same,{b},,", f"{b},identity,diskriminering-sp-2025,,",
                           f"{b},direction,neither,,")
    resolve_identities(con, path)
    ids = ids_by_name(con)
    assert ids[b] == {"diskriminering-sp-2025"} and ids[a] != ids[b]
    assert con.execute("SELECT direction FROM indicators WHERE indicator_id = 'diskriminering-sp-2025'").fetchone()[0] == "neither"


def test_goal_scoped_identity_splits_same_words_under_another_goal(tmp_path):
    name = "Andel nöjda omsorgstagare"
    con = make_db([{"name": name, "district": "Hägersten-Älvsjö", "year": 2025, "goal": "Äldreomsorg"},
                   {"name": name, "district": "Norrmalm", "year": 2021, "goal": "Daglig verksamhet LSS"}])
    resolve_identities(con, write_overrides(tmp_path / "o.csv", f"{name},identity,nojda-omsorgstagare-lss,daglig verksamhet,"))
    rows = dict(con.execute("SELECT d.district, v.indicator_id FROM indicator_values v JOIN documents d USING (document_id)").fetchall())
    assert rows["Norrmalm"] == "nojda-omsorgstagare-lss" and rows["Hägersten-Älvsjö"] != "nojda-omsorgstagare-lss"


def test_bad_override_rows_are_reported_not_fatal(tmp_path):
    path = write_overrides(tmp_path / "o.csv", "Sjukfrånvaro,merge,x,,", "Sjukfrånvaro,direction,upp,,",
                           "Sjukfrånvaro,direction,lower,,")
    overrides, warnings = load_overrides(path)
    assert [o.action for o in overrides] == ["direction"]
    assert len(warnings) == 2 and all(w.stage == "indicators" for w in warnings)


# --- KF:s årsmål reconciliation -------------------------------------------------------------------

def test_kf_target_disagreement_between_districts_is_a_warning():
    con = make_db([{"name": EB_CHILDREN, "district": "Kungsholmen", "year": 2021, "target": 0.7, "kf_target": 2.7},
                   {"name": EB_CHILDREN, "district": "Norrmalm", "year": 2021, "target": 0.8, "kf_target": 2.5},
                   {"name": EB_CHILDREN, "district": "Enskede-Årsta-Vantör", "year": 2022, "target": 3.3, "kf_target": 2.0}])
    warnings = resolve_identities(con, None)
    msgs = [w.message for w in warnings if "KF:s årsmål" in w.message]
    assert len(msgs) == 1 and "2021" in msgs[0] and "2,5 (Norrmalm)" in msgs[0] and "2,7 (Kungsholmen)" in msgs[0]
    assert con.execute("SELECT count(*) FROM kf_target_checks WHERE status = 'disagree'").fetchone()[0] == 2


def test_kf_target_fills_a_single_value_plan_row_from_the_other_districts():
    con = make_db([{"name": EB_CHILDREN, "district": "Kungsholmen", "year": 2021, "target": 0.7, "kf_target": 2.7},
                   {"name": EB_CHILDREN, "district": "Norrmalm", "year": 2021, "target": 0.8, "kf_target": 2.7},
                   {"name": EB_CHILDREN, "district": "Enskede-Årsta-Vantör", "year": 2021, "target": 3.3},
                   # "Tas fram av nämnd" printed: not an empty cell, nothing to fill
                   {"name": EB_CHILDREN, "district": "Hägersten-Älvsjö", "year": 2021, "target": 1.0,
                    "kf_target_raw": "Tas fram av nämnd"}])
    resolve_identities(con, None)
    kf = dict(con.execute("SELECT d.district, v.kf_target FROM indicator_values v JOIN documents d USING (document_id)").fetchall())
    assert kf == {"Kungsholmen": 2.7, "Norrmalm": 2.7, "Enskede-Årsta-Vantör": 2.7, "Hägersten-Älvsjö": None}
    filled = con.execute("SELECT district, status, note FROM kf_target_checks WHERE status LIKE 'filled%'").fetchall()
    assert filled == [("Enskede-Årsta-Vantör", "filled", "KF:s årsmål 2,7 from Kungsholmen, Norrmalm")]


def test_kf_target_single_value_in_kf_column_that_differs_is_flagged():
    con = make_db([{"name": EB_CHILDREN, "district": "Kungsholmen", "year": 2021, "target": 0.7, "kf_target": 2.7},
                   {"name": EB_CHILDREN, "district": "Norrmalm", "year": 2021, "kf_target": 0.9}])
    warnings = resolve_identities(con, None)
    assert any("may be the district's own årsmål" in w.message for w in warnings)
    assert con.execute("SELECT status FROM kf_target_checks WHERE district = 'Norrmalm'").fetchone()[0] == "check_differs"


# --- catalogue attributes, direction, attainment ---------------------------------------------------

def test_catalogue_row_has_unit_direction_kf_and_gender_split():
    con = make_db([{"name": EB_CHILDREN, "district": "Norrmalm", "year": 2021, "kf_target": 2.7, "target": 0.8,
                    "outcome_men": 1.3},
                   {"name": "Andel nöjda föräldrar till barn i förskolan", "district": "Norrmalm", "year": 2021,
                    "goal": "Nämndmål", "goal_level": "namndmal", "target": 88}])
    resolve_identities(con, None)
    cat = {r[0]: r[1:] for r in con.execute("SELECT name, unit, direction, is_kf, gender_split FROM indicators").fetchall()}
    assert cat[EB_CHILDREN] == ("%", "lower", True, True)
    assert cat["Andel nöjda föräldrar till barn i förskolan"] == ("%", "higher", False, False)


@pytest.mark.parametrize("name,direction", [
    (EB_CHILDREN, "lower"),
    ("Andel personer som själv upplever att de får en förbättrad situation av insatserna (ekonomiskt bistånd)", "higher"),
    ("Sjukfrånvaro dag 1-14", "lower"),
    ("Andel barn och unga som bedömts ha skyddsbehov och som inte fått vänta på placering", "higher"),
    ("Andel avhysningar som kunnat avvärjas efter inkommet meddelande", "higher"),
    ("Antal vräkningar som berör barn", "lower"),
    ("Nämndens budgetföljsamhet före resultatöverföringar", "neither"),
    ("Antalet IA anmälningar inom kategorin förskolebarn minskar", "lower"),
    ("Andel nöjda föräldrar till barn i förskolan", "higher"),
])
def test_direction_rules(name, direction):
    assert infer_direction(name)[0] == direction


# --- the review report ---------------------------------------------------------------------------

def test_uncertain_match_report_lists_pairs_with_scores(tmp_path):
    a, b = "Klimatpåverkan från upphandlade livsmedel och måltider", "Klimatpåverkan från upphandlade livsmedel"
    db = tmp_path / "t.duckdb"
    con = make_db([{"name": a, "district": "Kungsholmen", "year": 2020, "unit": None},
                   {"name": b, "district": "Hägersten-Älvsjö", "year": 2025, "unit": None},
                   {"name": EB_CHILDREN, "district": "Kungsholmen", "year": 2020},
                   {"name": EB_CHILDREN, "district": "Hägersten-Älvsjö", "year": 2025}],
                  con=duckdb.connect(str(db)))
    resolve_identities(con, None)
    con.close()
    result = CliRunner().invoke(indicators_command, ["--db", str(db), "--width", "200"])
    assert result.exit_code == 0, result.output
    out = result.output
    review = out[out.index("TO REVIEW"):out.index("KF:S")]
    assert "86,3" in review and a in review and b in review and "words added: måltid" in review
    assert "2 distr  2020,2025" in out and EB_CHILDREN in out
    assert "4 printed names" not in out and out.startswith("3 printed names")


def test_report_command_explains_a_missing_database(tmp_path):
    result = CliRunner().invoke(indicators_command, ["--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code != 0 and "python -m etl build" in result.output


# --- the seed documents -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_db(tmp_path_factory):
    from etl.store.build import build_database
    db = tmp_path_factory.mktemp("seed") / "s.duckdb"
    build_database(ROOT / "data" / "raw", db)
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def test_seeds_shared_indicator_has_one_identity_in_four_districts(seed_db):
    rows = seed_db.execute("""
        SELECT v.indicator_id, count(DISTINCT d.district), count(DISTINCT d.year)
        FROM indicator_values v JOIN documents d USING (document_id)
        WHERE lower(v.name) LIKE 'andel barn som lever i familjer som har ekonomiskt bistånd%' GROUP BY 1""").fetchall()
    assert len(rows) == 1 and rows[0][1] == 4 and rows[0][2] == 3
    direction, is_kf = seed_db.execute("SELECT direction, is_kf FROM indicators WHERE indicator_id = ?", [rows[0][0]]).fetchone()
    assert (direction, is_kf) == ("lower", True)


def test_seeds_report_runs_and_every_row_has_a_catalogued_identity(seed_db):
    orphans = seed_db.execute("SELECT count(*) FROM indicator_values WHERE indicator_id NOT IN "
                              "(SELECT indicator_id FROM indicators)").fetchone()[0]
    assert orphans == 0
    lines = report_lines(seed_db)
    assert any(line.startswith("TO REVIEW") for line in lines)


def test_seeds_shipped_overrides_apply_without_warnings(seed_db):
    overrides, warnings = load_overrides(ROOT / "data" / "indicator_overrides.csv")
    assert warnings == []
    build_warnings = [m for (m,) in seed_db.execute(
        "SELECT message FROM warnings WHERE stage = 'indicators' AND message LIKE '%override%'").fetchall()]
    assert build_warnings == []          # every curated override applies
    lines = override_lines(seed_db, ROOT / "data" / "indicator_overrides.csv")
    assert lines[0].endswith(f"0 of {len(overrides)} override rows match nothing in this database"), lines
    ids = {name_key(n).full: i for n, i in seed_db.execute("SELECT name, indicator_id FROM indicator_values").fetchall()}
    for o in overrides:
        if o.action == "same_as":
            assert ids[name_key(o.printed_name).full] == ids[name_key(o.value).full], o.printed_name


def test_seeds_known_pairs_stay_apart(seed_db):
    ids = {}
    for n, i in seed_db.execute("SELECT name, indicator_id FROM indicator_values").fetchall():
        ids.setdefault(name_key(n).full, set()).add(i)
    for a, b in MUST_STAY_APART:
        ka, kb = name_key(a).full, name_key(b).full
        if ka in ids and kb in ids:
            assert not ids[ka] & ids[kb], (a, b)


def test_report_shows_override_rows_that_match_nothing(tmp_path):
    # not a build warning (a partial build lacks most names), but the report says so
    db = tmp_path / "t.duckdb"
    con = make_db([{"name": "Sjukfrånvaro", "district": "Kungsholmen", "year": 2020},
                   {"name": "Sjukfrånvaro dag 1-14", "district": "Kungsholmen", "year": 2020}],
                  con=duckdb.connect(str(db)))
    path = write_overrides(tmp_path / "o.csv", "Sjukfrånvaro,same_as,Sjukfrånvaro totalt,,",
                           "Okänd indikator,direction,lower,,", "Sjukfrånvaro dag 1-14,direction,lower,,")
    warnings = resolve_identities(con, path)
    assert not any("Okänd" in w.message for w in warnings)
    con.close()
    out = CliRunner().invoke(indicators_command, ["--db", str(db), "--overrides", str(path),
                                                  "--section", "overrides"]).output
    assert "line 3: 'Sjukfrånvaro' same_as 'Sjukfrånvaro totalt': not printed: 'Sjukfrånvaro totalt'" in out
    assert "line 4: 'Okänd indikator' direction 'lower': not printed: 'Okänd indikator'" in out
    assert "line 5" not in out and "2 of 3 override rows match nothing" in out


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st

_words = st.sampled_from(["Andel", "Andelen", "vård-", "och", "ekono-", "miskt", "(ekonomiskt bistånd)",
                          "ökar", "minskar.", "SoL-", "dokumentationen", "1-14", "–", "”x”", "insatsen/insatserna",
                          "i", "som", "(", ")", "a", "-", ""])
_name_text = st.one_of(
    st.text(alphabet="abcåäöAÅ- ()/.,%1\n", min_size=0, max_size=40),
    st.lists(st.tuples(_words, st.sampled_from([" ", "\n", "  ", "- ", ""])), max_size=8).map(
        lambda ws: "".join(w + sep for w, sep in ws)),
)


@settings(max_examples=300, deadline=None)
@given(_name_text)
def test_normalisation_is_idempotent(text):
    once = clean_name(text)
    assert clean_name(once) == once
    assert name_key(once) == name_key(text)
    assert compare_keys(name_key(text), name_key(once)).decision == "same"
