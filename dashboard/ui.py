"""Shared Streamlit pieces for the pages: URL-bound pickers, chart display, provenance.

Every widget that defines a view has a key and `bind="query-params"`, so the URL holds the
whole view (indicator, districts, year, tab, sort) and a copied link opens the same view.
"""
from __future__ import annotations

import contextlib
import hashlib
import inspect
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from dashboard import db, document_queries, indicator_queries, page_view
from dashboard.export import ExportMeta, source_note
from dashboard.export_ui import chart_json, export_panel
from dashboard.fmt import fmt_lines, fmt_value, md_escape
from dashboard.labels import DOC_TYPE_LABELS

TABS = ["Diagram", "Tabell"]
MAP_TAB = "Karta"


def q(query, *args, **kwargs):
    """Cached query on the current database file."""
    try:
        return db.run(query, *args, **kwargs)
    except FileNotFoundError:
        st.error(f"Databasen {db.db_path()} finns inte längre. Bygg den med "
                 "`.venv/bin/python -m etl build --input data/raw` och ladda om sidan.")
        st.stop()


def require_app() -> None:
    """Pages run inside app.py's st.navigation. On the first request after a server start
    Streamlit still uses its legacy pages/ routing, which runs a page file directly when the
    URL names it (a shared link to /jamfor_indikator): app.py (page config, navigation,
    database build) is skipped. Then leave the legacy mode and rerun through app.py; the
    page and the query parameters of the URL are kept."""
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


SWEDISH_CSS = (Path(__file__).parent / "swedish.css").read_text(encoding="utf-8")
SWEDISH_JS = (Path(__file__).parent / "swedish.js").read_text(encoding="utf-8")


def swedish_chrome() -> None:
    """Streamlit's own English in Swedish or hidden; app.py puts it on every page, never on
    document text. Our fixed style sheet (dashboard/swedish.css: the text input's hint, the
    element toolbars) and our fixed script (dashboard/swedish.js: the dropdowns' words,
    which only a script can reach; its empty element is hidden by the style sheet)."""
    st.html(f"<style>{SWEDISH_CSS}</style>")
    st.html(f'<script data-swedish-chrome="">{SWEDISH_JS}</script>', unsafe_allow_javascript=True)


def header(title: str, caption: str | None = None) -> None:
    require_app()
    st.title(title)
    if caption:
        st.caption(caption)


def view_tabs(key: str = "vy", *, with_map: bool = False):
    """Diagram/Tabell (and Karta) tabs whose choice is kept in the URL (?vy=Tabell)."""
    return st.tabs([*TABS, MAP_TAB] if with_map else TABS, key=key, bind="query-params")


def shown(tab) -> bool:
    """Is this tab of view_tabs the open one? Only its content is made: the tabs are bound to
    the URL, so Streamlit reruns the page when another is opened. True when the tabs do not
    track their state (every tab's content is made then)."""
    return tab.open is not False


def indicator_picker(key: str = "indikator") -> dict | None:
    """Search field (name or goal text) + indicator select box; both in the URL.

    The select box's options are the indicator names: the shown label is kept in the URL
    (?indikator=Andel+barn+...), which stays readable and stable, also for the default."""
    search_col, select_col = st.columns([1, 2])
    text = search_col.text_input("Sök indikator på namn eller mål", key="sok", bind="query-params",
                                 placeholder="t.ex. ekonomiskt bistånd, trygghet")
    every = q(indicator_queries.search_indicators, "")
    found = q(indicator_queries.search_indicators, text) if text.strip() else every
    labels = indicator_labels(every)
    wanted = st.session_state.get(key) or st.query_params.get(key)
    options = [labels[i] for i in found["indicator_id"].to_list()]
    if not options:
        st.info(f"Ingen indikator matchar ”{md_escape(text)}”.")
        return None
    if text.strip():
        n = len(options)
        select_col.caption(f"{n} {'indikator matchar' if n == 1 else 'indikatorer matchar'} ”{md_escape(text)}”"
                           " · välj i listan")
        if wanted in labels.values() and wanted not in options:
            # the indicator shown before does not match the new search: say so, show the first match
            st.caption(f"”{md_escape(wanted)}” matchar inte sökningen; visar den första träffen.")
            st.session_state[key] = options[0]
    _start_value(key, options, options[0])
    chosen = select_col.selectbox("Indikator", options, key=key, placeholder="Välj indikator")
    keep_view_in_url(**{key: chosen})
    if chosen is None:
        return None
    iid = next(i for i, lab in labels.items() if lab == chosen)
    row = every.filter(pl.col("indicator_id") == iid).row(0, named=True)
    hit = found.filter(pl.col("indicator_id") == iid)
    kf = "KF:s indikator · " if row.get("is_kf") else ""
    n = row.get("n_districts") or 0
    st.caption(f"{kf}redovisas av {n} {'stadsdel' if n == 1 else 'stadsdelar'}"
               + (f" · enhet: {md_escape(row['unit'])}" if row.get("unit") else ""))
    if text.strip() and hit.height and hit["matched_goal"][0]:
        st.caption(f"Träff på målet: ”{md_escape(hit['matched_goal'][0])}”")
    return row


