"""Parsing on several cores: worker processes parse documents while the build loads the ones
already parsed, in order, a few ahead per worker, so memory stays bounded."""
from __future__ import annotations

import os
import sys
import time
import types
from collections import deque
from collections.abc import Generator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from etl.model import ParsedDocument
from etl.parse.assemble import parse_file
from etl.parse.detect import load_registry

PARALLEL_MIN_BYTES = 3 * 2**20   # below this much input, starting worker processes costs more than it saves


WINDOW_PER_WORKER = 3            # documents parsed ahead per worker (bounds memory)


def prepare(doc: ParsedDocument) -> ParsedDocument:
    """A parsed document ready to load: the line list dropped (every stage that needs the
    lines has run; the line count is kept), so it travels back from the worker cheaply."""
    doc.raw.lines = []
    return doc


def _parse_one(args: tuple[Path, Path]) -> ParsedDocument:
    path, root = args
    return prepare(parse_file(path, root, load_registry()))


def parse_stream(paths: list[Path], root: Path, workers: int | None = None,
                 ) -> Generator[tuple[Path, ParsedDocument], None, None]:
    """(path, parsed document) in `paths` order; on several cores when there is enough input.
    At most WINDOW_PER_WORKER documents per worker are parsed ahead of the consumer.

    The workers come from a forkserver (not forked from this possibly multi-threaded process,
    e.g. Streamlit's) and start without this process's __main__ (see `_no_main`)."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    size = sum(p.stat().st_size for p in paths if p.exists())
    if workers < 2 or len(paths) < 2 or size < PARALLEL_MIN_BYTES:
        registry = load_registry()
        for p in paths:
            yield p, prepare(parse_file(p, root, registry))
        return
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["etl.parse.assemble", "etl.search.index"])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_watch_parent,
                               initargs=(os.getpid(),))

    def submit(p: Path):
        with _no_main():        # worker processes start during submit
            return pool.submit(_parse_one, (p, root))
    try:
        todo = iter(paths)
        window: deque = deque()
        for p in todo:
            window.append((p, submit(p)))
            if len(window) >= workers * WINDOW_PER_WORKER:
                break
        while window:
            p, fut = window.popleft()
            nxt = next(todo, None)
            if nxt is not None:
                window.append((nxt, submit(nxt)))
            yield p, fut.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


PARENT_CHECK_S = 0.5      # how often a parse worker checks that the build that started it is alive


def _watch_parent(pid: int) -> None:
    """Worker initializer: the worker ends itself when the build process is gone (a SIGKILLed
    build would otherwise leave its workers, children of the forkserver, running on). Linux
    also gets PR_SET_PDEATHSIG for the forkserver's death."""
    import signal
    import threading

    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)      # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_S)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(1)
            except PermissionError:
                pass                                    # alive, under another user (cannot be ours)

    threading.Thread(target=watch, name="watch-build", daemon=True).start()


@contextmanager
def _no_main():
    """While worker processes start: hide this process's __main__ module from multiprocessing,
    which would otherwise import it again in every worker. The workers only need etl.store.build,
    and __main__ may be a script that runs on import: Streamlit makes the app's page its
    __main__ (the workers ran the app and started builds of their own), and a script without
    an `if __name__ == "__main__":` guard would start the build again."""
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main
