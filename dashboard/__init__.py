"""The dashboard: Streamlit pages (pages/), query modules (*_queries.py), charts, exports.

Streamlit runs every session's script in a thread of its own, so several sessions starting at
once import these modules (and the libraries they import lazily) concurrently; `load()`
imports all of them once, under one lock, before any page runs (a page never sees a
half-imported module).

Streamlit also collects garbage after every script run (``runner.postScriptGC``): a full
collection walks every object the interpreter tracks, and once the libraries are imported
those are ~150 000 objects of module code that is never garbage (~70 ms a run on the 2-core
test machine, holding the GIL, so the server sends nothing meanwhile: more than half of a
page run's time in a fresh session). `load()` therefore moves what the import made into the
collector's permanent generation (gc.freeze) once; what a page run makes is collected as
before."""
import gc
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
_loaded = False


def load() -> None:
    """Import every dashboard module, then freeze what the import made (once; later calls
    return at once, so objects of page runs are never frozen)."""
    global _loaded
    with _lock:
        if _loaded:
            return
        for name in LIBRARIES:
            importlib.import_module(name)
        for name in MODULES:
            importlib.import_module(f"{__name__}.{name}")
        gc.collect()       # garbage of the import itself is not kept
        gc.freeze()        # the rest lives as long as the process: never walked again
        _loaded = True
