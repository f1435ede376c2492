"""A small, made-up DuckDB database for the dashboard tests, built through etl/store/schema.sql.

Values are realistic in shape (units, wrapped names, raw cells like "1,3 %" or "Tas fram",
an annual report's "Periodens utfall VB <previous year>" column) but invented.

What the fixture contains, so tests can state expectations:
- Reports (verksamhetsberattelse) 2021 for Norrmalm, Kungsholmen, Hägersten-Älvsjö and
  Spånga-Tensta; a 2020 report for Norrmalm; plans (verksamhetsplan) 2021 for
  Enskede-Årsta-Vantör, 2020 for Kungsholmen; a unit-level (enhet) plan for Hägersten-Älvsjö.
- "Andel barn ... ekonomiskt bistånd" (lower is better, KF indicator): outcomes 2021 for
  Norrmalm 1,3, Kungsholmen 0,9, Hägersten-Älvsjö 2,1; Spånga-Tensta's report lacks the row;
  Enskede-Årsta-Vantör only has a plan (target 3,0). Kungsholmen's 2020 outcome (1,1) is
  known only from its 2021 report's prior-year column.
- "Andel personer ... ekonomiskt bistånd" with a gender split; Hägersten-Älvsjö printed
  "Tas fram" instead of an outcome.
- Budget lines (Budget/Bokslut 2021) for Norrmalm and Kungsholmen, sections, warnings.
- Activities (ACTIVITIES): Norrmalm's 2021 report has one marked "Avvikelse" (with an analysis)
  and one whose end date (2022-06-30) lies after the report's year; Kungsholmen's 2021 report
  and Enskede-Årsta-Vantör's 2021 plan each have one about "äldreomsorgen(s)", the plan's with
  a start date printed as text ("Hösten 2021") and no goal; one in Kungsholmen's 2020 plan,
  one in the unit-level plan.
"""
from __future__ import annotations

from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "etl" / "store" / "schema.sql"

BARN = "andel-barn-ekonomiskt-bistand"
PERSONER = "andel-personer-ekonomiskt-bistand"
FERIEJOBB = "antal-platser-feriejobb"
KOSTNAD = "kostnad-per-brukare-hemtjanst"

DOCUMENTS = [
    # id, district, year, doc_type, level, unit_name, source_file
    (1, "Norrmalm", 2021, "verksamhetsberattelse", "namnd", None, "norrmalm_verksamhetsberattelse_2021.txt"),
    (2, "Kungsholmen", 2021, "verksamhetsberattelse", "namnd", None, "kungsholmen_verksamhetsberattelse_2021.txt"),
    (3, "Enskede-Årsta-Vantör", 2021, "verksamhetsplan", "namnd", None, "enskede-arsta-vantor_verksamhetsplan_2021.txt"),
    (4, "Hägersten-Älvsjö", 2021, "verksamhetsberattelse", "namnd", None, "hagersten-alvsjo_verksamhetsberattelse_2021.txt"),
    (5, "Kungsholmen", 2020, "verksamhetsplan", "namnd", None, "kungsholmen_verksamhetsplan_2020.txt"),
    (6, "Hägersten-Älvsjö", 2021, "verksamhetsplan", "enhet", "Liljeholmens dagliga verksamheter",
     "hagersten-alvsjo_enhet-liljeholmens-dagliga-verksamheter_verksamhetsplan_2021.txt"),
    (7, "Norrmalm", 2020, "verksamhetsberattelse", "namnd", None, "norrmalm_verksamhetsberattelse_2020.txt"),
    (8, "Spånga-Tensta", 2021, "verksamhetsberattelse", "namnd", None, "spanga-tensta_verksamhetsberattelse_2021.txt"),
]

INDICATORS = [
    # id, name, unit, direction, is_kf, gender_split
    (BARN, "Andel barn som lever i familjer som har ekonomiskt bistånd", "%", "lower", True, False),
    (PERSONER, "Andel personer som har ekonomiskt bistånd i förhållande till befolkningen", "%", "lower", True, True),
    (FERIEJOBB, "Antal tillhandahållna platser för feriejobb", "st", "higher", False, False),
    (KOSTNAD, "Kostnad per brukare i hemtjänsten", "kr", None, False, False),
]

INRIKTNING = "En modern storstad med möjligheter och valfrihet för alla"
KF_ARBETE = "I Stockholm är människor självförsörjande och vägen till arbete och svenskkunskaper är kort"
KF_TRYGG = "Stockholm är en trygg, säker och välskött stad att bo och vistas"

