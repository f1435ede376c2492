"""The dashboard: Streamlit pages (pages/), query modules (*_queries.py), charts, exports.

Streamlit runs every session's script in a thread of its own, so several sessions starting at
once import these modules (and the libraries they import lazily) concurrently; `load()`
imports all of them once, under one lock, before any page runs (a page never sees a
half-imported module)."""
import importlib
import threading

# the libraries that are imported lazily on first use (pandas by Altair and Streamlit when a
# chart or table is drawn) first, then ours: two sessions' first charts at once otherwise see
# a half-imported pandas ("partially initialized module 'pandas'")
LIBRARIES = ("pandas", "pyarrow", "altair", "polars", "vl_convert")
MODULES = ("fmt", "labels", "sql", "text_match", "indicator_values", "indicator_queries", "goal_queries",
           "document_queries", "quality_queries", "standing", "registry_queries", "geo", "budget_queries",
           "search_queries", "activity_queries", "page_view", "db", "chart_style", "indicator_charts", "grid_charts",
           "budget_charts", "export", "ui", "export_ui")
_lock = threading.Lock()


def load() -> None:
    """Import every dashboard module (once; later calls return at once)."""
    with _lock:
        for name in LIBRARIES:
            importlib.import_module(name)
        for name in MODULES:
            importlib.import_module(f"{__name__}.{name}")
