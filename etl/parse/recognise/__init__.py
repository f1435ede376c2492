"""Recognise stage: numbered lines -> goals, indicator rows, activities (+ warnings).

A single pass over the lines with a small state machine:
  * goal markers open goals (KF:s inriktningsmål > KF:s mål för verksamhetsområdet >
    Nämndmål > Enhetsmål); the goal text may follow on the next lines and wrap;
  * "Uppfylls helt/delvis/inte" under a goal is its assessment (reports);
  * a table header opens a table (plan, report or activity); lines are gathered into a row
    until the row's last cell (periodicity / period / dates) is seen; repeated headers after
    page breaks are skipped, also in the middle of a row; "Analys"/"Kommentar" paragraphs
    after a row are attached to it;
  * a heading (as the sections stage finds them: '#' lines, the template's labels, and in
    PDF text short lines shaped like headings) ends a table and the Analys text being read.
The flattened row text is then split into name and cells by etl.parse.cells.

Modules: ``recogniser.py`` (the loop and the entry point), ``state.py`` (the state every part
reads), ``goals.py`` (goal markers, assessments, table headers), ``text_tables.py`` (tables read
from text), ``cell_tables.py`` (tables read from a PDF's cells), ``row_text.py`` (a row's
text split into its name and cells).
"""
from etl.parse.recognise.recogniser import Recogniser, recognise

__all__ = ["Recogniser", "recognise"]
