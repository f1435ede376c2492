"""Parse equivalence and parse CPU time: is the parser's output unchanged, and how fast is it?

    .venv/bin/python -m bench.generate --out /tmp/pe-corpus --n 60 --seed 3    # the corpus
    .venv/bin/python -m bench.parse_equivalence dump --out REF_DIR              # reference output
    .venv/bin/python -m bench.parse_equivalence dump --out NEW_DIR              # after a change
    .venv/bin/python -m bench.parse_equivalence compare REF_DIR NEW_DIR         # identical?
    .venv/bin/python -m bench.parse_equivalence time --runs 3                   # CPU s per document
    .venv/bin/python -m bench.parse_equivalence stages --runs 3                 # ... per parse stage

``dump`` parses the five seed documents (data/raw) and the generated corpus (--corpus, default
/tmp/pe-corpus) one by one with etl.parse.assemble.parse_file and writes every ParsedDocument as JSON
(``doc.to_dict()``: meta, goals, indicators, activities, warnings, sections, budget lines and
the search terms' digests), one file per document, plus an index of sha256 digests of the dumps.
``compare`` reports every document whose dump differs, with the first differing paths.
``time`` runs the serial parse of the same documents in fresh processes (no profiler, cold
caches; CPU time from time.process_time, imports excluded) and prints the median of the runs;
``stages`` does the same for each stage (read, detect, sections, recognise, budget, link) apart.
The machine is shared: other processes make CPU times vary by 10 % or more, so compare
versions with interleaved runs.
"""
from __future__ import annotations

import hashlib
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "data" / "raw"
DEFAULT_CORPUS = Path("/tmp/pe-corpus")


def documents(corpus: Path) -> list[tuple[str, Path, Path]]:
    """(name, path, root) of the seeds and the corpus, in a fixed order."""
    out = []
    for root, prefix in ((SEEDS, "seed"), (corpus, "corpus")):
        if not root.is_dir():
            continue
        for p in sorted(root.iterdir()):
            if p.suffix in (".txt", ".md", ".pdf") and not p.name.startswith("."):
                out.append((f"{prefix}__{p.name}", p, root))
    return out


def dump_one(path: Path, root: Path, registry) -> str:
    from etl.parse.assemble import parse_file

    doc = parse_file(path, root, registry)
    return json.dumps(doc.to_dict(), ensure_ascii=False, indent=1, sort_keys=True, default=str)


@click.group()
def main() -> None:
    """Parse equivalence harness (see the module docstring)."""