def indicator_labels(catalogue: pl.DataFrame) -> dict[str, str]:
    """indicator_id -> the label shown (the name; with the unit or id when names repeat)."""
    counts = Counter(catalogue["name"].to_list())
    out = {}
    for r in catalogue.iter_rows(named=True):
        label = r["name"]
        if counts[label] > 1:
            label = f"{label} ({r['unit'] or r['indicator_id']})"
        out[r["indicator_id"]] = label
    return out


def keep_view_in_url(**state) -> None:
    """Write the whole view the page shows into the URL, every time it is shown, not only
    after the user changed something (as OWID does): a link copied from a default view opens
    the same view later, also after a rebuild added newer years or districts."""
    for key, value in state.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            want = [str(v) for v in value]
            if st.query_params.get_all(key) != want:
                st.query_params[key] = want
        elif st.query_params.get(key) != str(value):
            st.query_params[key] = str(value)


def _start_value(key: str, options: list, default, many: bool = False):
    """Put a widget's value in the session before it is drawn: the URL's (when it names
    valid options) on the session's first run, else the default; a kept value that is no
    longer an option (the data changed) goes back to the default (a selection: to the part
    of the URL's that is still valid, else the default). These widgets are not
    bound to the URL by Streamlit, which writes a value only after the user changed it:
    keep_view_in_url writes every shown value instead."""
    if key in st.session_state:
        kept = st.session_state[key]
        if all(v in options for v in kept) if many else kept in options:
            return
        if not many:
            st.session_state[key] = default
            return
    by_text = {str(o): o for o in options}
    if many:
        wanted = [by_text[v] for v in st.query_params.get_all(key) if v in by_text]
        st.session_state[key] = wanted or list(default)
    else:
        st.session_state[key] = by_text.get(st.query_params.get(key) or "", default)


def choice_select(label: str, options: list, *, key: str, default, format_func=str,
                  placeholder: str = "Välj") -> Any:
    """A select box whose value is always in the URL (also the default; see keep_view_in_url)."""
    _start_value(key, options, default if default in options else options[0])
    value = st.selectbox(label, options, key=key, format_func=format_func, placeholder=placeholder)
    keep_view_in_url(**{key: value})
    return value


def year_select(options: list[int], *, key: str = "ar", default: int | None = None,
                label: str = "År") -> int | None:
    if not options:
        return None
    return choice_select(label, sorted(options, reverse=True), key=key, default=default, placeholder="Välj år")


def district_select(options: list[str], *, key: str = "stadsdelar", default: list[str] | None = None) -> list[str]:
    """Districts to show (in the URL); empty means all. ``default``: the first view's choice
    (all when None)."""
    _start_value(key, options, options if default is None else default, many=True)
    chosen = st.multiselect("Stadsdelar", options, key=key, placeholder="Alla stadsdelar")
    keep_view_in_url(**{key: chosen})
    return chosen


MY_DISTRICT_KEY = "min"
NO_DISTRICT = "Ingen vald"


def my_district_select(options: list[str]) -> str | None:
    """The sidebar's "Min stadsdel": chosen once, kept in the session and in the URL (?min=)
    on every page, so a link carries it. Every chart highlights it and ranked views say its
    place. None when no district is chosen."""
    choices = [NO_DISTRICT, *options]
    _start_value(MY_DISTRICT_KEY, choices, NO_DISTRICT)
    value = st.sidebar.selectbox("Min stadsdel", choices, key=MY_DISTRICT_KEY, placeholder="Välj stadsdel",
                                 help="Markeras i alla diagram, med sin placering bland stadsdelarna.")
    if value == NO_DISTRICT:
        if MY_DISTRICT_KEY in st.query_params:
            del st.query_params[MY_DISTRICT_KEY]
        return None
    keep_view_in_url(**{MY_DISTRICT_KEY: value})
    return value


def my_district() -> str | None:
    """The district chosen as "Min stadsdel" in this session (None when none is)."""
    value = st.session_state.get(MY_DISTRICT_KEY)
    return None if value in (None, NO_DISTRICT) else value


def sort_select(key: str = "sortering") -> str:
    choice = st.segmented_control("Sortera", ["Värde", "Namn"], default="Värde", key=key,
                                  bind="query-params", required=True)
    return "name" if choice == "Namn" else "value"


