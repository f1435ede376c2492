"""Does every page show the same as before? The page-level check behind a refactoring of the
dashboard (bench/compare_databases.py is the one of the ETL).

    .venv/bin/python -m bench.page_snapshot dump --db DB --input DOCS --out /tmp/before.json   # old code
    .venv/bin/python -m bench.page_snapshot dump --db DB --input DOCS --out /tmp/after.json    # new code
    .venv/bin/python -m bench.page_snapshot compare /tmp/before.json /tmp/after.json

`dump` runs the app (app.py, streamlit.testing.v1.AppTest) on the database DB for every page
of its navigation, in a few views each: the default view, the Tabell tab (and Karta) where a
page has tabs, and views the page binds to the URL (an indicator, a year, a district, a search,
"Min stadsdel"), picked from the options the default view offers. For each view it writes
what the user sees, element by element in page order: titles, Markdown, captions, metrics,
the rows of every table, every chart's Vega-Lite spec with its data, the options and values
of select boxes, the labels and file names of download buttons with a digest of the file
each one makes (--no-files: without the digests; rendering every chart's PNG, PDF and
PowerPoint is most of the time), and the URL's parameters after the run.

Two dumps of the same code on the same database are identical: the worktree's path, the
database's and the documents folder's paths, times and dates (a build's time, "Exporterad"
in a workbook, a deck's core properties) and Streamlit's random ids are left out or masked,
and a file is digested in a canonical form (a zip member by member, a PDF's objects sorted:
vl-convert writes them in no fixed order). A chart's data rows, and the rows a download is
made from, are taken in a fixed order: a chart draws by its encodings, not by the order of its
rows, and some frames come from a polars group_by whose order changes from run to run (the
Aktiviteter page's counts per district and status); a table's rows are kept in their order.
`compare` prints one line per page and view, same or DIFFERENT with the first paths that
differ, and exits 1 when a view differs or exists in one dump only.

DOCS (--input, default: an empty folder) is the folder the pages read printed lines from
(the source excerpts under a value): data/raw for the seed database, the generated folder for
``python -m bench.generate``'s. --pages limits the dump to some pages (comma-separated
file stems, e.g. jamfor_indikator,ekonomi).
"""
from __future__ import annotations

import argparse
import datetime as _dt
import functools
import hashlib
import io
import json
import math
import os
import re
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
ALL_AREAS = "Alla områden"                  # the economy page's first choice
SEARCH_WORDS = ("förskola", "trygghet")     # the search views' words (both are in every council's plan)
N_PATHS = 5                                 # differing paths shown per view

View = tuple[str, dict[str, Any]]      # a view's name and its URL parameters


# --- running a page ------------------------------------------------------------------------------

_DEFERRED: dict[str, tuple[Callable[[], Any], str | None, str | None]] = {}   # file id -> (callable, name, type)