# goal_id, document_id, level, code, text, assessment, assessment_raw, parent_code, parent_goal_id, line
GOALS = [
    (101, 1, "inriktningsmal", "1", INRIKTNING, None, None, None, None, 20),
    (102, 1, "kf_mal", "1.1", KF_ARBETE, "helt", "Målet bedöms vara helt uppfyllt", "1", 101, 300),
    (103, 1, "kf_mal", "1.2", KF_TRYGG, "delvis", "Målet bedöms vara delvis uppfyllt", "1", 101, 420),
    (104, 1, "namndmal", None, "Fler Norrmalmsbor är självförsörjande", None, None, "1.1", 102, 310),
    (201, 2, "inriktningsmal", "1", INRIKTNING, None, None, None, None, 25),
    (202, 2, "kf_mal", "1.1", KF_ARBETE, "delvis", "Delvis uppfyllt", "1", 201, 280),
    (203, 2, "kf_mal", "1.2", KF_TRYGG, "helt", "Helt uppfyllt", "1", 201, 400),
    (401, 4, "inriktningsmal", "1", INRIKTNING, None, None, None, None, 30),
    (402, 4, "kf_mal", "1.1", KF_ARBETE, "inte", "Målet uppfylls inte", "1", 401, 350),
    (403, 4, "kf_mal", "1.2", KF_TRYGG, None, None, "1", 401, 450),
    (301, 3, "inriktningsmal", "1", INRIKTNING, None, None, None, None, 18),
    (302, 3, "kf_mal", "1.1", KF_ARBETE, None, None, "1", 301, 210),
    (501, 5, "kf_mal", "1.1", KF_ARBETE, None, None, "1", None, 190),
    (701, 7, "kf_mal", "1.1", KF_ARBETE, "helt", "Helt uppfyllt", "1", None, 295),
    (801, 8, "kf_mal", "1.1", KF_ARBETE, "delvis", "Delvis uppfyllt", "1", None, 260),
]

ANALYS_NORRMALM = (
    "Andel barn som lever i familjer med ekonomiskt bistånd inom stadsdelsområdet överstiger "
    "årsmålet men har minskat något under senare delen av året."
)


def _value(value_id, document_id, indicator_id, name, line, goal_id=None, **cells):
    row = dict(
        value_id=value_id, document_id=document_id, indicator_id=indicator_id, name=name,
        goal_id=goal_id, goal_level="kf_mal" if goal_id else None, kf_goal_code="1.1",
        namndmal=None, target=None, target_raw=None, kf_target=None, kf_target_raw=None,
        unit=None, periodicity=None, outcome=None, outcome_raw=None, outcome_men=None,
        outcome_men_raw=None, outcome_women=None, outcome_women_raw=None, prior_outcome=None,
        prior_outcome_raw=None, prior_year=None, analysis=None, section_id=None,
        source_line=line, source_line_end=line + 3, source_page=None,
    )
    row.update(cells)
    return row


BARN_NAME = "Andel barn som lever i familjer som har ekonomiskt bistånd"
PERS_NAME = "Andel personer som har ekonomiskt bistånd i förhållande till befolkningen"

