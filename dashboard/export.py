"""Exports of charts and data for presentations: PNG, SVG, PDF, PowerPoint, CSV, Excel.

Pure functions, no streamlit: the dashboard (dashboard/export_ui.py), the CLI
(etl/cli/export.py) and the tests all call these.

Images are rendered with vl-convert from the same Vega-Lite spec the browser shows,
wrapped in a presentation frame: a large title, a subtitle (unit and year), readable
fonts at projector size, a source footer, and the sv-SE number locale inside the spec
("1 234,5").
"""

from __future__ import annotations

import copy
import datetime as _dt
import io
import json
import math
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import vl_convert as vlc

from dashboard.queries import (
    ASSESSMENT_LABELS,
    ATTAINMENT_LABELS,
    DOC_TYPE_LABELS,
    LEVEL_LABELS,
    PLAN,
    REPORT,
    TERTIAL,
)

# ---------------------------------------------------------------------------
# Metadata and source notes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportMeta:
    """What a exported chart or table says about itself."""

    title: str
    subtitle: str = ""
    source: str = ""  # a ready "Källa: ..." note, see source_note()
    unit: str | None = None

    def subtitle_line(self) -> str:
        """The subtitle with the unit appended unless the subtitle already names it."""
        sub = (self.subtitle or "").strip()
        unit = (self.unit or "").strip()
        if unit and unit not in sub:
            sub = f"{sub} ({unit})" if sub else f"Enhet: {unit}"
        return sub

    def file_stem(self) -> str:
        """A file-name-safe stem from the title and what the subtitle says first (its year
        or view: "2021", "2021 per kön", "Utfall per år"), so the charts of one page download
        under different names (keeps å/ä/ö; drops punctuation)."""
        def safe(text: str, limit: int) -> str:
            keep = []
            for ch in text.strip():
                if ch.isalnum():
                    keep.append(ch)
                elif ch in " -_" and keep and keep[-1] != "-":
                    keep.append("-")
            return "".join(keep).strip("-")[:limit].strip("-")
        view = safe(self.subtitle.split(" · ")[0], 30) if self.subtitle else ""
        stem = "-".join(p for p in (safe(self.title, 70), view) if p)
        return stem or "export"


_DOC_TYPE_ORDER = {REPORT: 0, TERTIAL: 1, PLAN: 2}


def doc_type_label(doc_type: str | None) -> str:
    if not doc_type:
        return "Dokument"
    key = doc_type.strip().lower()
    return DOC_TYPE_LABELS.get(key, doc_type.strip().capitalize())


def district_genitive(district: str) -> str:
    """Swedish genitive of a district name as used in "<X> stadsdelsnämnd".

    Official names add -s after a consonant (Norrmalms, Skärholmens, Enskede-Årsta-Vantörs)
    and nothing after a vowel or s/x/z (Bromma, Farsta, Rinkeby-Kista, Hägersten-Älvsjö).
    """
    name = district.strip()
    if not name:
        return name
    last = name[-1].lower()
    if last in "aeiouyåäösxz":
        return name
    return name + "s"


def _rows(rows: Any) -> list[dict]:
    if rows is None:
        return []
    if isinstance(rows, pl.DataFrame):
        return rows.to_dicts()
    if isinstance(rows, Mapping):
        return [dict(rows)]
    return [dict(r) for r in rows]


def _doc_year(row: Mapping) -> Any:
    """The document's year: doc_year when given; a value taken from the next year's
    report (from_later_report) comes from the document of year + 1."""
    if row.get("doc_year") not in (None, ""):
        return row["doc_year"]
    year = row.get("year")
    if row.get("from_later_report") and year not in (None, ""):
        return int(year) + 1
    return year


def _one_source(row: Mapping) -> tuple[tuple, str]:
    dt = (row.get("doc_type") or "").strip().lower()
    year = _doc_year(row)
    district = (row.get("district") or "").strip()
    level = (row.get("level") or "namnd").strip().lower()
    unit_name = (row.get("unit_name") or "").strip()
    label = doc_type_label(dt)
    if year not in (None, ""):
        label += f" {int(year)}"
    parts = [label]
    if level == "enhet" and unit_name:
        parts.append(unit_name)
    if district:
        parts.append(f"{district_genitive(district)} stadsdelsnämnd")
    key = (district.lower(), -(int(year) if year not in (None, "") else 0),
           _DOC_TYPE_ORDER.get(dt, 9), unit_name.lower())
    return key, ", ".join(parts)


