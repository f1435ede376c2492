"""Shared Streamlit pieces for the pages: URL-bound pickers, chart display, provenance.

Every widget that defines a view has a key and `bind="query-params"`, so the URL holds the
whole view (indicator, districts, year, tab, sort) and a copied link opens the same view.
"""
from __future__ import annotations

import polars as pl
import streamlit as st

from dashboard import db, queries
from dashboard.fmt import fmt_lines, fmt_value

TABS = ["Diagram", "Tabell"]


def q(query, *args, **kwargs):
    """Cached query on the current database file."""
    return db.run(query, *args, **kwargs)


def header(title: str, caption: str | None = None) -> None:
    st.title(title)
    if caption:
        st.caption(caption)


def view_tabs(key: str = "vy"):
    """Diagram/Tabell tabs whose choice is kept in the URL (?vy=Tabell)."""
    return st.tabs(TABS, key=key, bind="query-params")


def indicator_picker(key: str = "indikator") -> dict | None:
    """Search field (name or goal text) + indicator select box; both in the URL."""
    text = st.text_input("Sök indikator på namn eller mål", key="sok", bind="query-params",
                         placeholder="t.ex. ekonomiskt bistånd, trygghet, förskola")
    found = q(queries.search_indicators, text)
    wanted = st.session_state.get(key) or st.query_params.get(key)
    if wanted and wanted not in found["indicator_id"].to_list():
        extra = q(queries.search_indicators, "").filter(pl.col("indicator_id") == wanted)
        found = pl.concat([extra, found], how="vertical_relaxed")
    if found.height == 0:
        st.info(f"Ingen indikator matchar ”{text}”.")
        return None
    labels = {r["indicator_id"]: _indicator_label(r) for r in found.iter_rows(named=True)}
    chosen = st.selectbox("Indikator", list(labels), format_func=lambda i: labels.get(i, i),
                          key=key, bind="query-params")
    if chosen is None:
        return None
    row = found.filter(pl.col("indicator_id") == chosen).row(0, named=True)
    if text and row.get("matched_goal"):
        st.caption(f"Träff på målet: ”{row['matched_goal']}”")
    return row


def _indicator_label(r: dict) -> str:
    n = r.get("n_districts") or 0
    kf = " · KF" if r.get("is_kf") else ""
    return f"{r['name']} ({n} {'stadsdel' if n == 1 else 'stadsdelar'}{kf})"


def year_select(options: list[int], *, key: str = "ar", default: int | None = None,
                label: str = "År") -> int | None:
    if not options:
        return None
    options = sorted(options, reverse=True)
    index = options.index(default) if default in options else 0
    return st.selectbox(label, options, index=index, key=key, bind="query-params")


def district_select(options: list[str], *, key: str = "stadsdelar") -> list[str]:
    return st.multiselect("Stadsdelar", options, default=options, key=key, bind="query-params",
                          placeholder="Alla stadsdelar")


def sort_select(key: str = "sortering") -> str:
    choice = st.segmented_control("Sortera", ["Värde", "Namn"], default="Värde", key=key,
                                  bind="query-params", required=True)
    return "name" if choice == "Namn" else "value"


def show_chart(chart, frame: pl.DataFrame | None = None, *, title: str = "", subtitle: str = "",
               source: str = "", key: str) -> None:
    """The chart, then (when the export helper is installed) its export panel."""
    st.altair_chart(chart, theme=None, width="stretch", key=f"chart_{key}")
    try:
        from dashboard.export_ui import export_panel
    except Exception:
        return
    try:
        export_panel(chart, frame, title=title, subtitle=subtitle, source=source, key=key)
    except Exception as exc:  # an export problem must not break the page
        st.caption(f"Export är inte tillgänglig: {exc}")


def show_table(frame: pl.DataFrame, columns: dict[str, str], *, key: str | None = None) -> None:
    """A display table: `columns` maps frame column -> Swedish heading (in order)."""
    present = {c: h for c, h in columns.items() if c in frame.columns}
    st.dataframe(frame.select(list(present)).rename(present), hide_index=True, width="stretch", key=key)


def value_text(row: dict, col: str = "outcome", unit_col: str = "unit") -> str:
    """The value with unit, or "saknas: <reason>" — never 0 for a missing value."""
    v = row.get(col)
    if v is None:
        reason = row.get("missing_reason") if col == "outcome" else None
        return f"saknas ({reason})" if reason else "–"
    return fmt_value(v, row.get(unit_col))


def provenance(row: dict, *, label: str | None = None) -> None:
    """An expander with where a value was printed: document, line(s), raw text, analysis,
    and the printed lines themselves when the source file is in the input folder."""
    name = label or row.get("district") or row.get("indicator") or "Värde"
    with st.expander(f"{name}: {value_text(row)} — källa"):
        if row.get("source_line") is None:
            st.write(f"Inget värde: {row.get('missing_reason') or 'saknas'}.")
            if row.get("source_file"):
                st.write(f"Dokument för året: `{row['source_file']}`")
            return
        where = fmt_lines(row.get("source_line"), row.get("source_line_end"), row.get("source_page"))
        kind = queries.DOC_TYPE_LABELS.get(row.get("doc_type"), row.get("doc_type") or "")
        st.markdown(f"**Dokument:** `{row.get('source_file')}` ({kind}), {where}")
        if row.get("from_later_report"):
            st.markdown("**Obs:** värdet är hämtat ur följande års verksamhetsberättelse "
                        "(kolumnen ”Periodens utfall VB”).")
        if row.get("raw_text"):
            st.markdown(f"**Tryckt:** {row['raw_text']}")
        if row.get("goal_text"):
            st.markdown(f"**Mål:** {row['goal_text']}")
        excerpt = queries.source_excerpt(db.input_dir(), row.get("source_file"), row.get("source_line"),
                                         row.get("source_line_end"))
        if excerpt:
            st.code(excerpt, language=None)
        if row.get("analysis"):
            st.markdown("**Analys:**")
            st.write(row["analysis"])


def no_data(message: str = "Databasen innehåller inga dokument ännu.") -> None:
    st.info(f"{message} Lägg dokument i `data/raw/` och kör `python -m etl build --input data/raw`; "
            "appen läser in den nya databasen utan omstart.")