def _record_deferred_downloads() -> None:
    """Keep the callable, file name and MIME type behind every deferred download button
    (st.download_button(data=callable)) by its file id: the button's proto holds only the id,
    and the dump makes the file the button would give."""
    from streamlit.runtime.media_file_manager import MediaFileManager
    if getattr(MediaFileManager.add_deferred, "_recorded", False):
        return
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = original(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        _DEFERRED[file_id] = (data_callable, file_name, mimetype)
        return file_id
    add_deferred._recorded = True       # type: ignore[attr-defined]
    MediaFileManager.add_deferred = add_deferred    # type: ignore[method-assign]


def app_pages() -> list[str]:
    """The page files of app.py's navigation, in its order (e.g. "pages/oversikt.py")."""
    return re.findall(r'st\.Page\("([^"]+\.py)"', APP.read_text(encoding="utf-8"))


def run_view(page: str, params: dict[str, Any]):
    """A new session of the app opened on `page` with the URL's parameters (one run, as a
    shared link opens)."""
    from streamlit.testing.v1 import AppTest

    _DEFERRED.clear()
    at = AppTest.from_file(str(APP), default_timeout=180)
    at.switch_page(page)            # a file name: the navigation's pages have no url_path of their own
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


# --- what the user sees, as plain JSON -------------------------------------------------------------

class Masks:
    """The strings that differ from one dump to the next without the pages differing."""

    def __init__(self, **paths: Path):
        named = {str(q): f"<{name}>" for name, p in paths.items() for q in (p, p.resolve())}
        self.paths = sorted(named.items(), key=lambda kv: len(kv[0]), reverse=True)   # the longest first
        self.today = _dt.date.today().isoformat()

    def text(self, s: str) -> str:
        for path, name in self.paths:
            s = s.replace(path, name)
        s = re.sub(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?", "<time>", s)
        return s.replace(self.today, "<today>")

    def data(self, raw: bytes) -> bytes:
        """File bytes with their times masked (a PDF's dates, today's date in a CSV's header)."""
        raw = re.sub(rb"/(CreationDate|ModDate) ?\(D:[^)]*\)", rb"/\1 (<time>)", raw)
        raw = re.sub(rb"/ID ?\[[^\]]*\]", b"/ID [<id>]", raw)
        raw = re.sub(rb"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?", b"<time>", raw)
        return raw.replace(self.today.encode(), b"<today>")


_PDF_OBJECT = re.compile(rb"(?ms)^\d+ 0 obj\n(.*?)\nendobj\n")
_PDF_REFERENCE = re.compile(rb"\b\d+ 0 R\b")


def canonical(raw: bytes, masks: Masks) -> bytes:
    """A file's bytes in a form that is the same whenever the file says the same: a zip (xlsx,
    pptx, the workbook inside a pptx chart) member by member; a PDF's objects, and the lines
    of each, sorted and without the objects' numbers (vl-convert writes the font objects and
    the entries of a page's resources in no fixed order); times masked."""
    if raw[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            return b"".join(name.encode() + b"\0" + hashlib.sha256(canonical(z.read(name), masks)).digest()
                            for name in sorted(z.namelist()))
    if raw[:5] == b"%PDF-" and (objects := _PDF_OBJECT.findall(raw)):
        return b"\0".join(sorted(b"\n".join(sorted(masks.data(_PDF_REFERENCE.sub(b"<ref>", body)).split(b"\n")))
                                  for body in objects))
    return masks.data(raw)


def file_digest(data: Any, masks: Masks) -> str:
    """sha256 of the file a download button gives, in its canonical form."""
    if hasattr(data, "read"):
        data = data.read()
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    return hashlib.sha256(canonical(raw, masks)).hexdigest()


def plain(value: Any, masks: Masks) -> Any:
    """A JSON value of a cell, a chart datum or a proto field (times, NaN and bytes as text)."""
    if isinstance(value, str):
        return masks.text(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, (bool, int)) or value is None:
        return value
    if isinstance(value, bytes):
        return {"sha256": hashlib.sha256(value).hexdigest()}
    if isinstance(value, dict):
        return {str(k): plain(v, masks) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, masks) for v in value]
    if hasattr(value, "isoformat"):
        return masks.text(value.isoformat())
    if hasattr(value, "tolist"):
        return plain(value.tolist(), masks)
    return masks.text(str(value))


def arrow_rows(data: bytes, masks: Masks, in_order: bool = True) -> dict[str, Any]:
    """The rows of an Arrow stream (a table's, or a chart's data: in_order=False, sorted)."""
    import pyarrow as pa

    table = pa.ipc.open_stream(data).read_all()
    rows = plain([list(r.values()) for r in table.to_pylist()], masks)
    return {"columns": table.column_names, "rows": rows if in_order else sorted(rows, key=_row_key)}


def _row_key(row: Any) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)


def in_fixed_order(value: Any) -> Any:
    """A download's input with its rows in a fixed order: a polars frame, or the JSON text of a
    chart spec (the export panel renders from it) with each dataset's rows sorted."""
    import polars as pl

    if isinstance(value, pl.DataFrame):
        rows = [repr(r) for r in value.rows()]
        return value[sorted(range(len(rows)), key=rows.__getitem__)] if rows else value
    if isinstance(value, str) and value.startswith("{"):
        try:
            spec = json.loads(value)
        except ValueError:
            return value
        if isinstance(spec, dict) and isinstance(spec.get("datasets"), dict):
            spec["datasets"] = {k: sorted(v, key=_row_key) for k, v in spec["datasets"].items()}
            return json.dumps(spec, sort_keys=True, ensure_ascii=False, default=str)
    return value


_ID = re.compile(r"^\$\$ID-[0-9a-f]+-(.*)$")
WIDGETS = {"selectbox", "multiselect", "text_input", "text_area", "button_group", "checkbox", "toggle",
           "radio", "number_input", "slider", "select_slider", "date_input"}


def element(node: Any, masks: Masks, files: bool) -> dict[str, Any]:
    """One element of the page (and its children, in order) as plain JSON."""
    from google.protobuf.json_format import MessageToDict

    out: dict[str, Any] = {"type": getattr(node, "type", type(node).__name__)}
    proto = getattr(node, "proto", None)
    if proto is not None and hasattr(proto, "DESCRIPTOR"):
        fields = MessageToDict(proto, preserving_proto_field_name=True)
        if out["type"] == "vega_lite_chart":
            # a dataset is named after its rows in their order (Altair's "data-<md5>"): named after
            # the sorted rows here, in the spec too
            datasets = {d.name: arrow_rows(d.data.data, masks, in_order=False) for d in proto.datasets}
            names = {old: "data-" + hashlib.sha256(_row_key(rows).encode()).hexdigest()[:32]
                     for old, rows in datasets.items()}
            out["spec"] = _renamed(plain(json.loads(fields.pop("spec", "{}")), masks), names)
            fields.pop("datasets", None)
            out["datasets"] = {names[old]: rows for old, rows in datasets.items()}
        if out["type"] in ("dataframe", "table") and proto.HasField("arrow_data"):
            fields.pop("arrow_data")
            out["data"] = arrow_rows(proto.arrow_data.data, masks)
            out["column_config"] = plain(json.loads(fields.pop("columns", "") or "{}"), masks)
        if out["type"] == "html" and "body" in fields:
            out["body_sha256"] = hashlib.sha256(fields.pop("body").encode()).hexdigest()
        file_id = fields.pop("deferred_file_id", None)
        if "type" in fields:                    # a button's "primary"/"secondary"
            fields["button_type"] = fields.pop("type")
        out.update(plain(_keys_for_ids(fields), masks))
        if out["type"] in WIDGETS:
            out["value"] = plain(node.value, masks)
        if file_id is not None:
            make, name, mime = _DEFERRED.get(file_id, (None, None, None))
            if isinstance(make, functools.partial):
                make = functools.partial(make.func, *map(in_fixed_order, make.args), **make.keywords)
            out["file"] = plain({"name": name, "mime": mime}, masks)
            out["file_sha256"] = file_digest(make(), masks) if files and make is not None else "not made"
    children = getattr(node, "children", None) or {}
    if children:
        out["children"] = [element(c, masks, files) for _, c in sorted(children.items())]
    return out


def _renamed(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, dict):
        return {names.get(k, k): _renamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_renamed(v, names) for v in value]
    return value


def _keys_for_ids(value: Any) -> Any:
    """Streamlit's element ids hold a hash of the element's arguments; the user's key is kept."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "id" and isinstance(v, str) and (m := _ID.match(v)):
                out["key"] = m.group(1)
            else:
                out[k] = _keys_for_ids(v)
        return out
    if isinstance(value, list):
        return [_keys_for_ids(v) for v in value]
    return value


def snapshot(at, masks: Masks, files: bool) -> dict[str, Any]:
    return {"elements": element(at._tree, masks, files)["children"],
            "url": plain({k: at.query_params[k] for k in sorted(at.query_params)}, masks)}


# --- the views of each page --------------------------------------------------------------------------

def find(tree: list[dict], key: str) -> dict | None:
    """The widget with this key in a snapshot's elements."""
    for node in tree:
        if node.get("key") == key:
            return node
        hit = find(node.get("children", []), key)
        if hit is not None:
            return hit
    return None


def options(default: dict, key: str) -> list[str]:
    node = find(default["elements"], key)
    if node is None:
        return []
    return [o["content"] if isinstance(o, dict) else o for o in node.get("options", [])]


def errors(tree: list[dict]) -> list[dict]:
    """The error messages and exceptions a view shows (a view worth comparing shows none)."""
    return [n for n in tree if n["type"] in ("exception", "error")] + [
        e for n in tree for e in errors(n.get("children", []))]


def other(default: dict, key: str) -> str | None:
    """The last option of a select box that the default view does not show."""
    node = find(default["elements"], key) or {}
    return next((o for o in reversed(options(default, key)) if o != node.get("value")), None)


def has_tabs(default: dict, label: str) -> bool:
    def walk(nodes):
        for n in nodes:
            yield n
            yield from walk(n.get("children", []))
    return any(n["type"] == "tab" and n.get("label") == label for n in walk(default["elements"]))


def views(page: str, default: dict, db: Path) -> list[View]:
    """The views of a page after its default one, from the options the default view offers."""
    name = Path(page).stem
    out: list[View] = []
    if has_tabs(default, "Tabell"):
        out.append(("Tabell", {"vy": "Tabell"}))
    if has_tabs(default, "Karta"):
        out.append(("Karta", {"vy": "Karta"}))
        out.append(("Karta, måluppfyllelse", {"vy": "Karta", "karta": "Måluppfyllelse"}))
    mine = options(default, "min")[1:2]          # the sidebar's first district ("Ingen vald" first)
    if mine and name in ("oversikt", "jamfor_indikator", "stadsdelsprofil", "aktiviteter", "stadsdelar"):
        out.append((f"Min stadsdel {mine[0]}", {"min": mine[0]}))
    years = options(default, "ar")
    if name == "jamfor_indikator":
        indicators = options(default, "indikator")
        if len(indicators) > 1:
            middle = indicators[len(indicators) // 2]
            out.append(("indikator (mitten av listan)", {"indikator": middle}))
            out.append(("indikator (mitten av listan), Tabell", {"indikator": middle, "vy": "Tabell"}))
        out.append((f"sök {SEARCH_WORDS[0]}", {"sok": SEARCH_WORDS[0]}))
        districts = options(default, "stadsdelar")
        if len(districts) > 2:
            out.append(("två stadsdelar, sortering Namn", {"stadsdelar": districts[:2], "sortering": "Namn"}))
        if len(years) > 1:
            out.append((f"år {years[-1]}", {"ar": years[-1]}))
    elif name == "stadsdelsprofil":
        district = other(default, "stadsdel")
        if district:
            out.append((f"stadsdel {district}", {"stadsdel": district}))
        out.append((f"filter {SEARCH_WORDS[0]}", {"mal": SEARCH_WORDS[0]}))
    elif name == "maluppfyllelse":
        levels = options(default, "niva")      # bound to the URL by the label shown
        if len(levels) > 1:
            out.append((levels[1], {"niva": levels[1]}))
        if len(years) > 1:
            out.append((f"år {years[-1]}", {"ar": years[-1]}))
    elif name == "ekonomi":
        out.append(("bokslut", {"slag": "Bokslut"}))
        shown = (find(default["elements"], "omrade") or {}).get("value")
        area = next((a for a in options(default, "omrade") if _area_value(a) != shown and a != shown), None)
        if area:                    # "Alla områden" or, when that is the default, the first area
            out.append(("ett annat område", {"omrade": area if area == ALL_AREAS else _area_value(area)}))
    elif name == "aktiviteter":
        districts = options(default, "stadsdelar")
        if districts:
            out.append((f"stadsdel {districts[0]} (tidslinje)", {"stadsdelar": [districts[0]]}))
            out.append((f"alla stadsdelar med enheter, sök {SEARCH_WORDS[0]}",
                        {"stadsdelar": districts, "enheter": "true", "sok": SEARCH_WORDS[0]}))
    elif name == "sok":
        out.append((f"sök {SEARCH_WORDS[0]}", {"q": SEARCH_WORDS[0]}))
        districts = options(default, "stadsdel")
        if districts:
            out.append((f"sök {SEARCH_WORDS[1]} i {districts[0]}", {"q": SEARCH_WORDS[1], "stadsdel": districts[0]}))
    elif name == "dokument" and default["url"].get("dokument"):
        elsewhere = _another_section(db, int(default["url"]["dokument"]))
        if elsewhere is not None:
            out.append(("ett annat dokument och avsnitt", {"dokument": str(elsewhere[0]), "avsnitt": str(elsewhere[1])}))
    elif name == "stadsdelar":
        districts = options(default, "stadsdel")
        if len(districts) > 1:     # the select box names a former council "X (tidigare)"
            out.append(("stadsdel (andra i listan)", {"stadsdel": districts[1].removesuffix(" (tidigare)")}))
    elif name == "kallor":
        stages = options(default, "steg")
        if stages:
            out.append((f"steg {stages[0]}", {"steg": [stages[0]]}))
    return out


def _another_section(db: Path, shown: int) -> tuple[int, int] | None:
    """(document, section) of a document other than the one shown, not its first section:
    the document page's select boxes show labels, the URL takes ids."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute("SELECT document_id, max(section_id) FROM sections WHERE document_id <> ? "
                          "GROUP BY document_id ORDER BY document_id LIMIT 1", [shown]).fetchone()
    finally:
        con.close()
    return (int(row[0]), int(row[1])) if row else None


def _area_value(label: str) -> str:
    """The economy page shows an area capitalised; its URL value is the area as printed (lower case)."""
    return label[:1].lower() + label[1:]


def dump(db: Path, out: Path, input_dir: Path | None, pages: list[str] | None, files: bool) -> int:
    _record_deferred_downloads()
    empty = Path(tempfile.mkdtemp(prefix="page-snapshot-"))
    docs = input_dir or empty
    os.environ["STADSDEL_DB"] = str(db)
    os.environ["STADSDEL_INPUT"] = str(docs)
    masks = Masks(root=ROOT, db=db, db_folder=db.parent, documents=docs, empty_folder=empty)
    result: dict[str, Any] = {"pages": {}}
    for page in app_pages():
        if pages and Path(page).stem not in pages:
            continue
        at = run_view(page, {})
        default = snapshot(at, masks, files)
        shown = {"standard": default}
        for name, params in views(page, default, db):
            shown[name] = snapshot(run_view(page, params), masks, files)
        result["pages"][Path(page).stem] = shown
        notes = [f"{name}: {n} fel" for name, view in shown.items() if (n := len(errors(view["elements"])))]
        notes += [f"{name}: som standard" for name, view in shown.items() if name != "standard" and view == default]
        print(f"{Path(page).stem:20} {len(shown)} views: {', '.join(shown)}"
              + (f" ({'; '.join(notes)})" if notes else ""), file=sys.stderr)
    result["views"] = sum(len(v) for v in result["pages"].values())
    out.write_text(json.dumps(result, ensure_ascii=False, sort_keys=True, indent=1), encoding="utf-8")
    print(f"{result['views']} views of {len(result['pages'])} pages -> {out}", file=sys.stderr)
    return 0


# --- comparing two dumps -----------------------------------------------------------------------------

def _segment(i: int, node: Any) -> str:
    if isinstance(node, dict) and "type" in node:
        return f"[{i}:{node['type']}" + (f"#{node['key']}" if node.get("key") else "") + "]"
    return f"[{i}]"


def differences(a: Any, b: Any, path: str = "", found: list[str] | None = None) -> list[str]:
    """The paths where a and b differ, in document order (stops after N_PATHS)."""
    found = [] if found is None else found
    if len(found) >= N_PATHS or a == b:
        return found
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                found.append(f"{path}.{k}: only in {'the second' if k not in a else 'the first'}")
            else:
                differences(a[k], b[k], f"{path}.{k}", found)
            if len(found) >= N_PATHS:
                break
    elif isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b)):
            differences(x, y, path + _segment(i, x), found)
            if len(found) >= N_PATHS:
                break
        if len(a) != len(b) and len(found) < N_PATHS:
            found.append(f"{path}: {len(a)} items against {len(b)}")
    else:
        found.append(f"{path}: {_short(a)} against {_short(b)}")
    return found


def _short(v: Any) -> str:
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= 80 else s[:77] + "..."


def compare(first: Path, second: Path) -> int:
    a = json.loads(first.read_text(encoding="utf-8"))["pages"]
    b = json.loads(second.read_text(encoding="utf-8"))["pages"]
    different = same = 0
    for page in list(dict.fromkeys([*a, *b])):
        va, vb = a.get(page, {}), b.get(page, {})
        for view in list(dict.fromkeys([*va, *vb])):
            label = f"{page} / {view}"
            if view not in va or view not in vb:
                print(f"{label:60} only in {'the first' if view in va else 'the second'} dump")
                different += 1
                continue
            paths = differences(va[view], vb[view])
            if paths:
                different += 1
                print(f"{label:60} DIFFERENT")
                for p in paths:
                    print(f"    {p}")
            else:
                same += 1
                print(f"{label:60} same")
    print(f"views: {same + different}, same: {same}, different: {different}")
    return 1 if different else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump", help="what every page shows, as JSON")
    d.add_argument("--db", type=Path, required=True)
    d.add_argument("--out", type=Path, required=True)
    d.add_argument("--input", type=Path, default=None, help="the documents folder (default: an empty one)")
    d.add_argument("--pages", default="", help="only these pages (file stems, comma-separated)")
    d.add_argument("--no-files", action="store_true", help="no digests of the download buttons' files")
    c = sub.add_parser("compare", help="two dumps, page by page and view by view")
    c.add_argument("first", type=Path)
    c.add_argument("second", type=Path)
    args = parser.parse_args(argv)
    if args.command == "compare":
        return compare(args.first, args.second)
    if not args.db.is_file():
        parser.error(f"no database at {args.db}")
    return dump(args.db.resolve(), args.out, args.input.resolve() if args.input else None,
                [p for p in args.pages.split(",") if p], not args.no_files)


if __name__ == "__main__":
    sys.exit(main())
