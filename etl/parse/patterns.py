"""Named, precompiled patterns for the recognisers: the document family's vocabulary as data.

Nothing here names a particular district's indicator or value; these are the words the
city's plan/report templates print (column headers, goal labels, standard cell phrases).
"""
from __future__ import annotations

import re

# -- goal markers -------------------------------------------------------------------
# A marker is the label at the start of a line, followed by ":" or the end of the line
# (so "nämndmål och tidigare enhetsmål" in running text is not a goal).
INRIKTNINGSMAL = re.compile(r"^\W*KF:s inriktningsmål(?::\s*|\s*$)(?P<rest>.*)$")
KF_MAL = re.compile(r"^\W*KF:s mål för verksamhetsområdet(?::\s*|\s*$)(?P<rest>.*)$")
NAMNDMAL = re.compile(r"^\W*Nämndmål(?::\s*|\s*$)(?P<rest>.*)$")
ENHETSMAL = re.compile(r"^\W*Enhetsmål(?::\s*|\s*$)(?P<rest>.*)$")
GOAL_CODE = re.compile(r"^(?P<code>\d+(?:\.\d+)*)\.?\s+(?P<text>\S.*)$")
ASSESSMENT = re.compile(r"^\W*(?:Målet\s+)?uppfylls\s+(?P<grade>helt|delvis|inte|ej)\b\.?\s*$", re.I)

# -- table headers ------------------------------------------------------------------
# Plans: "Indikator Årsmål KF:s årsmål Periodicitet" (also "Arsmål", "KF:s årsmål år 2025").
PLAN_HEADER = re.compile(r"^\W*Indikator\s+[ÅA]rsmål\s+KF:s\s+årsmål(?:\s+år\s+\d{4})?\s+Periodicitet\s*$", re.I)
# Reports: the header is wrapped over several lines; it starts "Indikator Periodens".
REPORT_HEADER_START = re.compile(r"^\s*Indikator\s+Periodens\s*$", re.I)
REPORT_HEADER_END = re.compile(r"^\s*[ÅA]rsmål\s+KF:s|^\s*årsmål\s+Period\s*$", re.I)
REPORT_HEADER_WORDS = re.compile(
    r"^\s*(?:utfall|Utfall|män/|pojkar|kvinnor/|flickor|Periodens|utfall VB|\d{4}|[ÅA]rsmål KF:s|årsmål Period)\s*$")
PRIOR_YEAR = re.compile(r"utfall\s+VB\s+(?P<year>\d{4})", re.I)
# Something that starts like an indicator table header but is not one we know (a column
# missing or renamed): reported, and read as a plan table when it ends in Periodicitet.
LOOSE_INDICATOR_HEADER = re.compile(
    r"^\W*Indikator(?:er)?\s+(?:(?:[ÅA]rsmål|KF:s|årsmål|Mål|Utfall|Periodicitet|Period|år|\d{4})\s*)+$", re.I)
ACTIVITY_HEADER = re.compile(r"^\W*Aktivitet\s+Startdatum\s+Slutdatum(?P<dev>\s+Avvikelse)?\s*$", re.I)

# Lines that end a table region (besides goal markers and other headers).
SUBHEADINGS = re.compile(r"^\W*(?:Beskrivning|Förväntat resultat|Analys|Kommentar)\W*$", re.I)
ANALYSIS = re.compile(r"^\W*(?:Analys|Kommentar)\s*:?\s*$", re.I)

# -- cells --------------------------------------------------------------------------
# Periodicity (plans) and period (reports): the last cell of an indicator row.
PERIOD = r"(?:VB|T[123]|Tertial\s?[123]|Delår)\s?\d{4}|20[0-4]\d|Tertial|År|Halvår|Månad|Kvartal|Vecka|Läsår|Termin|Helår|Månadsvis"
PERIOD_AT_END = re.compile(r"(?:^|\s)(?P<period>" + PERIOD + r")\s*$")
# Standard word cells (targets that are not numbers). Matched case-insensitively.
WORD_CELLS = [
    r"Tas fram av nämnd\s?/\s?styrelse", r"Tas fram av (?:nämnd|styrelse|nämnden)", r"Tas fram",
    r"Fastställs(?: i)? (?:\d{4}|[tT]\d(?: \d{4})?|VB \d{4})", r"Fastställs",
    r"Ökning", r"Minskning", r"Ökad", r"Minskad", r"Öka", r"Minska", r"Bibehålla", r"Bibehålls",
    r"Oförändrad", r"Oförändrat", r"Ja", r"Nej", r"Saknas", r"Ej mätt", r"Mäts ej", r"Uppnås",
    r"-", r"–", r"—",
]
# Words that text extraction sometimes breaks ("Fastställ s", "styrel se"); mended in raw text.
MENDABLE_WORDS = ["Fastställs", "styrelse", "nämnd", "Tertial", "Periodicitet", "årsmål", "Årsmål"]

