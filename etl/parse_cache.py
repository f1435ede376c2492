"""Parse results kept between builds, so unchanged documents are not parsed again.

One pickle per document in a folder next to the database (``<db>.parsed/``), named by a key
that covers everything the parse depends on:

    sha256 of the file's bytes + its path in the input folder + its side-car .meta.json
    + a fingerprint of the parser (the source of etl/*.py and the data files it reads)

so editing a document, its side-car, the district registry or the parser code makes a miss.
A cache file that cannot be read is a miss (and is removed); the cache is only an
accelerator, the build never depends on it. Entries that the last successful build did not
use are pruned.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import lru_cache
from pathlib import Path

from etl.model import ParsedDocument
from etl.sniff import MAX_BYTES

ETL_DIR = Path(__file__).resolve().parent
DATA_FILES = ("districts.csv", "activity_areas.csv")
FORMAT = b"stadsdel-parse-cache 1"


@lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    h = hashlib.sha256(FORMAT)
    for p in sorted(ETL_DIR.glob("*.py")):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    for name in DATA_FILES:
        p = ETL_DIR.parent / "data" / name
        if p.exists():
            h.update(name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


class ParseCache:
    def __init__(self, db_path: Path):
        self.dir = Path(db_path).with_name(Path(db_path).name + ".parsed")
        self.used: set[str] = set()
        self.hits = 0

    def key(self, path: Path, root: Path) -> str | None:
        """The cache key of a document file, or None when it should not be cached (too large
        or unreadable: the parse reports that quickly)."""
        try:
            if path.stat().st_size > MAX_BYTES:
                return None
            data = path.read_bytes()
        except OSError:
            return None
        side = path.with_name(path.name + ".meta.json")
        try:
            side_bytes = side.read_bytes() if side.exists() else b""
        except OSError:
            return None
        h = hashlib.sha256(parser_fingerprint().encode())
        for part in (hashlib.sha256(data).digest(), str(path.relative_to(root)).encode(), side_bytes):
            h.update(len(part).to_bytes(8, "little") + part)
        return h.hexdigest()

    def get(self, key: str | None) -> ParsedDocument | None:
        if key is None:
            return None
        f = self.dir / f"{key}.pickle"
        if not f.exists():
            return None
        try:
            with open(f, "rb") as fh:
                doc = pickle.load(fh)
            if not isinstance(doc, ParsedDocument):
                raise TypeError("not a ParsedDocument")
        except Exception:
            f.unlink(missing_ok=True)
            return None
        self.used.add(key)
        self.hits += 1
        return doc

    def put(self, key: str | None, doc: ParsedDocument) -> None:
        if key is None:
            return
        self.used.add(key)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.dir, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(doc, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.dir / f"{key}.pickle")
        except OSError:
            pass   # a read-only or full disk only costs the next build its speed-up

    def prune(self) -> None:
        """Remove entries this build did not use (old versions of changed documents)."""
        if not self.dir.is_dir():
            return
        for f in self.dir.iterdir():
            if f.suffix == ".pickle" and f.stem not in self.used or f.suffix == ".tmp":
                f.unlink(missing_ok=True)
