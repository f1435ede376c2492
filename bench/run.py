"""Benchmarks at city scale: ETL throughput, incremental rebuild, query and page latency, memory.

    .venv/bin/python -m bench.run --sizes 50,500,1000          # the table in BENCHMARKS.md
    .venv/bin/python -m bench.run --sizes 50 --skip-page       # quicker
    .venv/bin/python -m bench.run profile --n 20               # where the parse time goes

For each size N a corpus is generated with bench.generate (cached under --work), then:
- full build: `build_database` in a new process (cold: no previous database), with the stage
  times the build reports (BuildReport.stages, see etl/store/build.py); peak RSS and CPU time of
  the whole process tree (sampled from /proc every 0.1 s; the forkserver and the parse workers
  included) and ru_maxrss of the main process;
- detection check: each document's detected district/year/kind/level against the manifest;
- one changed file: a number in one document is changed and the build runs again on the same
  database path (an incremental build: the previous database is copied and updated);
- the dashboard's query modules (dashboard/) on the built database: median of repeated calls;
- comparison page: AppTest runs pages/jamfor_indikator.py, then the indicator is changed
  and the time of the re-run is measured (median over several indicators).
Benchmarks print numbers; they are not pass/fail tests. Machine load changes timings: other
processes running at the same time make every number here larger.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
TARGETS = {
    "seed_cold_build_s": 2.0, "full_build_s_520": 60.0, "peak_rss_mb_520": 1024.0,
    "changed_file_s": 2.0, "query_ms": 50.0, "page_rerender_ms": 300.0,
}


# -- memory -----------------------------------------------------------------------------------
def _tree(root_pid: int) -> dict[int, tuple[int, int]]:
    """{pid: (resident kB, CPU clock ticks used)} of a process and all its descendants (Linux
    /proc; the build's forkserver and its parse workers are descendants too)."""
    children: dict[int, list[int]] = {}
    info: dict[int, tuple[int, int]] = {}
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{d}/statm") as f:
                rss = int(f.read().split()[1]) * page_kb
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(int(fields[1]), []).append(int(d))
        info[int(d)] = (rss, int(fields[11]) + int(fields[12]))      # utime + stime
    out, todo = {}, [root_pid]
    while todo:
        pid = todo.pop()
        if pid in info:
            out[pid] = info[pid]
        todo.extend(children.get(pid, []))
    return out


class RssSampler:
    """Peak resident memory of a process tree, and the CPU time its processes used (the last
    sample of each process; a process that ends between samples loses at most `every` s)."""

    def __init__(self, pid: int, every: float = 0.1):
        self.pid, self.every, self.peak_kb = pid, every, 0
        self.cpu_ticks: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def cpu_s(self) -> float:
        return sum(self.cpu_ticks.values()) / os.sysconf("SC_CLK_TCK")

    def _run(self) -> None:
        while True:
            tree = _tree(self.pid)
            self.peak_kb = max(self.peak_kb, sum(rss for rss, _ in tree.values()))
            for pid, (_, ticks) in tree.items():
                self.cpu_ticks[pid] = max(self.cpu_ticks.get(pid, 0), ticks)
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


# -- the build, in its own process --------------------------------------------------------------
def build_in_process(corpus: Path, db: Path) -> dict:
    """Run build_database and collect its stage times (called in a fresh process by `_build`)."""
    import resource

    t_import = time.perf_counter()
    import etl.store.build as B

    import_s = time.perf_counter() - t_import
    sampler = RssSampler(os.getpid())
    with sampler:
        t0 = time.perf_counter()
        report = B.build_database(corpus, db)
        total = time.perf_counter() - t0
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    docs = report.documents
    return {
        "build_s": total, "import_s": import_s, "stages": report.stages, "cpu_s": sampler.cpu_s,
        "peak_tree_rss_mb": sampler.peak_kb / 1024, "maxrss_main_mb": me / 1024,
        "parsed": sum(1 for d in docs if not d.reused), "loaded": len(report.loaded),
        "reused": report.reused, "incremental": report.incremental, "base": report.base, "counts": report.counts,
    }


def run_build(corpus: Path, db: Path, cold: bool = False) -> dict:
    """One build in a new process; `cold` removes the previous database first."""
    if cold:
        db.unlink(missing_ok=True)
    out = db.with_suffix(".build.json")
    t0 = time.perf_counter()
    proc = subprocess.run([PY, "-m", "bench.run", "_build", str(corpus), str(db), str(out)], cwd=ROOT,
                          capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode:
        raise click.ClickException(f"build failed:\n{proc.stderr[-3000:]}")
    res = json.loads(out.read_text())
    res["process_wall_s"] = wall
    return res


# -- corpus ------------------------------------------------------------------------------------
def corpus_for(work: Path, n: int, seed: int) -> Path:
    import shutil

    from bench.generate import generate, generator_fingerprint

    d = work / f"corpus-{n}-seed{seed}"
    man = d / "manifest.json"
    if man.exists():
        m = json.loads(man.read_text(encoding="utf-8"))
        if (m.get("n") == n and m.get("seed") == seed and m.get("generator") == generator_fingerprint()
                and all((d / x["file"]).exists() for x in m["documents"])):
            return d
    shutil.rmtree(d, ignore_errors=True)
    t0 = time.perf_counter()
    generate(d, n, seed)
    click.echo(f"  generated {n} documents in {time.perf_counter() - t0:.1f} s -> {d}", err=True)
    return d


def corpus_stats(d: Path) -> dict:
    docs = json.loads((d / "manifest.json").read_text(encoding="utf-8"))["documents"]
    size = lines = 0
    for x in docs:
        data = (d / x["file"]).read_bytes()
        size += len(data)
        lines += data.count(b"\n")
    flavours: dict[str, int] = {}
    for x in docs:
        flavours[x["flavour"]] = flavours.get(x["flavour"], 0) + 1
    return {"documents": len(docs), "mb": size / 1e6, "lines": lines, "flavours": flavours}


def detection_check(d: Path, db: Path) -> dict:
    import duckdb

    docs = json.loads((d / "manifest.json").read_text(encoding="utf-8"))["documents"]
    con = duckdb.connect(str(db), read_only=True)
    try:
        got = {r[0]: tuple(r[1:]) for r in con.execute(
            "SELECT source_file, district, year, doc_type, level FROM documents").fetchall()}
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("indicator_values", "goals", "activities", "sections", "budget_lines", "warnings", "indicators")}
    finally:
        con.close()
    wrong = [x["file"] for x in docs
             if got.get(x["file"]) != (x["district"], x["year"], x["doc_type"], x["level"])]
    return {"detected_right": len(docs) - len(wrong), "wrong": wrong[:10], "rows": counts}


# -- one changed file ----------------------------------------------------------------------------
def changed_file_rebuild(corpus: Path, db: Path, reps: int = 1) -> dict:
    """Change one number in one document, build again on the same DB path; restore the file."""
    docs = sorted(p for p in corpus.iterdir() if p.suffix in (".txt", ".md"))
    target = docs[len(docs) // 2]
    original = target.read_bytes()
    times, results, bases = [], [], []
    try:
        for i in range(reps):
            text = original.decode("utf-8")
            marker = " %"
            at = text.find(marker, len(text) // 3)
            if at > 0 and text[at - 1].isdigit():
                text = text[: at - 1] + str((int(text[at - 1]) + 1 + i) % 10) + text[at:]
            else:
                text += f"\nÄndrad {i}\n"
            target.write_bytes(text.encode("utf-8"))
            os.sync()     # the previous build's writes on disk: a user edits a file later, not mid-flush
            res = run_build(corpus, db)
            times.append(res["build_s"])
            bases.append(res.get("base"))
            results.append(res)
    finally:
        target.write_bytes(original)
    return {"file": target.name, "build_s": statistics.median(times), "all_s": times, "bases": bases,
            "stages": results[-1]["stages"], "reused": results[-1].get("reused"),
            "cpu_s": results[-1].get("cpu_s"), "peak_tree_rss_mb": results[-1].get("peak_tree_rss_mb"),
            "incremental": results[-1].get("incremental"), "parsed": results[-1].get("parsed")}


# -- dashboard queries ------------------------------------------------------------------------------
def time_call(fn, reps: int = 7) -> dict:
    t0 = time.perf_counter()
    fn()
    first = (time.perf_counter() - t0) * 1000
    ts, cpu = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        ts.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    # CPU time (all threads of this process) is less sensitive to other processes on the machine
    return {"first_ms": first, "median_ms": statistics.median(ts), "max_ms": max(ts),
            "cpu_median_ms": statistics.median(cpu)}


def query_benchmarks(db: Path, reps: int = 7, profile_top: int = 0) -> dict:
    import duckdb

    from dashboard import budget_queries as BQ
    from dashboard import document_queries as DQ
    from dashboard import goal_queries as GQ
    from dashboard import indicator_queries as IQ
    from dashboard import indicator_values as IV
    from dashboard import search_queries as SQ

    con = duckdb.connect(str(db), read_only=True)
    try:
        catalogue = IQ.search_indicators(con, "")
        iid = catalogue["indicator_id"][0]          # the most reported indicator comes first
        years = DQ.years(con)
        year = max(years)
        district = DQ.districts(con)[0]
        prof_year = con.execute("SELECT max(year) FROM documents WHERE district = ?", [district]).fetchone()[0]
        calls = {
            "indicator catalogue (search_indicators '')": lambda: IQ.search_indicators(con, ""),
            "indicator search (search_indicators 'bistånd')": lambda: IQ.search_indicators(con, "bistånd"),
            "indicator across districts (one year)": lambda: IQ.indicator_across_districts(con, iid, year),
            "indicator over years (all districts)": lambda: IQ.indicator_over_years(con, iid),
            "indicator by year (all rows)": lambda: IV.indicator_by_year(con, iid),
            "district profile (district, year)": lambda: IQ.district_profile(con, district, prof_year),
            "full-text search (search_sections 'förskola')": lambda: SQ.search_sections(con, "förskola"),
            "full-text search, one district": lambda: SQ.search_sections(con, "trygghet", district=district),
            "overview": lambda: DQ.overview(con),
            "goal assessments (year)": lambda: GQ.goal_assessments(con, year),
            "budget default year": lambda: BQ.budget_default_year(con),
        }
        try:
            budget_year = BQ.budget_default_year(con) or year
            calls["budget by area (year)"] = lambda: BQ.budget_by_area(con, budget_year)
            calls["budget vs outcome (year)"] = lambda: BQ.budget_vs_outcome(con, budget_year)
        except Exception:
            pass
        out = {}
        for name, fn in calls.items():
            try:
                out[name] = time_call(fn, reps)
            except Exception as e:   # a query the module does not have (yet) is reported, not fatal
                out[name] = {"error": f"{type(e).__name__}: {e}"}
                continue
            if profile_top:
                import cProfile
                import io
                import pstats

                pr = cProfile.Profile()
                pr.enable()
                fn()
                pr.disable()
                buf = io.StringIO()
                pstats.Stats(pr, stream=buf).sort_stats("cumulative").print_stats(profile_top)
                out[name]["profile"] = buf.getvalue()
        return {"indicator": iid, "year": year, "district": district, "queries": out}
    finally:
        con.close()


# -- comparison page --------------------------------------------------------------------------------
def page_benchmark(db: Path, changes: int = 5) -> dict:
    os.environ["STADSDEL_DB"] = str(db)
    os.environ["STADSDEL_INPUT"] = str(db.parent)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    t0 = time.perf_counter()
    at.run()
    at.switch_page("pages/jamfor_indikator.py")
    at.run()
    first = (time.perf_counter() - t0) * 1000
    if at.exception:
        return {"error": [e.message for e in at.exception]}
    box = at.selectbox(key="indikator")
    options = [o for o in box.options if o != box.value][:changes]
    times, cpu, errors = [], [], []
    for opt in options:
        at.selectbox(key="indikator").set_value(opt)
        t0, c0 = time.perf_counter(), time.process_time()
        at.run()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)     # all threads: AppTest runs the script in one
        if at.exception:
            errors.append(at.exception[0].message)
    # the same indicators again: served from st.cache_data
    cached = []
    for opt in options[:3]:
        at.selectbox(key="indikator").set_value(opt)
        t0 = time.perf_counter()
        at.run()
        cached.append((time.perf_counter() - t0) * 1000)
    return {"first_open_ms": first, "rerender_ms": statistics.median(times) if times else None,
            "rerender_cpu_ms": statistics.median(cpu) if cpu else None, "rerender_all_ms": times, "rerender_cached_ms": statistics.median(cached) if cached else None,
            "errors": errors[:3]}


# -- seeds ---------------------------------------------------------------------------------------------
def seed_cold_build(work: Path, reps: int = 3) -> dict:
    times = []
    for i in range(reps):
        db = work / f"seeds-{i}.duckdb"
        db.unlink(missing_ok=True)
        t0 = time.perf_counter()
        proc = subprocess.run([PY, "-m", "etl", "build", "--input", str(ROOT / "data" / "raw"), "--db", str(db)],
                              cwd=ROOT, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if proc.returncode:
            raise click.ClickException(proc.stderr[-2000:])
        db.unlink(missing_ok=True)
    inproc = run_build(ROOT / "data" / "raw", work / "seeds-stages.duckdb", cold=True)
    return {"cold_cli_s": statistics.median(times), "all_s": times, "stages": inproc["stages"],
            "build_s": inproc["build_s"], "import_s": inproc["import_s"]}


# -- machine ---------------------------------------------------------------------------------------------
def machine() -> dict:
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
    except OSError:
        mem_kb = 0
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip()
    except OSError:
        commit = "?"
    return {"cpu": cpu, "nproc": os.cpu_count(), "ram_gb": round(mem_kb / 1024 / 1024, 1), "commit": commit,
            "python": platform.python_version(), "load_avg": os.getloadavg()}


# -- output --------------------------------------------------------------------------------------------
def fmt(v, nd=1) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.{nd}f}".replace(",", " ")
    return str(v)


STAGES = ("keys", "open", "parse_wait", "load", "derived", "index", "commit")


def parse_and_load(s: dict) -> float:
    """Seconds from the first document handed to the loader to the last one loaded."""
    st = s["build"]["stages"]
    return st.get("parse_wait", 0.0) + st.get("load", 0.0)


def print_table(results: dict) -> None:
    sizes = results["sizes"]
    cols = [str(s["n"]) for s in sizes]
    rows: list[tuple[str, list[str]]] = []

    def row(label, f):
        vals = []
        for s in sizes:
            try:
                vals.append(f(s))
            except (KeyError, TypeError, ZeroDivisionError):
                vals.append("–")
        rows.append((label, vals))

    row("documents", lambda s: fmt(s["corpus"]["documents"]))
    row("MB of text", lambda s: fmt(s["corpus"]["mb"]))
    row("lines", lambda s: fmt(s["corpus"]["lines"]))
    row("detected right (district/year/kind/level)", lambda s: f"{s['detection']['detected_right']}/{s['corpus']['documents']}")
    row("indicator values loaded", lambda s: fmt(s["detection"]["rows"]["indicator_values"]))
    row("full build, s (build_database)", lambda s: fmt(s["build"]["build_s"]))
    row("  process wall incl. imports, s", lambda s: fmt(s["build"]["process_wall_s"]))
    for st in STAGES:
        row(f"  stage {st}, s", lambda s, st=st: fmt(s["build"]["stages"].get(st)))
    row("  other (swap, worker shutdown), s", lambda s: fmt(s["build"]["build_s"] - sum(s["build"]["stages"].values())))
    row("parse + load: documents/s", lambda s: fmt(s["corpus"]["documents"] / parse_and_load(s)))
    row("parse + load: MB/s", lambda s: fmt(s["corpus"]["mb"] / parse_and_load(s), 2))
    row("whole build: documents/s", lambda s: fmt(s["corpus"]["documents"] / s["build"]["build_s"]))
    row("whole build: MB/s", lambda s: fmt(s["corpus"]["mb"] / s["build"]["build_s"], 2))
    row("  CPU time of the build (all processes), s", lambda s: fmt(s["build"]["cpu_s"]))
    row("peak RSS, process tree, MB", lambda s: fmt(s["build"]["peak_tree_rss_mb"], 0))
    row("  ru_maxrss of the main process, MB", lambda s: f"{s['build']['maxrss_main_mb']:.0f}")
    row("one changed file: rebuild, s (median)", lambda s: fmt(s["changed"]["build_s"], 2) if "build_s" in s["changed"] else "skipped")
    row("  all runs, s (built from: c = copy, s = standby)", lambda s: " ".join(
        f"{t:.2f}{(b or '?')[0]}" for t, b in zip(s["changed"]["all_s"], s["changed"].get("bases", []))))
    row("  documents reused from the previous database / parsed", lambda s: f"{s['changed']['reused']} / {s['changed']['parsed']}")
    for st in STAGES:
        row(f"  rebuild stage {st}, s", lambda s, st=st: fmt(s["changed"]["stages"].get(st)))
    qnames = []
    for s in sizes:
        for q in s.get("queries", {}).get("queries", {}):
            if q not in qnames:
                qnames.append(q)
    for q in qnames:
        def qv(s, q=q):
            r = s["queries"]["queries"][q]
            return "error" if "error" in r else f"{r['median_ms']:.0f} ({r.get('cpu_median_ms', 0):.0f})"
        row(f"query ms, wall median (CPU): {q}", qv)
    row("compare page: first open, ms", lambda s: fmt(s["page"]["first_open_ms"], 0))
    row("compare page: re-render after new indicator, ms", lambda s: fmt(s["page"]["rerender_ms"], 0))
    row("  CPU ms of that re-render", lambda s: fmt(s["page"]["rerender_cpu_ms"], 0))
    row("compare page: re-render, cached indicator, ms", lambda s: fmt(s["page"]["rerender_cached_ms"], 0))
    w = max(len(r[0]) for r in rows)
    cw = max(10, *(len(v) for _, vals in rows for v in vals))
    click.echo(f"{'':{w}}  " + "  ".join(f"{c:>{cw}}" for c in cols))
    for label, vals in rows:
        click.echo(f"{label:{w}}  " + "  ".join(f"{v:>{cw}}" for v in vals))


# -- CLI --------------------------------------------------------------------------------------------------
@click.group(invoke_without_command=True)
@click.option("--sizes", default="50,500,1000", show_default=True, help="Corpus sizes, comma-separated.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), default=Path("/tmp/stadsdel-bench"),
              show_default=True, help="Where corpora and databases go.")
@click.option("--skip-page", is_flag=True, help="Do not run the AppTest page benchmark.")
@click.option("--changed-sizes", default="all", show_default=True,
              help="Sizes at which the one-changed-file rebuild is measured (comma-separated, 'all' or 'none').")
@click.option("--skip-seeds", is_flag=True, help="Do not time the cold build of data/raw.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write all results as JSON here (default: <work>/results.json).")
@click.pass_context
def main(ctx, sizes: str, seed: int, work: Path, skip_page: bool, changed_sizes: str, skip_seeds: bool,
         json_out: Path | None) -> None:
    """Benchmark the ETL and the dashboard at several corpus sizes and print a table.

    Example: python -m bench.run --sizes 50,500,1000
    """
    if ctx.invoked_subcommand:
        return
    work.mkdir(parents=True, exist_ok=True)
    json_out = json_out or work / "results.json"
    results: dict = {"machine": machine(), "seed": seed, "sizes": []}
    changed_sizes = (None if changed_sizes == "all" else
                     {int(x) for x in changed_sizes.split(",") if x.strip() and x.strip() != "none"})
    if not skip_seeds:
        click.echo("seeds: cold build of data/raw ...", err=True)
        results["seeds"] = seed_cold_build(work)
        click.echo(f"  cold CLI build {results['seeds']['cold_cli_s']:.2f} s (median of 3)", err=True)
    for n in [int(x) for x in sizes.split(",") if x.strip()]:
        click.echo(f"size {n}:", err=True)
        corpus = corpus_for(work, n, seed)
        db = work / f"db-{n}.duckdb"
        s: dict = {"n": n, "corpus": corpus_stats(corpus)}
        s["build"] = run_build(corpus, db, cold=True)
        click.echo(f"  full build {s['build']['build_s']:.1f} s {s['build']['stages']}", err=True)
        s["detection"] = detection_check(corpus, db)
        s["queries"] = query_benchmarks(db)
        if not skip_page:
            s["page"] = page_benchmark(db)
            click.echo(f"  page re-render {s['page'].get('rerender_ms')} ms", err=True)
        json_out.write_text(json.dumps({**results, "sizes": results["sizes"] + [s]}, ensure_ascii=False,
                                       indent=1, default=str))
        if changed_sizes is None or n in changed_sizes:
            s["changed"] = changed_file_rebuild(corpus, db, reps=5)
            click.echo(f"  one changed file {s['changed']['build_s']:.1f} s {s['changed']['stages']}", err=True)
        else:
            s["changed"] = {"skipped": "not asked for (--changed-sizes)"}
        s["load_avg_after"] = os.getloadavg()
        results["sizes"].append(s)
        json_out.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    results["machine"]["load_avg_end"] = os.getloadavg()
    json_out.write_text(json.dumps(results, ensure_ascii=False, indent=1, default=str))
    m = results["machine"]
    click.echo(f"\nmachine: {m['cpu']}, {m['nproc']} cores, {m['ram_gb']} GB RAM, Python {m['python']}, "
               f"load average at start {m['load_avg'][0]:.1f}, commit {m.get('commit')}")
    if "seeds" in results:
        click.echo(f"five embedded documents, cold `python -m etl build`: {results['seeds']['cold_cli_s']:.2f} s "
                   f"(median of {len(results['seeds']['all_s'])}; target ≤ 2 s)")
    print_table(results)
    click.echo(f"\nJSON: {json_out}")


@main.command("_build", hidden=True)
@click.argument("corpus", type=click.Path(path_type=Path))
@click.argument("db", type=click.Path(path_type=Path))
@click.argument("out", type=click.Path(path_type=Path))
def _build(corpus: Path, db: Path, out: Path) -> None:
    out.write_text(json.dumps(build_in_process(corpus, db), default=str))


@main.command("queries")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, exists=True, path_type=Path), required=True)
@click.option("--reps", type=int, default=7, show_default=True)
@click.option("--page/--no-page", default=True, show_default=True, help="Also time the comparison page (AppTest).")
@click.option("--profile-top", type=int, default=0, help="Print the top N functions (cProfile) of each query.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None)
def queries_cmd(db_path: Path, reps: int, page: bool, profile_top: int, json_out: Path | None) -> None:
    """Time the dashboard queries (and the comparison page) on an existing database.

    Example: python -m bench.run queries --db /tmp/stadsdel-bench/db-1000.duckdb
    """
    res = {"machine": machine(), "queries": query_benchmarks(db_path, reps, profile_top)}
    for name, r in res["queries"]["queries"].items():
        if "error" in r:
            click.echo(f"{name:55} error: {r['error']}")
            continue
        click.echo(f"{name:55} median {r['median_ms']:8.1f} ms  CPU {r['cpu_median_ms']:8.1f}  "
                   f"first {r['first_ms']:8.1f}  max {r['max_ms']:8.1f}")
        if profile_top:
            click.echo(r["profile"])
    if page:
        res["page"] = page_benchmark(db_path)
        click.echo(f"compare page: first open {res['page'].get('first_open_ms', 0):.0f} ms, re-render after a new "
                   f"indicator {res['page'].get('rerender_ms') or 0:.0f} ms (median; CPU "
                   f"{res['page'].get('rerender_cpu_ms') or 0:.0f} ms), cached "
                   f"{res['page'].get('rerender_cached_ms') or 0:.0f} ms")
    if json_out:
        json_out.write_text(json.dumps(res, ensure_ascii=False, indent=1, default=str))


@main.command("profile")
@click.option("--n", type=int, default=12, show_default=True, help="Documents to parse (serially, profiled).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--work", type=click.Path(file_okay=False, path_type=Path), default=Path("/tmp/stadsdel-bench"))
@click.option("--top", type=int, default=25, show_default=True)
def profile(n: int, seed: int, work: Path, top: int) -> None:
    """cProfile of parsing N generated documents in one process, then of the derived stages.

    Example: python -m bench.run profile --n 12
    """
    import cProfile
    import pstats

    from etl.parse.assemble import parse_file
    from etl.parse.detect import load_registry

    corpus = corpus_for(work, n, seed)
    paths = sorted(p for p in corpus.iterdir() if p.suffix in (".txt", ".md"))
    registry = load_registry()
    pr = cProfile.Profile()
    t0 = time.perf_counter()
    pr.enable()
    for p in paths:
        parse_file(p, corpus, registry)
    pr.disable()
    click.echo(f"parse of {len(paths)} documents, one process: {time.perf_counter() - t0:.1f} s (profiled)")
    stats = pstats.Stats(pr)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


if __name__ == "__main__":
    main()