def _year_span(years: list[int]) -> str:
    """2021–2025 for consecutive years, else 2019, 2021 och 2022."""
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years[:-1])) + (" och " if len(years) > 1 else "") + str(years[-1])


def source_note(rows: Any, *, prefix: str = "Källa: ", group_from: int = 4) -> str:
    """A source note from provenance rows (dicts or a polars frame).

    Each row needs doc_type, year and district; level and unit_name are used when present.
    Duplicate documents are listed once. When one document type and year covers
    ``group_from`` or more districts (a cross-district chart), they are grouped:
    "Verksamhetsplan 2021 för stadsdelsnämnderna Bromma, Farsta och Norrmalm".
    Returns "" when there is no provenance.
    """
    items = _rows(rows)
    seen: dict[str, tuple] = {}
    groups: dict[tuple[str, Any], set[str]] = {}
    for row in items:
        if not (row.get("doc_type") or "").strip():
            continue  # no document behind this row (e.g. a district without a report)
        key, text = _one_source(row)
        seen.setdefault(text, key)
        level = (row.get("level") or "namnd").strip().lower()
        district = (row.get("district") or "").strip()
        if level != "enhet" and district:
            groups.setdefault(((row.get("doc_type") or "").strip().lower(), _doc_year(row)),
                              set()).add(district)
    if not seen:
        return ""
    parts: list[tuple[tuple, str]] = []
    grouped_texts: set[str] = set()
    # the years of one document type that cover the same districts are one group: a chart over
    # five years names its 13 districts once ("Verksamhetsberättelse 2021–2025 för ...")
    by_districts: dict[tuple[str, frozenset], list] = {}
    for (dt, year), districts in groups.items():
        if len(districts) >= group_from:
            by_districts.setdefault((dt, frozenset(districts)), []).append(year)
    for (dt, members), years in by_districts.items():
        names = sorted(members, key=str.lower)
        known = sorted(int(y) for y in years if y not in (None, ""))
        label = doc_type_label(dt) + (f" {_year_span(known)}" if known else "")
        joined = ", ".join(names[:-1]) + " och " + names[-1]
        parts.append(((" ", -(known[-1] if known else 0), _DOC_TYPE_ORDER.get(dt, 9), ""),
                      f"{label} för stadsdelsnämnderna {joined}"))
        for year in years:
            for d in members:
                grouped_texts.add(_one_source({"doc_type": dt, "year": year, "district": d})[1])
    for text, key in seen.items():
        if text not in grouped_texts:
            parts.append((key, text))
    parts.sort(key=lambda p: p[0])
    return prefix + "; ".join(t for _, t in parts)


# ---------------------------------------------------------------------------
# Charts to images
# ---------------------------------------------------------------------------

FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
PRESENTATION_WIDTH = 900  # CSS px of the plot area; at scale 2 a 1800 px wide image
PRESENTATION_HEIGHT = 420
FOOTER_FONT_SIZE = 14
TEXT_COLOR = "#1a1a1a"
MUTED_COLOR = "#555555"


def sv_locale() -> dict:
    """The d3 sv-SE number and time locale for a Vega-Lite config."""
    number = dict(vlc.get_format_locale("sv-SE"))
    number["thousands"] = "\u00a0"
    number["decimal"] = ","
    return {"number": number, "time": vlc.get_time_format_locale("sv-SE")}


def presentation_config() -> dict:
    return {
        "font": FONT,
        "locale": sv_locale(),
        "background": "white",
        "padding": 24,
        "title": {"fontSize": 30, "subtitleFontSize": 20, "anchor": "start",
                  "color": TEXT_COLOR, "subtitleColor": MUTED_COLOR, "offset": 18,
                  "subtitlePadding": 8, "font": FONT, "subtitleFont": FONT, "limit": 0,
                  "lineHeight": 36, "subtitleLineHeight": 24},
        "axis": {"labelFontSize": 16, "titleFontSize": 16, "labelColor": TEXT_COLOR,
                 "titleColor": TEXT_COLOR, "titleFontWeight": "normal", "labelLimit": 320},
        # Legends on top: between the subtitle and the plot, never under the source note.
        # d3 picks ~width/40 ticks: at projector width that is a dense comb of labels.
        "axisQuantitative": {"tickCount": 8},
        "legend": {"labelFontSize": 16, "titleFontSize": 16, "labelLimit": 320,
                   "symbolSize": 160, "orient": "top", "direction": "horizontal"},
        "header": {"labelFontSize": 16, "titleFontSize": 16},
        "text": {"fontSize": 15},
        "view": {"stroke": None},
        "concat": {"spacing": 14},
    }


