"""Tables to CSV (semicolons, decimal commas: Swedish Excel) and Excel, with Swedish headers and
the codes of the query frames as a user reads them."""
from __future__ import annotations

import datetime as _dt
import io
import math
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl

from dashboard.export.notes import ExportMeta, source_note
from dashboard.labels import (
    ASSESSMENT_LABELS,
    ATTAINMENT_LABELS,
    DOC_TYPE_LABELS,
    LEVEL_LABELS,
)

# Known column names get Swedish headers in exports; anything else keeps its name.
SWEDISH_HEADERS = {
    "district": "Stadsdel",
    "year": "År",
    "indicator_id": "Indikator-id",
    "indicator": "Indikator",
    "name": "Indikator",
    "value": "Värde",
    "outcome": "Utfall",
    "outcome_men": "Utfall män",
    "outcome_women": "Utfall kvinnor",
    "target": "Årsmål",
    "kf_target": "KF:s årsmål",
    "prior_outcome": "Utfall föregående år",
    "prior_year": "Föregående år",
    "unit": "Enhet",
    "periodicity": "Periodicitet",
    "doc_type": "Dokumenttyp",
    "level": "Nivå",
    "unit_name": "Enhet (verksamhet)",
    "source_file": "Källfil",
    "source_line": "Rad",
    "source_page": "Sida",
    "series": "Serie",
    "category": "Kategori",
    "source": "Källa",
    "outcome_raw": "Tryckt utfall",
    "outcome_men_raw": "Tryckt utfall män",
    "outcome_women_raw": "Tryckt utfall kvinnor",
    "target_raw": "Tryckt mål",
    "kf_target_raw": "Tryckt KF:s årsmål",
    "prior_outcome_raw": "Tryckt utfall föregående år",
    "missing_reason": "Saknas för att",
    "from_later_report": "Från följande års rapport",
    "attainment": "Måluppfyllelse",
    "direction": "Riktning",
    "printed_name": "Tryckt namn",
    "analysis": "Analys",
    "goal_text": "Mål",
    "goal_code": "Målnummer",
    "area": "Område",
    "namndmal": "Nämndmål",
    "doc_year": "Dokumentår",
    "source_line_end": "Till rad",
}

# Codes of the query frames, as a user reads them (in CSV and Excel cells).
def _code_labels() -> dict[str, dict]:
    return {"attainment": ATTAINMENT_LABELS, "doc_type": DOC_TYPE_LABELS, "assessment": ASSESSMENT_LABELS,
            "level": LEVEL_LABELS,
            "direction": {"higher": "högre är bättre", "lower": "lägre är bättre"}}


# Bookkeeping columns of the query frames that the user never sees; left out of tables.
INTERNAL_COLUMNS = {"priority", "value_id", "document_id", "raw_text", "goal_id", "section_id",
                    "parent_goal_id"}

_YEARLIKE = {"year", "prior_year", "År", "Föregående år", "source_line", "source_page",
             "Rad", "Sida", "document_id", "value_id", "goal_id", "section_id"}


def table_for_export(df: pl.DataFrame, meta: ExportMeta | None = None, *,
                     swedish_headers: bool = True) -> pl.DataFrame:
    """The shown data plus unit and source columns, with Swedish headers.

    - Internal bookkeeping columns (INTERNAL_COLUMNS: ids, sort priority) are left out;
      nested values (lists) become text.

    - "Enhet": from a unit column if present, else meta.unit.
    - "Källa": per row from doc_type/year/district when the frame carries provenance,
      else meta.source (without the "Källa: " prefix).
    """
    out = df.drop([c for c in df.columns if c in INTERNAL_COLUMNS])
    nested = [c for c, t in out.schema.items() if t.is_nested() or t == pl.Object]
    if nested:  # lists (e.g. years) as "2020, 2021": CSV cannot hold nested values
        out = out.with_columns(
            pl.Series(c, [None if v is None else ", ".join(map(str, v)) if isinstance(v, (list, tuple))
                          else str(v) for v in out.get_column(c).to_list()], dtype=pl.String)
            for c in nested)
    cols = set(out.columns)
    if "unit" not in cols and meta is not None and meta.unit:
        out = out.with_columns(pl.lit(meta.unit).alias("unit"))
    if "source" not in cols:
        if {"doc_type", "district"} <= cols:
            notes = [source_note([r], prefix="") or None for r in
                     out.select([c for c in ("doc_type", "year", "doc_year", "from_later_report",
                                             "district", "level", "unit_name")
                                 if c in cols]).to_dicts()]
            out = out.with_columns(pl.Series("source", notes, dtype=pl.String))
        elif meta is not None and meta.source:
            note = meta.source.removeprefix("Källa: ").removeprefix("Källor: ")
            out = out.with_columns(pl.lit(note).alias("source"))
    # codes as words (after the source notes, which read the codes)
    codes = _code_labels()
    out = out.with_columns(
        [pl.col(c).replace_strict(codes[c], default=pl.col(c), return_dtype=pl.String)
         for c in out.columns if c in codes and out.schema[c] == pl.String]
        + [pl.col(c).replace_strict({True: "ja", False: "nej"}, default=None, return_dtype=pl.String)
           for c, t in out.schema.items() if t == pl.Boolean])
    if swedish_headers:
        mapping = {}
        used = set(out.columns)
        for c in out.columns:
            new = SWEDISH_HEADERS.get(c)
            if new and new not in used:
                mapping[c] = new
                used.add(new)
        out = out.rename(mapping)
    return out


