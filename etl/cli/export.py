"""`python -m etl export`: an indicator's chart or data as PNG, SVG, PDF, PowerPoint, CSV or Excel.

Reuses the dashboard's queries (dashboard/indicator_queries.py) and chart builders
(dashboard/indicator_charts.py), so a batch export shows exactly what the app shows.
"""
from __future__ import annotations

from pathlib import Path

import click
import duckdb
import polars as pl

FORMATS = ("png", "svg", "pdf", "pptx", "csv", "xlsx")


def resolve_indicator(con: duckdb.DuckDBPyConnection, text: str) -> dict:
    """An indicator by id, by exact name (case-insensitive), or by a unique part of its name."""
    from dashboard import indicator_queries

    hit = indicator_queries.indicator(con, text)
    if hit:
        return hit
    rows = con.execute(
        "SELECT indicator_id FROM indicators WHERE lower(name) = lower(?) ORDER BY indicator_id",
        [text.strip()]).fetchall()
    if len(rows) == 1:
        hit = indicator_queries.indicator(con, rows[0][0])
        assert hit is not None          # the id was just read from the indicators table
        return hit
    found = indicator_queries.search_indicators(con, text)
    found = found.filter(pl.col("n_values") > 0) if found.height else found
    if found.height == 1:
        hit = indicator_queries.indicator(con, found["indicator_id"][0])
        assert hit is not None          # search_indicators lists rows of the indicators table
        return hit
    if found.height == 0:
        raise click.ClickException(f"no indicator matches {text!r}")
    listing = "\n".join(f"  {r['indicator_id']}: {r['name']}"
                        for r in found.head(10).iter_rows(named=True))
    more = f"\n  … and {found.height - 10} more" if found.height > 10 else ""
    raise click.ClickException(
        f"{found.height} indicators match {text!r}; give the id:\n{listing}{more}")


def latest_year_with_values(con: duckdb.DuckDBPyConnection, indicator_id: str) -> int | None:
    from dashboard import indicator_values

    df = indicator_values.indicator_by_year(con, indicator_id)
    df = df.filter(pl.col("outcome").is_not_null()) if df.height else df
    if not df.height:
        return None
    top = df["year"].max()
    assert isinstance(top, int)         # documents.year: INTEGER NOT NULL, and df has rows
    return int(top)


def _subtitle(kind: str, info: dict, year: int | None, years: list[int] | None = None) -> str:
    if kind == "districts":
        return f"Utfall {year} per stadsdel"
    span = f"{min(years)}–{max(years)}" if years and len(set(years)) > 1 else str(year or "")
    return f"Utfall {span} per stadsdel".strip()


def district_view(con, info: dict, year: int):
    """(frame, chart, meta) for the indicator across districts in one year."""
    from dashboard import indicator_charts, indicator_queries
    from dashboard.export import ExportMeta, source_note

    frame = indicator_queries.indicator_across_districts(con, info["indicator_id"], year)
    unit = info.get("unit")
    refs = indicator_queries.reference_values(frame, unit)
    chart = indicator_charts.ranked_bars(frame, unit=unit, direction=info.get("direction"), median=refs["median"],
                                         kf_target=refs["kf_target"] if refs["kf_scope"] == "district" else None)
    subtitle = _subtitle("districts", info, year)
    if refs["kf_scope"] == "city":
        subtitle += f" · KF:s årsmål för hela staden: {refs['kf_text'] or refs['kf_target']}"
    meta = ExportMeta(title=info["name"], subtitle=subtitle,
                      source=source_note(frame.filter(pl.col("outcome").is_not_null())),
                      unit=unit)
    return frame, chart, meta


def years_view(con, info: dict):
    """(frame, chart, meta) for the indicator over years, one line per district."""
    from dashboard import indicator_charts, indicator_queries
    from dashboard.export import ExportMeta, source_note

    frame = indicator_queries.indicator_over_years(con, info["indicator_id"])
    shown = frame.filter(pl.col("outcome").is_not_null())
    unit = info.get("unit")
    chart = indicator_charts.year_lines(frame, unit=unit)
    years = shown["year"].to_list() if shown.height else []
    meta = ExportMeta(title=info["name"],
                      subtitle=_subtitle("years", info, max(years) if years else None, years),
                      source=source_note(shown), unit=unit)
    return frame, chart, meta


def _views(con, info: dict, year: int | None, chart_kind: str):
    if year is None:
        year = latest_year_with_values(con, info["indicator_id"])
        if year is None:
            raise click.ClickException(f"{info['name']!r} has no outcomes in the database")
    if chart_kind == "years":
        return years_view(con, info)
    return district_view(con, info, year)