def _chart_dict(chart: Any) -> dict:
    if isinstance(chart, dict):
        return copy.deepcopy(chart)
    if isinstance(chart, str):
        return json.loads(chart)
    to_dict = getattr(chart, "to_dict", None)
    if to_dict is None:
        raise TypeError(f"not an Altair chart or Vega-Lite dict: {type(chart).__name__}")
    return to_dict()


_TOP_LEVEL_ONLY = ("$schema", "config", "datasets", "autosize", "padding", "background",
                   "usermeta", "locale")


def _fix_sizes(spec: dict, width: int, height: int) -> None:
    """Replace responsive sizes ("container") that a static renderer cannot resolve."""
    if spec.get("width") == "container" or ("width" not in spec and _is_unit_like(spec)):
        spec["width"] = width
    if spec.get("height") == "container" or ("height" not in spec and _is_unit_like(spec)):
        spec["height"] = height
    for key in ("layer",):
        for sub in spec.get(key, []) or []:
            for dim in ("width", "height"):
                if sub.get(dim) == "container":
                    sub[dim] = width if dim == "width" else height


def _is_unit_like(spec: dict) -> bool:
    return "mark" in spec or "layer" in spec


def _wrap(text: str, width_px: int, font_size: int, *, bold: bool = False) -> list[str]:
    """Lines of at most the characters that fit width_px (average glyph ~0.52 em)."""
    chars = max(20, int(width_px / (font_size * (0.58 if bold else 0.52))))
    lines: list[str] = []
    for para in text.split("\n"):
        lines.extend(textwrap.wrap(para, chars, break_on_hyphens=False) or [""])
    return lines


def presentation_spec(chart: Any, meta: ExportMeta, *, decorations: bool = True,
                      width: int = PRESENTATION_WIDTH,
                      height: int = PRESENTATION_HEIGHT) -> dict:
    """The chart's Vega-Lite spec in the presentation frame.

    decorations=False leaves out title, subtitle and footer (for a picture placed on a
    slide that carries them as text).
    """
    src = _chart_dict(chart)
    inner = {k: v for k, v in src.items() if k not in _TOP_LEVEL_ONLY}
    inner.pop("title", None)
    _fix_sizes(inner, width, height)
    config = src.get("config") or {}
    merged = _deep_merge(config, presentation_config())
    # Altair's default continuous sizes are small; projector size wins.
    merged.setdefault("view", {}).update({"continuousWidth": width, "continuousHeight": height})
    out: dict = {"$schema": src.get("$schema", "https://vega.github.io/schema/vega-lite/v6.json")}
    if src.get("datasets"):
        out["datasets"] = src["datasets"]
    out["config"] = merged
    out["background"] = "white"
    if not decorations:
        out.update(inner)
        return out
    # Long titles wrap instead of being cut off with an ellipsis.
    title: dict = {"text": _wrap(meta.title, width + 120, 30, bold=True)}
    sub = meta.subtitle_line()
    if sub:
        title["subtitle"] = _wrap(sub, width + 120, 20)
    out["title"] = title
    body: dict = inner
    if meta.source:
        # The source is the bottom title of a wrapper around the chart: framed by the full
        # bounds (axis labels and legends included), it starts at the left edge like the
        # headline and sits below any bottom legend.
        lines = _wrap(meta.source, width + 120, FOOTER_FONT_SIZE)
        body = {"vconcat": [inner],
                "title": {"text": lines, "orient": "bottom", "anchor": "start",
                          "frame": "bounds", "fontSize": FOOTER_FONT_SIZE, "limit": 0,
                          "fontWeight": "normal", "color": MUTED_COLOR, "font": FONT,
                          "offset": 22, "lineHeight": FOOTER_FONT_SIZE + 5}}
    out["vconcat"] = [body]
    return out