def frame_to_csv(df: pl.DataFrame, meta: ExportMeta | None = None, *,
                 swedish_headers: bool = True) -> bytes:
    """CSV for Swedish Excel: UTF-8 with BOM, ';' separator, decimal comma.

    Why: Excel opened by double-click splits on the regional list separator, which is ';'
    in Swedish Windows, and parses numbers with the regional decimal ',' — a ',' separated
    file with '.' decimals lands in one column with numbers as text. Without the BOM Excel
    reads the file as Windows-1252 and "Hägersten-Älvsjö" becomes mojibake. No thousands
    separator (Excel parses "1234,5" but may read "1 234,5" as text). Read it back with
    ``pl.read_csv(data, separator=";", decimal_comma=True)``.
    """
    out = table_for_export(df, meta, swedish_headers=swedish_headers)
    buf = io.BytesIO()
    out.write_csv(buf, separator=";", decimal_comma=True, include_bom=True,
                  float_scientific=False, line_terminator="\r\n")
    return buf.getvalue()


def decimals(values: Iterable[float | None], max_dec: int = 3) -> int:
    need = 0
    for v in values:
        if v is None or (isinstance(v, float) and (math.isnan(v) or math.isinf(v))):
            continue
        for d in range(need, max_dec + 1):
            if abs(round(v, d) - v) < 1e-9 * max(1.0, abs(v)):
                need = max(need, d)
                break
        else:
            need = max_dec
    return need


def number_format_for(column: str, values: Sequence[Any], dtype: pl.DataType) -> str:
    """Excel number format code (locale-independent codes; Swedish Excel shows "1 234,5")."""
    if dtype.is_integer():
        return "0" if column in _YEARLIKE else "#,##0"
    dec = decimals(values)
    return "#,##0" if dec == 0 else "#,##0." + "0" * dec


def frame_to_xlsx(df: pl.DataFrame, meta: ExportMeta, *, swedish_headers: bool = True) -> bytes:
    """Excel workbook: sheet "Data" (header row 1, real numbers with number formats, unit
    and source columns, autofilter, frozen header) and sheet "Om data" (title, subtitle,
    unit, source, export date)."""
    import xlsxwriter

    out = table_for_export(df, meta, swedish_headers=swedish_headers)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "nan_inf_to_errors": True})
    wb.set_properties({"title": meta.title, "subject": meta.subtitle_line(),
                       "comments": meta.source})
    header = wb.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1,
                            "text_wrap": True, "valign": "top"})
    ws = wb.add_worksheet("Data")
    formats: dict[str, Any] = {}
    for j, col in enumerate(out.columns):
        ws.write_string(0, j, col, header)
        series = out.get_column(col)
        dtype = series.dtype
        values = series.to_list()
        if dtype.is_numeric():
            code = number_format_for(col, values, dtype)
            fmt = formats.setdefault(code, wb.add_format({"num_format": code}))
            for i, v in enumerate(values, start=1):
                if v is None or (isinstance(v, float) and math.isnan(v)):
                    ws.write_blank(i, j, None)
                else:
                    ws.write_number(i, j, v, fmt)
            width = 12
        else:
            texts = ["" if v is None else str(v) for v in values]
            for i, t in enumerate(texts, start=1):
                if t:
                    ws.write_string(i, j, t)
            width = min(60, max([len(col)] + [len(t) for t in texts]) + 2)
        ws.set_column(j, j, max(width, len(col) + 2))
    ws.freeze_panes(1, 0)
    if out.width:
        ws.autofilter(0, 0, max(out.height, 1), out.width - 1)
    info = wb.add_worksheet("Om data")
    bold = wb.add_format({"bold": True})
    rows = [("Titel", meta.title), ("Beskrivning", meta.subtitle_line()),
            ("Enhet", meta.unit or ""), ("Källa", meta.source),
            ("Exporterad", _dt.date.today().isoformat()),
            ("Verktyg", "Stadsdelsjämföraren")]
    for i, (k, v) in enumerate(rows):
        info.write_string(i, 0, k, bold)
        info.write_string(i, 1, v or "")
    info.set_column(0, 0, 14)
    info.set_column(1, 1, 100)
    wb.close()
    return buf.getvalue()
