"""`python -m etl add`: check documents, store them in the library and rebuild (etl.store.add)."""
from __future__ import annotations

import stat
from pathlib import Path

import click

from etl import settings
from etl.read.files import printable_name
from etl.store.add import STATUS_SV, add_files


@click.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--input", "input_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The library folder to add to (default: data/raw).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Database to rebuild afterwards (default: data/stadsdelar.duckdb or $STADSDEL_DB).")
@click.option("--replace", "choice", flag_value="replace",
              help="A document for the same district/year/kind already exists: replace it (the old file is moved to <input>_replaced/).")
@click.option("--keep-both", "choice", flag_value="keep",
              help="A document for the same district/year/kind already exists: keep both, as versions.")
@click.option("--no-build", is_flag=True, help="Only store the files; do not rebuild the database.")
def add_command(files: tuple[Path, ...], input_dir: Path | None, db_path: Path | None, choice: str | None,
                no_build: bool) -> None:
    """Add documents (PDF, .txt, .md) to the library and rebuild the database.

    Every file is checked before anything is written: size, type (from the content, not the
    name), exact duplicates (sha256), whether its district, year and kind can be read, and
    whether the library already has a document for the same district, year and kind (then
    choose --replace or --keep-both). Only new files are parsed in the rebuild.

    Example: python -m etl add ~/Hämtningar/sodermalm_verksamhetsplan_2024.pdf
    """
    input_dir = input_dir or settings.input_dir()
    db_path = db_path or settings.db_path()
    max_bytes = settings.max_bytes()
    payload, refused = [], 0
    for f in files:
        mode = f.stat().st_mode
        if not stat.S_ISREG(mode):    # a FIFO would block the read forever; a device never ends
            refused += 1
            click.echo(f"  {STATUS_SV['rejected']:<11} {printable_name(f.name)}: inte en vanlig fil "
                       "(FIFO, socket eller enhet)", err=True)
            continue
        size = f.stat().st_size
        if size > max_bytes:          # refused without reading a huge file into memory
            refused += 1
            click.echo(f"  {STATUS_SV['rejected']:<11} {printable_name(f.name)}: filen är för stor ({size / 2**20:.0f} MB, "
                       f"gränsen är {max_bytes / 2**20:.0f} MB)", err=True)
            continue
        payload.append((f.name, f.read_bytes()))
    report = add_files(payload, input_dir, db_path, on_duplicate=choice or "ask", build=not no_build)
    for r in report.results:
        click.echo(f"  {STATUS_SV[r.status]:<11} {printable_name(r.message)}", err=r.status in ("rejected", "conflict"))
    if report.build is not None:
        c = report.build.counts
        click.echo(f"Databasen byggd: {c['documents']} dokument, {c['indicator_values']} indikatorvärden "
                   f"({report.build.reused} oförändrade återanvända) -> {report.build.db_path}")
    if report.conflicts:
        click.echo("Kör igen med --replace eller --keep-both för dokumenten ovan som redan finns.", err=True)
    if refused or report.rejected or report.conflicts:
        raise SystemExit(1)