VALUES = [
    # Norrmalm report 2021
    _value(1, 1, BARN, BARN_NAME, 320, 102, unit="%", outcome=1.3, outcome_raw="1,3 %",
           prior_outcome=1.5, prior_outcome_raw="1,5 %", prior_year=2020, target=0.8,
           target_raw="0,8 %", kf_target=2.7, kf_target_raw="2,7 %", periodicity="VB 2021",
           analysis=ANALYS_NORRMALM, namndmal="Fler Norrmalmsbor är självförsörjande"),
    _value(2, 1, PERSONER, PERS_NAME, 335, 102, unit="%", outcome=0.48, outcome_raw="0,48 %",
           outcome_men=0.53, outcome_men_raw="0,53 %", outcome_women=0.43, outcome_women_raw="0,43 %",
           prior_outcome=0.52, prior_outcome_raw="0,52 %", prior_year=2020, target=0.5,
           target_raw="0,5 %", kf_target=1.5, kf_target_raw="1,5 %", periodicity="VB 2021"),
    _value(3, 1, FERIEJOBB, "Antal tillhandahållna platser för feriejobb", 380, 102, unit="st",
           outcome=230, outcome_raw="230", prior_outcome=184, prior_outcome_raw="184",
           prior_year=2020, target=200, target_raw="200 st", kf_target_raw="Tas fram"),
    _value(4, 1, KOSTNAD, "Kostnad per brukare i hemtjänsten", 600, None, unit="kr",
           outcome=1234.5, outcome_raw="1 234,5 kr", target=1300, target_raw="1 300 kr"),
    # Kungsholmen report 2021
    _value(11, 2, BARN, BARN_NAME, 290, 202, unit="%", outcome=0.9, outcome_raw="0,9 %",
           prior_outcome=1.1, prior_outcome_raw="1,1 %", prior_year=2020, target=1.0,
           target_raw="1,0 %", kf_target=2.7, kf_target_raw="2,7 %", periodicity="VB 2021"),
    _value(12, 2, PERSONER, "Andel personer som har ekonomiskt bistånd i förhållande till "
           "befolkningen", 300, 202, unit="%", outcome=0.40, outcome_raw="0,40 %",
           outcome_men=0.42, outcome_men_raw="0,42 %", outcome_women=0.38, outcome_women_raw="0,38 %",
           target=0.45, target_raw="0,45 %", kf_target=1.5, kf_target_raw="1,5 %"),
    _value(13, 2, FERIEJOBB, "Antal platser för feriejobb", 310, 202, unit="st", outcome=150,
           outcome_raw="150 st", target=180, target_raw="180 st"),
    # Enskede-Årsta-Vantör plan 2021 (targets only)
    _value(21, 3, BARN, BARN_NAME, 215, 302, unit="%", target=3.0, target_raw="3,0 %",
           kf_target=2.7, kf_target_raw="2,7 %", periodicity="Tertial"),
    # Hägersten-Älvsjö report 2021
    _value(31, 4, BARN, BARN_NAME, 360, 402, unit="%", outcome=2.1, outcome_raw="2,1 %",
           target=2.0, target_raw="2,0 %", kf_target=2.7, kf_target_raw="2,7 %"),
    _value(32, 4, PERSONER, PERS_NAME, 372, 402, unit="%", outcome_raw="Tas fram",
           target=0.9, target_raw="0,9 %", kf_target=1.5, kf_target_raw="1,5 %"),
    # Kungsholmen plan 2020
    _value(41, 5, BARN, BARN_NAME, 195, 501, unit="%", target=1.2, target_raw="1,2 %",
           kf_target=2.8, kf_target_raw="2,8 %"),
    # Norrmalm report 2020
    _value(51, 7, BARN, BARN_NAME, 300, 701, unit="%", outcome=1.6, outcome_raw="1,6 %",
           target=1.0, target_raw="1,0 %", kf_target=2.8, kf_target_raw="2,8 %"),
    # Spånga-Tensta report 2021: has the feriejobb row but not the BARN row
    _value(61, 8, FERIEJOBB, "Antal tillhandahållna platser för feriejobb", 270, 801, unit="st",
           outcome=95, outcome_raw="95 st", target=120, target_raw="120 st"),
    # Unit-level plan: must not appear in district comparisons
    _value(71, 6, BARN, BARN_NAME, 90, None, unit="%", target=9.9, target_raw="9,9 %"),
]

BUDGET = [
    # id, document_id, table_title, section, row_label, area, column_label, value, value_raw, unit, line
    (1, 1, "Driftbudget", None, "Förskoleverksamhet", "Förskola", "Budget 2021", 512.4, "512,4", "mnkr", 900),
    (2, 1, "Driftbudget", None, "Förskoleverksamhet", "Förskola", "Bokslut 2021", 498.1, "498,1", "mnkr", 900),
    (3, 1, "Driftbudget", None, "Äldreomsorg", "Äldreomsorg", "Budget 2021", 880.0, "880,0", "mnkr", 901),
    (4, 1, "Driftbudget", None, "Äldreomsorg", "Äldreomsorg", "Bokslut 2021", 905.3, "905,3", "mnkr", 901),
    (5, 2, "Driftbudget", None, "Förskola", "Förskola", "Budget 2021", 610.0, "610,0", "mnkr", 850),
    (6, 2, "Driftbudget", None, "Förskola", "Förskola", "Bokslut 2021", 601.2, "601,2", "mnkr", 850),
    (7, 2, "Driftbudget", None, "Äldreomsorg", "Äldreomsorg", "Budget 2021", 1020.5, "1 020,5", "mnkr", 851),
]

SECTIONS = [
    # id, document_id, heading, heading_path, text, start, end
    (1, 1, "Sammanfattande analys", "Sammanfattande analys",
     "Norrmalms stadsdelsnämnd har under verksamhetsåret 2021 bidragit till att uppfylla "
     "kommunfullmäktiges tre inriktningsmål.", 1, 19),
    (2, 1, "Goda exempel", "Arbete > Goda exempel",
     "Trots att feriejobb inte erbjudits inom dessa verksamheter har målet för erbjudna "
     "feriejobb uppnåtts.", 305, 315),
    (3, 2, "Trygghet", "Stadsmiljö > Trygghet",
     "Trygghetsundersökningen visar att fler känner sig trygga i Kungsholmen.", 400, 420),
    (4, 4, "Feriejobb", "Arbete > Feriejobb",
     "Förvaltningen erbjöd feriejobb till ungdomar i Hägersten-Älvsjö.", 500, 510),
]