def report_slides(con, info: dict, year: int | None, chart_kind: str = "districts",
                  picture: bool = False) -> list:
    """Slides for one indicator: the chosen view and, for "districts", the view over
    years when more than one year has outcomes."""
    from dashboard import export as ex

    views = [_views(con, info, year, chart_kind)]
    if chart_kind == "districts":
        yf, yc, ym = years_view(con, info)
        if yf.filter(pl.col("outcome").is_not_null())["year"].n_unique() > 1:
            views.append((yf, yc, ym))
    slides = []
    for frame, chart, meta in views:
        slide = ex.slide_from_chart(chart, frame, meta)
        if slide is None or picture:
            png = ex.chart_to_png(chart, meta, decorations=False)
            slide = slide or ex.SlideSpec(meta=meta, kind="bar", categories=[], series={})
            slide.png = png
        slides.append(slide)
    return slides


def export_file(con, indicators: str | list[str], year: int | None, fmt: str, *,
                chart_kind: str = "districts", picture: bool = False) -> tuple[bytes, str]:
    """The exported file's bytes and a one-line description. Several indicators only for
    pptx (one deck)."""
    from dashboard import export as ex

    names = [indicators] if isinstance(indicators, str) else list(indicators)
    if not names:
        raise click.ClickException("give --indicator")
    if fmt == "pptx":
        infos = [resolve_indicator(con, n) for n in names]
        slides = [s for info in infos for s in report_slides(con, info, year, chart_kind, picture)]
        data = ex.slides_to_pptx(slides, native=not picture)
        what = "; ".join(f"{i['name']} ({i['indicator_id']})" for i in infos)
        return data, f"{what}: {len(slides)} bilder"
    if len(names) > 1:
        raise click.ClickException("several --indicator values need --format pptx (one deck)")
    info = resolve_indicator(con, names[0])
    frame, chart, meta = _views(con, info, year, chart_kind)
    if frame.height == 0:
        raise click.ClickException(f"no values for {info['name']!r}")
    if fmt == "png":
        data = ex.chart_to_png(chart, meta)
    elif fmt == "svg":
        data = ex.chart_to_svg(chart, meta).encode("utf-8")
    elif fmt == "pdf":
        data = ex.chart_to_pdf(chart, meta)
    elif fmt == "csv":
        data = ex.frame_to_csv(_table(frame), meta)
    elif fmt == "xlsx":
        data = ex.frame_to_xlsx(_table(frame), meta)
    else:
        raise click.ClickException(f"unknown format {fmt!r}")
    return data, f"{info['name']} ({info['indicator_id']}), {meta.subtitle_line()}"


# Columns a reader of the exported table needs: the value, its target, and where it came from.
TABLE_COLUMNS = ["district", "year", "indicator", "outcome", "outcome_raw", "target", "kf_target",
                 "unit", "missing_reason", "doc_type", "from_later_report", "source_file",
                 "source_line", "source_page"]


def _table(frame: pl.DataFrame) -> pl.DataFrame:
    cols = [c for c in TABLE_COLUMNS if c in frame.columns]
    return frame.select(cols)


@click.command("export")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="DuckDB file (default: $STADSDEL_DB or data/stadsdelar.duckdb).")
@click.option("--indicator", "indicators", required=True, multiple=True,
              help="Indicator id, exact name or a unique part of the name. Repeat it for a "
                   "PowerPoint deck with several indicators.")
@click.option("--year", type=int, default=None, help="Year (default: the latest year with outcomes).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None,
              help="File format (default: from the --out suffix).")
@click.option("--chart", "chart_kind", type=click.Choice(["districts", "years"]), default="districts",
              show_default=True, help="Across districts for one year, or over years per district.")
@click.option("--picture", is_flag=True,
              help="PowerPoint with pictures instead of native, editable charts.")
@click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Output file.")
def export_command(db_path: Path | None, indicators: tuple[str, ...], year: int | None, fmt: str | None,
                   chart_kind: str, picture: bool, out: Path) -> None:
    """Export an indicator's chart or data: PNG, SVG, PDF, PowerPoint, CSV or Excel.

    Images carry a title, the unit and year and a source note; PowerPoint gets a report
    deck (across districts, plus over years when there are several) with editable charts;
    CSV is semicolon-separated UTF-8 with decimal comma for Swedish Excel.

    Example: python -m etl export --indicator "barn som lever i familjer" --year 2021 --out bistand.pptx
    """
    from dashboard.db import db_path as default_db

    fmt = fmt or out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise click.ClickException(f"unknown format {fmt!r}; use --format {'|'.join(FORMATS)}")
    path = db_path or default_db()
    if not path.exists():
        raise click.ClickException(f"database not found: {path} (run `python -m etl build` first)")
    con = duckdb.connect(str(path), read_only=True)
    try:
        data, what = export_file(con, list(indicators), year, fmt, chart_kind=chart_kind,
                                 picture=picture)
    finally:
        con.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    size = f"{len(data):,}".replace(",", "\u00a0")
    click.echo(f"{what} -> {out} ({size} bytes)")
