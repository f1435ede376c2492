"""The dashboard's server process: what one import of its modules leaves for every page run.

Streamlit runs a full garbage collection after every page run; dashboard.load() freezes the
objects its one-time import made (gc.freeze), so that collection walks only what the page
runs made. Each test runs in a fresh interpreter (this one has imported everything already).
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_the_libraries_are_not_walked_by_the_collection_after_each_page_run():
    out = _run("""
        import gc
        import dashboard
        dashboard.load()
        print(gc.get_freeze_count(), len(gc.get_objects()))
    """)
    frozen, walked = map(int, out.split())
    # the libraries' objects (pandas, pyarrow, altair, polars, ours): far more than a page run makes
    assert frozen > 50_000
    assert walked < frozen / 20


def test_garbage_a_page_run_makes_is_still_collected():
    out = _run("""
        import gc, weakref
        import dashboard
        dashboard.load()

        class Node:
            pass

        a, b = Node(), Node()
        a.other, b.other = b, a            # a cycle: only the collector frees it
        alive = weakref.ref(a)
        del a, b
        dashboard.load()                   # every page run calls it again: nothing more is frozen
        gc.collect(2)                      # as Streamlit does after a run
        print(alive() is None)
    """)
    assert out.strip() == "True"