WARNINGS = [
    (1, 1, "norrmalm_verksamhetsberattelse_2021.txt", "indicators",
     "Kunde inte tolka utfallet 'Fastställs 2021'", 350),
    (2, None, "trasig_fil.pdf", "read", "Filen kunde inte läsas", None),
]


def build_fixture_db(path: str | Path) -> Path:
    """Create the fixture database at `path` (overwriting) and return the path."""
    path = Path(path)
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    try:
        con.execute(SCHEMA.read_text(encoding="utf-8"))
        for d in DOCUMENTS:
            con.execute(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [*d, "0" * 64, "spaced", "content", 1000],
            )
        con.executemany("INSERT INTO indicators VALUES (?, ?, ?, ?, ?, ?)", INDICATORS)
        goal_cols = ("goal_id, document_id, level, code, text, assessment, assessment_raw, "
                     "parent_code, parent_goal_id, source_line")
        con.executemany(f"INSERT INTO goals ({goal_cols}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", GOALS)
        cols = list(VALUES[0])
        con.executemany(
            f"INSERT INTO indicator_values ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            [[v[c] for c in cols] for v in VALUES],
        )
        con.executemany(
            "INSERT INTO budget_lines (budget_line_id, document_id, table_title, section, row_label, "
            "area, column_label, value, value_raw, unit, source_line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            BUDGET,
        )
        con.executemany(
            "INSERT INTO sections (section_id, document_id, heading, heading_path, text, "
            "source_line_start, source_line_end) VALUES (?, ?, ?, ?, ?, ?, ?)",
            SECTIONS,
        )
        con.executemany("INSERT INTO warnings VALUES (?, ?, ?, ?, ?, ?)", WARNINGS)
        con.executemany(
            "INSERT INTO activities (activity_id, document_id, goal_id, goal_code, text, start_date, "
            "end_date, deviation, source_line, analysis) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ACTIVITIES,
        )
        con.executemany(
            "INSERT INTO build_info VALUES (?, ?)",
            [("built_at", "2026-11-22T07:00:00+00:00"), ("input_dir", "data/raw")],
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path


def build_empty_db(path: str | Path) -> Path:
    """The schema with no rows at all (a fresh build of an empty input folder)."""
    path = Path(path)
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    con.execute(SCHEMA.read_text(encoding="utf-8"))
    con.close()
    return path


# id, document_id, goal_id, goal_code, text, start_date, end_date, deviation, line, analysis
ACTIVITIES = [
    (1, 1, 102, "1.1", "Formalisera samverkan mellan försörjningsstödsenheten och samhällsvägledningen "
     "för nyanlända", "2021-01-01", "2021-12-31", None, 330, None),
    (2, 1, 104, None, "Team för psykisk ohälsa startas upp i hemtjänsten i egen regi", "2021-01-01",
     "2021-12-31", "Avvikelse", 340, "Kompetenssatsningen genomfördes under hösten och teamet "
     "planeras att startas upp under 2022."),
    (3, 1, 103, "1.2", "Utveckla trygghetsvandringar i Vasastaden tillsammans med lokala aktörer",
     "2021-03-01", "2022-06-30", None, 430, "Arbetet är påbörjat och fortsätter under 2022."),
    (4, 2, 202, "1.1", "Medarbetare inom äldreomsorgens verksamheter genomför kompetenshöjande insatser "
     "i jämställdhet", "2021-01-01", "2021-12-31", None, 292, None),
    (5, 2, 203, "1.2", "Genomföra trygghetsvandringar på Kungsholmen tillsammans med polisen",
     "2021-01-01", "2021-12-31", None, 405, None),
    (6, 3, 302, "1.1", "Erbjuda feriejobb till fler ungdomar i stadsdelsområdet", "2021-01-01",
     "2021-12-31", None, 220, None),
    (7, 3, None, None, "Ta fram en plan för digitalisering av äldreomsorgen", "Hösten 2021", "2021-12-31",
     None, 230, None),
    (8, 5, 501, "1.1", "Kartlägga behovet av feriejobb inför sommaren", "2020-01-01", "2020-06-30", None,
     200, None),
    (9, 6, None, None, "Utveckla de dagliga verksamheternas utbud av aktiviteter", "2021-01-01",
     "2021-12-31", None, 95, None),
]