UNITS = r"%|procent|st|kr|tkr|mnkr|dagar|dygn|timmar|tim|minuter|min|veckor|månader|personer|poäng|ggr|gånger|kWh|MWh|GWh|kg|ton"
QUALIFIER = r"(?:Max|Min|Minst|Högst|Under|Över|Ca|max|min|minst|högst|under|över|ca|\+/-|±|<|>|≤|≥)"
NUMBER = r"[-−+]?(?:\d{1,3}(?:\s\d{3})+|\d+)(?:,\d+)?"
NUMBER_NO_GROUPS = r"[-−+]?\d+(?:,\d+)?"

YEAR = r"(?:19|20)\d\d"
DATE = r"\d{4}-\d{2}-\d{2}"
ACTIVITY_DATES = re.compile(r"(?:^|\s)(?P<start>" + DATE + r")\s+(?P<end>" + DATE + r")(?P<dev>\s.*)?$")

# Page furniture printed into the text: "Sid 49 (116)" with the document footer around it, a
# bare "Sid 49" or "Sida 3 av 12", the "Tjänsteutlåtande" running header. (The footer's web
# address and phone number are furniture only under a page number: FOOTER_* below.)
PAGE_FURNITURE = re.compile(r"^\s*(?:(?:\S.*\s)?Sid\s+\d+\s+\(\d+\)(?:\s.*)?|Sid\s+\d+|Sida\s+\d+\s+av\s+\d+"
                            r"|Tjänsteutlåtande(?:\s.*)?)\s*$")
# Markdown/HTML emphasis and tags in .md documents (removed from labels, cells and snippets)
MARKUP = re.compile(r"<[^>]+>|\*\*|__")
# The page footer printed under "Sid 49 (116)": the office's web address and phone number
# ("start.stockholm", "stockholm.se", "08-508 08 079", "50809014"), with the street address
# ("Sankt Eriksgatan 117") before them.
PAGE_NUMBER = re.compile(r"\bSid\s+\d+\s+\(\d+\)")
FOOTER_WEB = re.compile(r"^\s*[a-zåäö][\w-]*(?:\.[a-zåäö][\w-]*)+\s*$")
# a phone number is one cell: digits and dashes with single spaces ("08-508 08 079", "50809014");
# "150 000  160 000" (two cells) is a table's value line
FOOTER_PHONE = re.compile(r"^\s*(?=(?:\D*\d){7})\+?\d[\d-]*(?: \d[\d-]*)*\s*$")
FOOTER_ADDRESS = re.compile(r"^\s*[A-ZÅÄÖ][a-zåäöé]+(?:\s[A-ZÅÄÖa-zåäöé]+)*\s\d{1,4}[A-Za-z]?\s*$")
FOOTER_LINES = 3            # lines after the page number that may belong to the footer
# A table-of-contents entry: dot leaders and a page number ("KF:s mål … ..... 43").
TOC_ENTRY = re.compile(r"(?:\.\s?){4,}\s*\d+\s*$")

# Lower-case words one of which is in every line that the line patterns above may match (page
# furniture, goal markers, assessments, table headers); a table-of-contents entry ends in a
# digit. A cheap test before the patterns (etl.parse.recognise).
LINE_KEYWORDS = ("indikator", "aktivitet", "kf:s", "nämndmål", "enhetsmål", "uppfylls", "sid", "tjänsteutlåtande")
# Letters that re.I matches with an ASCII or Swedish letter but that str.lower() does not turn
# into it (dotted and dotless i, long s, the Kelvin and Ångström signs): a text with one of
# them is searched with the case-insensitive patterns as written (tests/test_fast_paths.py).
CASE_FOLD_EXTRAS = "\u0130\u0131\u017f\u212a\u212b"


def has_case_fold_extras(text: str) -> bool:
    return any(c in text for c in CASE_FOLD_EXTRAS)      # (str "in" scans fast)