@main.command()
@click.option("--out", type=click.Path(path_type=Path), required=True)
@click.option("--corpus", type=click.Path(path_type=Path), default=DEFAULT_CORPUS, show_default=True)
def dump(out: Path, corpus: Path) -> None:
    """Parse every document and write its ParsedDocument as JSON under OUT."""
    from etl.parse.detect import load_registry

    registry = load_registry()
    out.mkdir(parents=True, exist_ok=True)
    index = {}
    for name, path, root in documents(corpus):
        text = dump_one(path, root, registry)
        (out / f"{name}.json").write_text(text + "\n", encoding="utf-8")
        index[name] = hashlib.sha256(text.encode()).hexdigest()
    (out / "_index.json").write_text(json.dumps(index, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    click.echo(f"{len(index)} documents -> {out}")


def _diff_paths(a, b, path: str = "", out: list | None = None, limit: int = 8) -> list[str]:
    out = [] if out is None else out
    if len(out) >= limit:
        return out
    if type(a) is not type(b):
        out.append(f"{path}: {a!r:.120} != {b!r:.120}")
    elif isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}.{k}: only in {'new' if k in b else 'ref'}")
            else:
                _diff_paths(a[k], b[k], f"{path}.{k}", out, limit)
    elif isinstance(a, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items != {len(b)} items")
        for i, (x, y) in enumerate(zip(a, b)):
            _diff_paths(x, y, f"{path}[{i}]", out, limit)
    elif a != b:
        out.append(f"{path}: {a!r:.160} != {b!r:.160}")
    return out


@main.command()
@click.argument("ref", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
def compare(ref: Path, new: Path) -> None:
    """Exit 1 when any document's dump differs between REF and NEW (differences listed)."""
    a = json.loads((ref / "_index.json").read_text())
    b = json.loads((new / "_index.json").read_text())
    bad = 0
    for name in sorted(set(a) | set(b)):
        if a.get(name) == b.get(name):
            continue
        bad += 1
        if name not in a or name not in b:
            click.echo(f"{name}: only in {'new' if name in b else 'ref'}")
            continue
        da = json.loads((ref / f"{name}.json").read_text())
        db = json.loads((new / f"{name}.json").read_text())
        click.echo(f"{name}:")
        for line in _diff_paths(da, db):
            click.echo(f"    {line}")
    click.echo(f"{len(a)} documents in ref, {len(b)} in new, {bad} differ")
    sys.exit(1 if bad else 0)


@main.command("time-one", hidden=True)
@click.option("--corpus", type=click.Path(path_type=Path), default=DEFAULT_CORPUS)
def time_one(corpus: Path) -> None:
    """One serial parse of all documents in this (fresh) process; prints JSON timings."""
    from etl.parse.assemble import parse_file
    from etl.parse.detect import load_registry

    registry = load_registry()
    docs = documents(corpus)
    per = {}
    t0 = time.process_time()
    for name, path, root in docs:
        t = time.process_time()
        parse_file(path, root, registry)
        per[name] = time.process_time() - t
    total = time.process_time() - t0
    print(json.dumps({"total": total, "n": len(docs), "per": per}))


@main.command("stages-one", hidden=True)
@click.option("--corpus", type=click.Path(path_type=Path), default=DEFAULT_CORPUS)
def stages_one(corpus: Path) -> None:
    """CPU seconds of each parse stage over all documents, in this (fresh) process (JSON)."""
    from etl.model import ParsedDocument
    from etl.parse.budget import parse_budget
    from etl.parse.detect import detect, load_registry
    from etl.parse.link import link
    from etl.parse.recognise import recognise
    from etl.parse.sections import heading_lines, parse_sections
    from etl.parse.vocabulary import Vocabulary
    from etl.read.text import read_document

    registry = load_registry()
    cpu = dict.fromkeys(("read", "detect", "sections", "recognise", "budget", "link"), 0.0)

    def timed(stage, f, *args):
        t = time.process_time()
        out = f(*args)
        cpu[stage] += time.process_time() - t
        return out

    for _name, path, root in documents(corpus):
        raw = timed("read", read_document, path, root)
        meta = timed("detect", detect, raw, path, registry)
        sections = timed("sections", parse_sections, raw)
        vocab = Vocabulary(raw.lines)
        goals, rows, activities, _ = timed("recognise", recognise, raw, heading_lines(sections), vocab)
        budget_lines, _ = timed("budget", parse_budget, raw, sections, vocab)
        timed("link", link, ParsedDocument(raw, meta, goals, rows, activities, sections=sections,
                                           budget_lines=budget_lines))
    print(json.dumps(cpu))


@main.command()
@click.option("--corpus", type=click.Path(path_type=Path), default=DEFAULT_CORPUS, show_default=True)
@click.option("--runs", default=3, show_default=True)
def stages(corpus: Path, runs: int) -> None:
    """CPU seconds per document of each parse stage: median of RUNS fresh processes."""
    results = []
    for _ in range(runs):
        res = subprocess.run([sys.executable, "-m", "bench.parse_equivalence", "stages-one", "--corpus", str(corpus)],
                             cwd=ROOT, capture_output=True, text=True, check=True)
        results.append(json.loads(res.stdout.strip().splitlines()[-1]))
    n = len(documents(corpus))
    total = statistics.median(sum(r.values()) for r in results)
    for stage in results[0]:
        med = statistics.median(r[stage] for r in results)
        click.echo(f"{stage:10s} {med / n * 1000:7.1f} ms per document  {med / total:5.0%}")
    click.echo(f"{'total':10s} {total / n * 1000:7.1f} ms per document")


@main.command("time")
@click.option("--corpus", type=click.Path(path_type=Path), default=DEFAULT_CORPUS, show_default=True)
@click.option("--runs", default=3, show_default=True)
def time_cmd(corpus: Path, runs: int) -> None:
    """CPU seconds per document: median of RUNS serial parses, each in a fresh process."""
    results = []
    for _ in range(runs):
        res = subprocess.run([sys.executable, "-m", "bench.parse_equivalence", "time-one", "--corpus", str(corpus)],
                             cwd=ROOT, capture_output=True, text=True, check=True)
        results.append(json.loads(res.stdout.strip().splitlines()[-1]))
    n = results[0]["n"]
    totals = [r["total"] for r in results]
    med = statistics.median(totals)
    seeds = statistics.median(sum(v for k, v in r["per"].items() if k.startswith("seed__")) for r in results)
    n_seeds = sum(1 for k in results[0]["per"] if k.startswith("seed__"))
    click.echo(f"runs (CPU s, {n} documents): " + ", ".join(f"{t:.2f}" for t in totals))
    click.echo(f"median {med:.2f} s CPU = {med / n:.4f} s per document "
               f"(seeds: {seeds:.2f} s for {n_seeds}; corpus: {(med - seeds) / max(1, n - n_seeds):.4f} s per document)")


if __name__ == "__main__":
    main()