def chart_spec(chart) -> dict:
    """The chart's Vega-Lite dict, made once per chart and shared by the page and the export
    panel. As st.altair_chart makes it (Altair's "none" theme, under Streamlit's lock for
    Altair's global settings), but without validating it against the Vega-Lite schema on
    every rerun: tests/test_queries.py validates every chart builder's output."""
    if isinstance(chart, dict):
        return chart
    import altair as alt
    from streamlit.elements.vega_charts import _altair_globals_lock as lock  # (streamlit pinned)

    with lock:
        theme = alt.theme.enable("none") if alt.theme.active == "default" else contextlib.nullcontext()
        # no 5 000-row limit: a city-wide chart must draw, not raise MaxRowsError in the page
        with theme, alt.data_transformers.enable("default", max_rows=None):
            return chart.to_dict(validate=False)


class _Unkeyed(Exception):
    """An argument of a chart builder that `chart` cannot fingerprint (the chart is made)."""


def _fingerprint(value: Any) -> Any:
    """What a chart builder's argument holds, as a hashable key: a frame by its schema, its
    height and a digest of every row (never a sample), plain values as they are."""
    if isinstance(value, pl.DataFrame):
        try:
            rows = value.hash_rows(seed=0).to_numpy().tobytes() if value.height else b""
        except Exception as e:            # a column polars cannot hash (an object column)
            raise _Unkeyed from e
        return ("frame", tuple((c, str(t)) for c, t in value.schema.items()), value.height,
                hashlib.sha256(rows).hexdigest())
    if value is None or isinstance(value, (str, int, float, bool)):
        return (type(value).__name__, repr(value))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_fingerprint(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((repr(k), _fingerprint(v)) for k, v in value.items()))
    raise _Unkeyed(type(value).__name__)


_BUILDERS: dict[str, Callable] = {}     # cache key -> chart builder (chart() registers each it is given)


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_spec(name: str, key: tuple, _args: tuple, _kwargs: dict) -> dict:
    return chart_spec(_BUILDERS[name](*_args, **_kwargs))


def chart(builder: Callable, *args, **kwargs) -> dict:
    """The chart ``builder(*args, **kwargs)`` makes, as its Vega-Lite spec, made once for the
    same inputs: a fresh session opening a view someone has opened before, or a rerun that
    changed nothing the chart shows, gets the spec from the cache instead of building it in
    Altair (half of a comparison page's run). Keyed by the builder and by what its arguments
    hold (every row of a frame), so a changed value always makes a new chart; each call gets
    its own copy (st.vega_lite_chart changes the spec it is given)."""
    try:
        key = (_fingerprint(args), _fingerprint(kwargs))
    except _Unkeyed:
        return chart_spec(builder(*args, **kwargs))
    code = inspect.unwrap(builder).__code__     # where it is written: two pages' `timeline` are two builders
    name = f"{builder.__module__}.{builder.__qualname__}@{code.co_filename}:{code.co_firstlineno}"
    _BUILDERS[name] = builder
    return _cached_spec(name, key, args, kwargs)


def show_chart(figure, frame: pl.DataFrame | None = None, *, title: str = "", subtitle: str = "",
               source: str = "", unit: str | None = None, credit: str = "", key: str) -> None:
    """The chart (an Altair chart, or its spec from `chart`), then its export panel. The
    source note is built from the frame's provenance rows when it has them, else `source`.
    The chart's spec is made once (chart_spec) for both. ``credit``: a line added to the
    source note (a map's data)."""
    spec = chart_spec(figure)
    exported = chart_json(spec)     # before st.vega_lite_chart, which patches the spec in place
    st.vega_lite_chart(spec, theme=None, width="stretch", key=f"chart_{key}",
                       alt=" – ".join(t for t in (title, subtitle) if t) or None)
    note = ""
    if frame is not None and {"doc_type", "year", "district"} <= set(frame.columns):
        note = source_note(frame)
    note = note or (f"Källa: {source}" if source else "")
    if credit:
        note = f"{note}. {credit}" if note else credit
    meta = ExportMeta(title, subtitle, note, unit)
    export_panel(exported, frame, meta=meta, key=key)


FULL_TABLE_ROWS = 20     # a table of up to this many rows is shown whole (no scrolling inside it)


def show_table(frame: pl.DataFrame, columns: dict[str, str], *, key: str | None = None) -> None:
    """A display table: `columns` maps frame column -> Swedish heading (in order). A short
    table (all 13 districts, say) is shown whole; a longer one scrolls at ten rows."""
    present = {c: h for c, h in columns.items() if c in frame.columns}
    shown = frame.select(list(present)).with_columns(pl.col(pl.String).fill_null(""))
    first = next(iter(present.values()), None)
    config = {first: st.column_config.Column(pinned=True)} if first else None
    st.dataframe(shown.rename(present), hide_index=True, width="stretch", key=key, column_config=config,
                 height="content" if frame.height <= FULL_TABLE_ROWS else "auto")