def _deep_merge(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in override.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def chart_to_png(chart: Any, meta: ExportMeta, scale: float = 2, ppi: float = 200, *,
                 decorations: bool = True) -> bytes:
    """PNG at ``scale`` × the CSS pixel size, tagged with ``ppi`` pixels per inch.

    vl-convert multiplies pixels by scale × ppi / 72; we divide that back out so that
    scale=2 means a 2× (retina) image and ppi only sets the physical size an office
    program gives it (a 900 px chart at 2× and 200 ppi is ~9 inches wide).
    """
    spec = presentation_spec(chart, meta, decorations=decorations)
    return vlc.vegalite_to_png(spec, scale=scale * 72.0 / ppi, ppi=ppi,
                               format_locale="sv-SE", time_format_locale="sv-SE")


def chart_to_svg(chart: Any, meta: ExportMeta, *, decorations: bool = True) -> str:
    spec = presentation_spec(chart, meta, decorations=decorations)
    return vlc.vegalite_to_svg(spec, format_locale="sv-SE", time_format_locale="sv-SE")


def chart_to_pdf(chart: Any, meta: ExportMeta, *, decorations: bool = True) -> bytes:
    spec = presentation_spec(chart, meta, decorations=decorations)
    return vlc.vegalite_to_pdf(spec, format_locale="sv-SE", time_format_locale="sv-SE")


# ---------------------------------------------------------------------------
# Tables: CSV and Excel
# ---------------------------------------------------------------------------

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


def _decimals(values: Iterable[float | None], max_dec: int = 3) -> int:
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
    dec = _decimals(values)
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


# ---------------------------------------------------------------------------
# PowerPoint
# ---------------------------------------------------------------------------


@dataclass
class SlideSpec:
    """One slide: the chart's data (for a native chart) and/or a picture of it."""

    meta: ExportMeta
    kind: str  # 'bar' | 'column' | 'line'
    categories: list[str]
    series: dict[str, list[float | None]]
    png: bytes | None = None  # picture without title/footer (chart_to_png(decorations=False))
    notes: str = field(default="")
    point_colors: list[str | None] | None = None   # one series: each bar's colour, as in the app ("#2e7d32")
    # references drawn over the bars, as marker series: "Årsmål" per category (the app's
    # tick), "KF:s årsmål" and "Stadens median" (the app's rules; the same value throughout)
    markers: dict[str, list[float | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in ("bar", "column", "line"):
            raise ValueError(f"kind must be 'bar', 'column' or 'line', not {self.kind!r}")
        self.categories = [str(c) for c in self.categories]
        for name, vals in {**self.series, **self.markers}.items():
            if len(vals) != len(self.categories):
                raise ValueError(f"series {name!r} has {len(vals)} values for "
                                 f"{len(self.categories)} categories")


def frame_to_slide(frame: pl.DataFrame, meta: ExportMeta, *, category: str, value: str,
                   series: str | None = None, kind: str = "bar",
                   png: bytes | None = None) -> SlideSpec:
    """A SlideSpec from a long frame: one category column, one value column and an
    optional series column (e.g. year or district). Category order follows the frame."""
    cats: list[str] = []
    for c in frame.get_column(category).to_list():
        s = "" if c is None else str(c)
        if s not in cats:
            cats.append(s)
    data: dict[str, list[float | None]] = {}
    names = ([str(s) for s in frame.get_column(series).to_list()] if series
             else [_series_label(meta, value)] * frame.height)
    for name, c, v in zip(names, frame.get_column(category).to_list(),
                          frame.get_column(value).to_list()):
        col = data.setdefault(name, [None] * len(cats))
        col[cats.index("" if c is None else str(c))] = None if v is None else float(v)
    return SlideSpec(meta=meta, kind=kind, categories=cats, series=data, png=png)


def _series_label(meta: ExportMeta, value: str) -> str:
    label = SWEDISH_HEADERS.get(value, value)
    return f"{label} ({meta.unit})" if meta.unit else label


def slide_from_chart(chart: Any, frame: pl.DataFrame | None, meta: ExportMeta, *,
                     png: bytes | None = None) -> SlideSpec | None:
    """Infer a SlideSpec (data for a native PowerPoint chart) from an Altair chart.

    Takes the first bar or line layer whose one axis is quantitative and the other
    nominal/ordinal/temporal. The data are the rows embedded in the chart (exactly what is
    drawn), else ``frame``. Series: the xOffset/yOffset field (grouped bars), else the
    colour field of a line chart (a line per district, named after it, also when it is the
    only one), or of a bar chart when it splits a category into several rows; a colour that
    only paints one bar per category (e.g. attainment) is not a series.
    Category order follows an explicit sort list, a value sort, or the data's order.
    Returns None when nothing fits (then only the picture variant can be offered).
    """
    spec = _chart_dict(chart)
    found = _find_unit(spec, spec.get("data"), spec.get("encoding", {}))
    if found is None:
        return None
    unit, data_ref, enc = found
    rows = _unit_rows(spec, data_ref)
    if rows is None:
        if frame is None:
            return None
        rows = frame
    mark = _mark_type(unit)
    x, y = enc.get("x", {}), enc.get("y", {})
    q_axis = [a for a in (x, y) if a.get("type") == "quantitative" and a.get("field")]
    c_axis = [a for a in (x, y) if a.get("type") in ("nominal", "ordinal", "temporal")
              and a.get("field")]
    if len(q_axis) != 1 or len(c_axis) != 1:
        return None
    value, category = q_axis[0]["field"], c_axis[0]["field"]
    offset = enc.get("yOffset" if c_axis[0] is y else "xOffset", {}).get("field")
    color = enc.get("color", {}).get("field")
    series = offset
    if series is None and color and color != category and color in rows.columns:
        # lines: the colour is always the series (one line per district, even when only one
        # district has values); bars: only when it splits a category into several bars
        if mark == "line" or (category in rows.columns and rows.height > rows.get_column(category).n_unique()):
            series = color
    needed = [value, category] + ([series] if series else [])
    if any(f not in rows.columns for f in needed):
        return None
    if any(ch in enc for ch in ("row", "column", "facet")) or "facet" in spec:
        return None  # small multiples: one PowerPoint chart cannot hold them
    if rows.select(needed[1:]).is_duplicated().any():
        return None  # several values per bar (stacked or aggregated): a picture, not wrong data
    kind = "line" if mark == "line" else ("bar" if c_axis[0] is y else "column")
    sort = c_axis[0].get("sort")
    ordered = rows
    if isinstance(sort, list):
        order = {str(v): i for i, v in enumerate(sort)}
        ordered = rows.with_columns(
            pl.col(category).cast(pl.String).replace_strict(order, default=len(order),
                                                             return_dtype=pl.Int64)
            .alias("__order")).sort("__order", maintain_order=True).drop("__order")
    elif sort in ("-x", "-y", "x", "y") and not series:
        ordered = rows.sort(value, descending=sort.startswith("-"), nulls_last=True)
    elif c_axis[0].get("type") in ("ordinal", "temporal") or mark == "line":
        ordered = rows.sort(category, maintain_order=True)
    slide = frame_to_slide(ordered, meta, category=category, value=value, series=series,
                           kind=kind, png=png)
    scale = enc.get("color", {}).get("scale") or {}
    if not series and color and color in ordered.columns and isinstance(scale.get("domain"), list) \
            and isinstance(scale.get("range"), list):
        # bars coloured by a field (attainment): the same colour for each bar on the slide
        to_hex = dict(zip(map(str, scale["domain"]), scale["range"]))
        by_cat = {str(c): to_hex.get(str(v)) for c, v in
                  zip(ordered.get_column(category).to_list(), ordered.get_column(color).to_list())}
        slide.point_colors = [by_cat.get(c) for c in slide.categories]
    if mark == "bar" and not series:
        slide.markers = _reference_markers(spec, ordered, category, slide.categories)
    return slide


MARKER_COLORS = {"Årsmål": "#111111", "KF:s årsmål": "#1a4f9c", "Stadens median": "#444444"}


def _layers(spec: dict):
    yield spec
    for sub in spec.get("layer", []) or []:
        yield from _layers(sub)


def _reference_markers(spec: dict, rows: pl.DataFrame, category: str, categories: list[str]) -> dict:
    """The references the bar chart draws, per category: the tick layer's field (the
    district's own target) and each reference rule ({"ref": name, "value": v} rows, the KF
    target and the city median, only when the picture draws them)."""
    out: dict[str, list[float | None]] = {}
    for layer in _layers(spec):
        mark = _mark_type(layer)
        enc = layer.get("encoding", {})
        if mark == "tick":
            field_ = (enc.get("x") or {}).get("field") or (enc.get("y") or {}).get("field")
            if field_ in rows.columns and rows.get_column(field_).drop_nulls().len():
                by_cat = {str(c): v for c, v in zip(rows.get_column(category).to_list(), rows.get_column(field_).to_list())}
                out["Årsmål"] = [None if by_cat.get(c) is None else float(by_cat[c]) for c in categories]
        elif mark == "rule":
            data = layer.get("data") or {}
            values = data.get("values") or (spec.get("datasets") or {}).get(data.get("name"), [])
            for r in values or []:
                if isinstance(r, dict) and r.get("ref") and isinstance(r.get("value"), (int, float)):
                    out[str(r["ref"])] = [float(r["value"])] * len(categories)
    return out


def _markers_as_points(chart, names: list[str]) -> None:
    """Move the named series of a clustered column chart into a line chart on the same axes,
    drawn as markers only (no line): the references over the bars, editable like them."""
    from lxml import etree
    from pptx.oxml.ns import qn

    plot_area = chart._chartSpace.find(qn("c:chart")).find(qn("c:plotArea"))
    bar = plot_area.find(qn("c:barChart"))
    line = etree.SubElement(plot_area, qn("c:lineChart"))
    bar.addnext(line)
    etree.SubElement(line, qn("c:grouping")).set("val", "standard")
    etree.SubElement(line, qn("c:varyColors")).set("val", "0")
    for ser in list(bar.findall(qn("c:ser"))):
        cached = ser.find(qn("c:tx") + "//" + qn("c:v"))
        name = cached.text if cached is not None else ""
        if name not in names:
            continue
        bar.remove(ser)
        for tag in ("c:invertIfNegative", "c:dLbls"):
            for el in ser.findall(qn(tag)):
                ser.remove(el)
        colour = MARKER_COLORS.get(name, "#444444")[1:]
        sp = etree.fromstring(
            '<c:spPr xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
            'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:ln><a:noFill/></a:ln></c:spPr>')
        marker = etree.fromstring(
            '<c:marker xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
            'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            f'<c:symbol val="{"dash" if name == "Årsmål" else "diamond"}"/><c:size val="{14 if name == "Årsmål" else 9}"/>'
            f'<c:spPr><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill>'
            f'<a:ln><a:solidFill><a:srgbClr val="{colour}"/></a:solidFill></a:ln></c:spPr></c:marker>')
        old_sp = ser.find(qn("c:spPr"))
        if old_sp is not None:
            ser.remove(old_sp)
        tx = ser.find(qn("c:tx"))
        anchor = tx if tx is not None else ser.find(qn("c:order"))
        anchor.addnext(sp)
        sp.addnext(marker)
        line.append(ser)
    etree.SubElement(line, qn("c:marker")).set("val", "1")
    for ax in bar.findall(qn("c:axId")):
        etree.SubElement(line, qn("c:axId")).set("val", ax.get("val"))


def _find_unit(spec: dict, data: Any, enc: dict) -> tuple[dict, Any, dict] | None:
    """First bar/line unit spec (depth-first through layers), with its effective data
    reference and encoding (a layer inherits both from its parent)."""
    data = spec.get("data", data)
    enc = {**enc, **spec.get("encoding", {})}
    if _mark_type(spec) in ("bar", "line") and not ("detail" in enc and "color" not in enc):
        return spec, data, enc     # (a grey context layer, lines by `detail` without colour, is no series)
    for sub in spec.get("layer", []) or []:
        hit = _find_unit(sub, data, enc)
        if hit is not None:
            return hit
    return None


def _unit_rows(spec: dict, data_ref: Any) -> pl.DataFrame | None:
    if not isinstance(data_ref, dict):
        return None
    values = data_ref.get("values")
    if values is None and data_ref.get("name"):
        values = (spec.get("datasets") or {}).get(data_ref["name"])
    if not isinstance(values, list) or not values:
        return None
    try:
        return pl.DataFrame(values, infer_schema_length=None)
    except Exception:  # heterogeneous rows; the frame fallback applies
        return None


def _mark_type(spec: dict) -> str | None:
    m = spec.get("mark")
    return m.get("type") if isinstance(m, dict) else m


def slide_chart(slide: SlideSpec) -> Any:
    """A plain Altair chart of a SlideSpec's data (used for picture slides without png)."""
    import altair as alt

    rows = [{"Kategori": c, "Serie": s, "Värde": v}
            for s, vals in slide.series.items() for c, v in zip(slide.categories, vals)]
    data = pl.DataFrame(rows, schema={"Kategori": pl.String, "Serie": pl.String,
                                      "Värde": pl.Float64})
    multi = len(slide.series) > 1
    vtitle = slide.meta.unit or None
    if slide.kind == "line":
        ch = alt.Chart(data).mark_line(point=True).encode(
            x=alt.X("Kategori:O", sort=slide.categories, title=None),
            y=alt.Y("Värde:Q", title=vtitle))
    elif slide.kind == "column":
        ch = alt.Chart(data).mark_bar().encode(
            x=alt.X("Kategori:N", sort=slide.categories, title=None),
            y=alt.Y("Värde:Q", title=vtitle))
        if multi:
            ch = ch.encode(xOffset="Serie:N")
    else:
        ch = alt.Chart(data).mark_bar().encode(
            y=alt.Y("Kategori:N", sort=slide.categories, title=None),
            x=alt.X("Värde:Q", title=vtitle))
        if multi:
            ch = ch.encode(yOffset="Serie:N")
    if multi:
        ch = ch.encode(color=alt.Color("Serie:N", title=None))
    return ch


def _number_format(slide: SlideSpec) -> str:
    vals = [v for vs in slide.series.values() for v in vs]
    dec = _decimals(vals, max_dec=2)
    return "#,##0" if dec == 0 else "#,##0." + "0" * dec


def _axis_number_format(slide: SlideSpec) -> str:
    """Axis ticks: no forced decimals ("100", "0,5"); thousands grouped for large values."""
    vals = [abs(v) for vs in slide.series.values() for v in vs if v is not None]
    return "#,##0" if vals and max(vals) >= 10000 else "General"


def _title_fit(title: str, width_in: float) -> tuple[int, int]:
    """Font size (pt) and estimated line count for a slide title of this length."""
    for size in (30, 26, 22):
        per_line = max(10, int(width_in * 72 / (size * 0.58)))
        lines = len(textwrap.wrap(title, per_line)) or 1
        if lines <= 2:
            return size, lines
    return 22, min(lines, 4)


def _set_chart_language(chart, lang: str) -> None:
    """<c:lang>: the editing language of the chart (number display in some viewers)."""
    from lxml import etree
    from pptx.oxml.ns import qn

    space = chart._chartSpace
    el = space.find(qn("c:lang"))
    if el is None:
        el = etree.SubElement(space, qn("c:lang"))
        date1904 = space.find(qn("c:date1904"))
        if date1904 is not None:
            date1904.addnext(el)
        else:
            space.insert(0, el)
    el.set("val", lang)


def _value_axis_crosses_max(value_axis) -> None:
    from pptx.oxml.ns import qn

    el = value_axis._element.find(qn("c:crosses"))
    if el is not None:
        el.set("val", "max")


def slides_to_pptx(slides: Sequence[SlideSpec], native: bool = True) -> bytes:
    """A 16:9 deck, one slide per SlideSpec: title, subtitle, the chart, the source note.

    native=True: an editable PowerPoint chart whose data sits in the embedded workbook
    ("Redigera data" works); a slide without data (a chart type PowerPoint cannot redraw)
    gets its picture. native=False: the slide's png (rendered from its data if it has
    none), with the title and source as editable text.
    """
    from pptx import Presentation
    from pptx.chart.data import CategoryChartData
    from pptx.dml.color import RGBColor
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    blank = prs.slide_layouts[6]
    dark = RGBColor(0x1A, 0x1A, 0x1A)
    muted = RGBColor(0x55, 0x55, 0x55)
    margin = Inches(0.6)
    content_w = prs.slide_width - 2 * margin

    def textbox(sl, top, height, text, size, *, bold=False, color=dark, name=None):
        tb = sl.shapes.add_textbox(margin, top, content_w, height)
        if name:
            tb.name = name
        tf = tb.text_frame
        tf.word_wrap = True
        p = tf.paragraphs[0]
        p.alignment = PP_ALIGN.LEFT
        run = p.add_run()
        run.text = text
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.color.rgb = color
        run.font._rPr.set("lang", "sv-SE")
        return tb

    for spec in slides:
        sl = prs.slides.add_slide(blank)
        meta = spec.meta
        size, n_lines = _title_fit(meta.title, content_w / 914400)
        title_h = Inches(n_lines * size * 1.22 / 72 + 0.15)
        top: int = Inches(0.35)
        textbox(sl, top, title_h, meta.title, size, bold=True, name="Rubrik")
        top += title_h
        sub = meta.subtitle_line()
        if sub:
            textbox(sl, top, Inches(0.45), sub, 18, color=muted, name="Underrubrik")
            top += Inches(0.5)
        chart_top = top + Inches(0.1)
        # the source note wraps inside the slide: as many lines as it needs (about 140
        # characters a line at 12 pt across the slide), the chart above it gives way
        n_src = max(1, math.ceil(len(meta.source or "") / 140)) if meta.source else 0
        src_h = Inches(0.22 * n_src + 0.1)
        src_top = int(prs.slide_height or Inches(7.5)) - Inches(0.25) - src_h
        chart_h = (src_top if meta.source else Inches(6.9)) - Inches(0.1) - chart_top
        if meta.source:
            textbox(sl, src_top, src_h, meta.source, 12, color=muted, name="Källa")
        if native and spec.categories and spec.series:
            cd = CategoryChartData(number_format=_number_format(spec))
            cd.categories = spec.categories
            for name, vals in {**spec.series, **spec.markers}.items():
                cd.add_series(name, vals)
            # references as markers over the bars: PowerPoint combines them with columns,
            # not with horizontal bars, so such a slide shows the districts as columns
            kind = "column" if spec.markers and spec.kind == "bar" else spec.kind
            ctype = {"bar": XL_CHART_TYPE.BAR_CLUSTERED,
                     "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
                     "line": XL_CHART_TYPE.LINE_MARKERS}[kind]
            gf = sl.shapes.add_chart(ctype, margin, chart_top, content_w, chart_h, cd)
            gf.name = "Diagram"
            chart = gf.chart
            if spec.markers:
                _markers_as_points(chart, list(spec.markers))
            chart.font.size = Pt(14)
            chart.font.color.rgb = dark
            multi = len(spec.series) > 1
            # A line's series is a district or a group: name it even when alone; the
            # reference markers are named in the legend.
            show_legend = multi or spec.kind == "line" or bool(spec.markers)
            chart.has_legend = show_legend
            if show_legend:
                chart.legend.position = XL_LEGEND_POSITION.BOTTOM
                chart.legend.include_in_layout = False
            va = chart.value_axis
            va.has_major_gridlines = True
            va.tick_labels.number_format = _axis_number_format(spec)
            va.tick_labels.number_format_is_linked = False
            va.major_gridlines.format.line.color.rgb = RGBColor(0xDD, 0xDD, 0xDD)
            values = [v for vals in spec.series.values() for v in vals if v is not None]
            if kind in ("bar", "column") and values and min(values) >= 0:
                va.minimum_scale = 0          # bars start at 0: their lengths compare (99 vs 111, not 1:3)
            chart.has_title = False  # the slide's own title says it
            _set_chart_language(chart, "sv-SE")
            if kind == "bar":
                # PowerPoint draws bar categories bottom-up; keep the data's order top-down,
                # and keep the value axis at the bottom ("crosses at maximum category").
                chart.category_axis.reverse_order = True
                _value_axis_crosses_max(va)
            if len(spec.categories) <= 20 and len(spec.series) <= 3:
                plot = chart.plots[0]
                plot.has_data_labels = True
                dl = plot.data_labels
                dl.number_format = _number_format(spec)
                dl.number_format_is_linked = False
                dl.font.size = Pt(12)
                if kind in ("bar", "column"):
                    dl.position = XL_LABEL_POSITION.OUTSIDE_END
                else:
                    dl.position = XL_LABEL_POSITION.ABOVE
            if kind in ("bar", "column"):
                plot = chart.plots[0]
                plot.gap_width = 60
                if not multi:
                    fill = plot.series[0].format.fill
                    fill.solid()
                    fill.fore_color.rgb = RGBColor(0x1F, 0x5F, 0x99)
                    for i, hex_colour in enumerate(spec.point_colors or []):
                        if hex_colour and re.fullmatch(r"#[0-9A-Fa-f]{6}", hex_colour):
                            point = plot.series[0].points[i].format.fill
                            point.solid()
                            point.fore_color.rgb = RGBColor.from_string(hex_colour[1:])
        else:
            png = spec.png
            if png is None and not spec.categories:
                raise ValueError(f"slide {meta.title!r} has neither data nor a picture")
            if png is None:
                png = chart_to_png(slide_chart(spec), meta, decorations=False)
            from PIL import Image

            with Image.open(io.BytesIO(png)) as im:
                w_px, h_px = im.size
            box_w, box_h = content_w, chart_h
            ratio = min(box_w / w_px, box_h / h_px)
            w, h = Emu(int(w_px * ratio)), Emu(int(h_px * ratio))
            left = margin + Emu(int((box_w - w) / 2))
            pic = sl.shapes.add_picture(io.BytesIO(png), left, chart_top, width=w, height=h)
            pic.name = "Diagram (bild)"
            pic._element.nvPicPr.cNvPr.set("descr", meta.title + (". " + sub if sub else ""))
        notes = "\n".join(x for x in (sub, meta.source, spec.notes) if x)
        if notes:
            sl.notes_slide.notes_text_frame.text = notes
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


MIME = {
    "png": "image/png",
    "svg": "image/svg+xml",
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
