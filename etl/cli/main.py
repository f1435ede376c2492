"""Command line: python -m etl <command>. Run `python -m etl --help`.

The group and the two commands of the pipeline itself (build, inspect) are here; the other
commands live in their own modules of this package and are imported explicitly below (a
broken import fails the CLI loudly instead of silently removing a command)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from etl import settings
from etl.cli.add import add_command
from etl.cli.export import export_command
from etl.cli.indicators import indicators_command
from etl.store.build import build_database


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Stadsdelsjämföraren ETL: district council plans and reports into DuckDB.

    Example: python -m etl build --input data/raw --db data/stadsdelar.duckdb
    """


@cli.command()
@click.option("--input", "input_dir", type=click.Path(file_okay=False, path_type=Path), default=settings.DEFAULT_INPUT,
              show_default=True, help="Folder with the documents (.txt, .md, .pdf); searched recursively.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=settings.db_path,
              show_default="data/stadsdelar.duckdb, or $STADSDEL_DB", help="DuckDB file to (re)build; replaced atomically when the build succeeds.")
@click.option("--quiet", is_flag=True, help="No progress bar, only the summary.")
@click.option("--full", is_flag=True, help="Parse every document again instead of updating the previous database.")
def build(input_dir: Path, db_path: Path, quiet: bool, full: bool) -> None:
    """Parse the documents under INPUT and write a new database.

    Only files that changed since the previous build are parsed (the previous database is
    copied and updated); --full parses everything. Files that cannot be read or whose
    district/year/kind cannot be detected are reported and skipped; the other documents still
    load. A failed build leaves the old database in place.

    Example: python -m etl build --input data/raw --db /tmp/stadsdelar.duckdb
    """
    if not input_dir.is_dir():
        raise click.ClickException(f"input folder not found: {input_dir}")
    from etl.read.files import find_documents, printable_name

    n = len(find_documents(input_dir))
    if n == 0:
        raise click.ClickException(f"no documents (.txt, .md, .pdf) under {input_dir}")
    with click.progressbar(length=n, label="Läser dokument", file=sys.stderr, show_pos=True,
                           hidden=quiet) as bar:
        report = build_database(input_dir, db_path, progress=lambda p: bar.update(1), reuse=not full)
    for doc in report.loaded:
        m, k = doc.meta, doc.counts
        assert m is not None            # report.loaded: the documents with metadata
        unit = f" ({m.unit_name})" if m.unit_name else ""
        click.echo(f"  {'same' if doc.reused else 'ok':5} {printable_name(doc.source_file)}: {m.district}{unit}, {m.doc_type} {m.year}, "
                   f"{m.level}; {k['goals']} mål, {k['indicators']} indikatorrader, {k['activities']} aktiviteter, "
                   f"{len(doc.warnings)} varningar")
    for doc in report.skipped:
        click.echo(f"  SKIP  {printable_name(doc.source_file)}: "
                   f"{printable_name('; '.join(w.message for w in doc.warnings))}", err=True)
    for rel, why in report.ignored:
        click.echo(f"  IGNORE {printable_name(rel)}: {why}", err=True)
    c = report.counts
    click.echo(f"{c['documents']} dokument, {c['indicator_values']} indikatorvärden, {c['goals']} mål, "
               f"{c['activities']} aktiviteter, {c['warnings']} varningar -> {report.db_path} ({report.seconds:.1f} s; "
               f"{report.reused} oförändrade dokument återanvända)")


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the recognised records as JSON.")
def inspect(file: Path, as_json: bool) -> None:
    """Show what was recognised in one FILE: metadata, goals, tables, rows, warnings.

    Example: python -m etl inspect data/raw/norrmalm_verksamhetsberattelse_2021.txt
    """
    from etl.cli.inspect_view import render
    from etl.parse.assemble import parse_file

    doc = parse_file(file, file.parent)
    if as_json:
        click.echo(json.dumps(doc.to_dict(), ensure_ascii=False, indent=1, default=str))
    else:
        click.echo(render(doc))


for _command in (indicators_command, export_command, add_command):
    cli.add_command(_command)