def show_list(frame: pl.DataFrame, columns: dict[str, str]) -> None:
    """A short fixed list (the latest documents, a district's furthest ahead) as a static
    table: `columns` as for show_table. Without the data grid of st.dataframe, which is the
    heaviest piece of a first page (its scripts cost a fresh browser about 0.2 s); for lists
    of a few rows that need no sorting or scrolling. st.table reads Markdown in its cells, so
    every cell is escaped (document text is shown as text). A whole number (a year) is shown
    as its digits, a decimal number in Swedish ("1 234,5"); values with a unit the caller
    formats."""
    present = {c: h for c, h in columns.items() if c in frame.columns}

    def cell(v: Any) -> str:
        if v is None:
            return ""
        text = fmt_value(v, None) if isinstance(v, float) else " ".join(str(v).split())
        return md_escape(text, inline=True)
    rows = {md_escape(h, inline=True): [cell(v) for v in frame[c].to_list()] for c, h in present.items()}
    st.table(pl.DataFrame(rows, schema={h: pl.String for h in rows}), hide_index=True, border="horizontal")


def value_text(row: dict, col: str = "outcome", unit_col: str = "unit") -> str:
    """The value with unit, or the reason it is missing ("saknas i dokumentet", "ej mätt – ...")
    — never 0 for a missing value."""
    v = row.get(col)
    if v is None:
        reason = row.get("missing_reason") if col == "outcome" else None
        return reason or "–"
    return fmt_value(v, row.get(unit_col))


def provenance(row: dict, *, label: str | None = None, expanded: bool = False) -> None:
    """An expander with where a value was printed: document, line(s), raw text, analysis,
    and the printed lines themselves when the source file is in the input folder."""
    name = label or row.get("district") or row.get("indicator") or "Värde"
    with st.expander(md_escape(f"{name}: {value_text(row)} — källa"), expanded=expanded):
        if row.get("source_line") is None:
            st.markdown(md_escape(f"Inget värde: {row.get('missing_reason') or 'saknas'}."))
            if row.get("source_file"):
                st.markdown(f"Dokument för året: {md_escape(row['source_file'])}")
            return
        where = fmt_lines(row.get("source_line"), row.get("source_line_end"), row.get("source_page"))
        kind = DOC_TYPE_LABELS.get(row.get("doc_type") or "", row.get("doc_type") or "")
        st.markdown(f"**Dokument:** {md_escape(row.get('source_file'))} ({kind}), {where}")
        if row.get("from_later_report"):
            st.markdown("**Obs:** värdet är hämtat ur följande års verksamhetsberättelse "
                        "(kolumnen ”Periodens utfall VB”).")
        if row.get("raw_text"):
            st.markdown(f"**Tryckt:** {md_escape(row['raw_text'])}")
        if row.get("goal_text"):
            st.markdown(f"**Mål:** {md_escape(row['goal_text'])}")
        excerpt = document_queries.source_excerpt(db.input_dir(), row.get("source_file"), row.get("source_line"),
                                         row.get("source_line_end"))
        if excerpt:
            st.code(excerpt, language=None)
        elif row.get("value_id") is not None and not row.get("from_later_report"):
            printed_page(q(page_view.printed_box, "indicator_values", int(row["value_id"])),
                         cell="outcome" if row.get("outcome") is not None else "target")
        if row.get("analysis"):
            st.markdown("**Analys:**")
            st.markdown(md_escape(row["analysis"]))


def printed_page(where: dict | None, *, cell: str | None = None) -> None:
    """The page behind a value of a PDF: the printed row cut out of the rendered page, the
    value's cell marked in red, and a link that opens the original at that page."""
    if where is None:
        return
    pdf = db.input_dir() / where["source_file"]
    if not pdf.is_file():
        st.caption(md_escape(f"Originalet {where['source_file']} finns inte i dokumentmappen."))
        return
    import pypdfium2 as pdfium

    try:
        image = page_view.cutout(pdf, where["page"], where["box"], where["cells"].get(cell) if cell else None)
    except (OSError, ValueError, pdfium.PdfiumError) as exc:    # a damaged or replaced file: say so
        st.caption(md_escape(f"Sidan kunde inte visas: {exc}"))
        return
    st.image(image, caption=f"Sida {where['page']} i originalet; rött: cellen, blått: raden.")
    try:
        url = page_view.original_url(pdf, where["sha256"], where["page"])
    except OSError:
        return
    st.link_button(f"Öppna originalet på sida {where['page']}", url)


def no_data(message: str = "Databasen innehåller inga dokument ännu.") -> None:
    st.info(f"{message} Lägg dokument i `data/raw/` och kör `python -m etl build --input data/raw`; "
            "appen läser in den nya databasen utan omstart.")
