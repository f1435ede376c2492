"""Benchmark corpus generator: many realistic district documents made from the real seeds.

Every generated document is a real seed document (data/raw) rewritten for another district,
year and (for unit plans) unit, so the reader, the detector and the table recogniser see the
text they will see in production: the three text flavours (spaced/plain/markdown), plan and
report tables, wrapped cells, repeated headers after page breaks, page furniture.

What is changed per document (all driven by one seeded RNG, so the same arguments always
give the same bytes):
- the seed council's own name (and genitive; for a merged council also its predecessors'
  names) -> the target district's forms from data/districts.csv;
- every year near the seed's own year (seed year -6 .. +3, dates included) is shifted to the
  target year; years far away ("Vision 2040", "2030") stay;
- numbers in indicator rows (lines ending in a period/periodicity cell, Markdown table rows)
  are perturbed by up to +-20 % keeping their printed shape (digit count, decimals, thousands
  groups), so cells split the same way; the last number of a row (KF:s årsmål, the city's
  target, which is the same for every district) is left alone;
- some documents print "Andelen ..." for "Andel ..." at the start of indicator names (a real
  variant the identity stage must merge);
- report seeds are also emitted in the 'spaced' flavour (a blank line after every line, like
  the PDF text of enskede-...), unit plans get another unit name.

What is not generated: tertial reports, PDF input, new indicator names or table layouts.

The seeds' own district/year/kind/level are detected with etl.parse.detect, so any seed folder
works. Which (district, year, kind) is generated for size N: nämnd plans and reports for the
latest years first (13-14 councils x 2 per year, 2026 back to 2007: 546 documents), then
unit plans (several units per district and year) until N is reached.

Usage:
    .venv/bin/python -m bench.generate --out /tmp/corpus --n 520 --seed 1
"""
from __future__ import annotations

import json
import random
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[1]
SEEDS_DIR = ROOT / "data" / "raw"
FIRST_YEAR, LAST_YEAR = 2007, 2026

# Neighbourhood names for generated unit plans ("<place>s dagliga verksamheter").
PLACES = [
    "Fruängen", "Västertorp", "Aspudden", "Gröndal", "Mälarhöjden", "Midsommarkransen", "Axelsberg",
    "Hägerstensåsen", "Solberga", "Herrängen", "Långbro", "Liseberg", "Örby", "Stureby", "Högdalen",
    "Bandhagen", "Rågsved", "Hagsätra", "Östberga", "Johanneshov", "Gubbängen", "Hökarängen",
    "Sköndal", "Tallkrogen", "Bagarmossen", "Björkhagen", "Kärrtorp", "Hammarbyhöjden", "Vällingby",
    "Råcksta", "Grimsta", "Hässelby gård", "Tensta", "Hjulsta", "Husby", "Akalla", "Kista", "Rinkeby",
    "Ulvsunda", "Abrahamsberg", "Äppelviken", "Traneberg", "Fredhäll", "Stadshagen", "Vasastaden",
    "Sibirien", "Hjorthagen", "Gärdet", "Hornstull", "Årstadal", "Bredäng", "Sätra", "Vårberg",
]

# Vocabulary used to find indicator rows and their value cells (the templates' own words).
_PERIOD_AT_END = re.compile(
    r"(?:^|\s)(?:(?:VB|T[123]|Tertial\s?[123]|Delår)\s?\d{4}|20[0-4]\d|Tertial|År|Halvår|Månad|Kvartal|"
    r"Vecka|Läsår|Termin|Helår|Månadsvis)\s*$")
_CELL_WORDS = {
    "%", "procent", "st", "kr", "tkr", "mnkr", "dagar", "dygn", "timmar", "tim", "minuter", "min", "veckor",
    "månader", "personer", "poäng", "ggr", "gånger", "kwh", "mwh", "gwh", "kg", "ton", "max", "minst",
    "högst", "under", "över", "ca", "+/-", "±", "<", ">", "tas", "fram", "av", "nämnd", "nämnd/styrelse",
    "styrelse", "nämnden", "fastställs", "i", "ökning", "minskning", "ökad", "minskad", "öka", "minska",
    "bibehålla", "oförändrad", "ja", "nej", "saknas", "-", "–",
}
_NUMBER = re.compile(r"(?<![\d,])\d{1,3}(?: \d{3})+(?:,\d+)?(?![\d,])|(?<![\d,])\d+(?:,\d+)?(?![\d,])")
_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class Seed:
    path: Path
    text: str
    flavour: str
    district: str
    year: int
    doc_type: str
    level: str
    unit_name: str | None


@dataclass(frozen=True)
class Planned:
    district: str
    year: int
    doc_type: str
    level: str
    unit_place: str | None = None     # unit plans: the place the unit is named after
    template: str | None = None       # a seed file name; None: chosen by the RNG
    spaced: bool | None = None        # plain text turned 'spaced'; None: chosen by the RNG


@dataclass
class Generated:
    file: str
    district: str
    year: int
    doc_type: str
    level: str
    unit_name: str | None
    template: str
    flavour: str
    bytes: int


# -- seeds and registry ----------------------------------------------------------------------
def load_seeds(seeds_dir: Path = SEEDS_DIR) -> list[Seed]:
    from etl.parse.detect import detect, load_registry
    from etl.read.files import find_documents
    from etl.read.text import decode_text, read_document

    registry = load_registry()
    seeds = []
    for p in find_documents(seeds_dir):
        raw = read_document(p, seeds_dir)
        meta = detect(raw, p, registry)
        seeds.append(Seed(p, decode_text(p.read_bytes()), raw.flavour, meta.district, meta.year,
                          meta.doc_type, meta.level, meta.unit_name))
    if not seeds:
        raise click.ClickException(f"no seed documents in {seeds_dir}")
    return seeds


def district_forms() -> tuple[dict[str, list[str]], dict[str, list[str]], list[tuple[str, int | None, int | None]]]:
    """name -> [name, genitive, ...]; successor -> predecessor names; (name, valid_from, valid_to)."""
    from etl.parse.detect import load_registry

    forms, predecessors, validity = {}, {}, []
    for d in load_registry():
        forms[d.name] = [d.name, *d.aliases]
        if d.successor:
            predecessors.setdefault(d.successor, []).append(d.name)
        validity.append((d.name, d.valid_from, d.valid_to))
    return forms, predecessors, validity


def plan_corpus(n: int, validity: list[tuple[str, int | None, int | None]], rng: random.Random) -> list[Planned]:
    """Which documents a corpus of n holds: nämnd VP+VB newest years first, then unit plans."""
    def councils(year: int) -> list[str]:
        return [name for name, start, end in validity
                if (start is None or start <= year) and (end is None or year <= end)]

    years = list(range(LAST_YEAR, FIRST_YEAR - 1, -1))
    out: list[Planned] = []
    for year in years:
        for d in councils(year):
            out.append(Planned(d, year, "verksamhetsplan", "namnd"))
            out.append(Planned(d, year, "verksamhetsberattelse", "namnd"))
    places = {d: rng.sample(PLACES, len(PLACES)) for d, _, _ in validity}
    round_ = 0
    while len(out) < n and round_ < len(PLACES):
        for year in years:
            for d in councils(year):
                out.append(Planned(d, year, "verksamhetsplan", "enhet", places[d][round_]))
        round_ += 1
    if len(out) < n:
        raise click.ClickException(f"at most {len(out)} distinct documents can be planned")
    return out[:n]


def genitive(name: str) -> str:
    return name if name.endswith(("s", "x", "z")) else name + "s"


def slug(text: str) -> str:
    t = text.lower()
    for a, b in (("å", "a"), ("ä", "a"), ("ö", "o"), ("é", "e")):
        t = t.replace(a, b)
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-")


# -- rewriting one seed ----------------------------------------------------------------------
def replace_district(text: str, seed: Seed, target: str, forms: dict[str, list[str]],
                     predecessors: dict[str, list[str]]) -> str:
    if seed.district == target:
        return text
    mapping: dict[str, str] = {}
    target_forms = forms[target]
    for name in [seed.district, *predecessors.get(seed.district, [])]:
        for i, f in enumerate(forms[name]):
            mapping[f] = target_forms[i] if i < len(target_forms) else target_forms[0]
    rx = re.compile(r"(?<![\w-])(" + "|".join(re.escape(f) for f in sorted(mapping, key=len, reverse=True)) + r")(?![\w-])")
    return rx.sub(lambda m: mapping[m.group(1)], text)


def shift_years(text: str, seed_year: int, target_year: int) -> str:
    delta = target_year - seed_year
    if not delta:
        return text

    def year(m: re.Match) -> str:
        y = int(m.group(0))
        return str(y + delta) if seed_year - 6 <= y <= seed_year + 3 else m.group(0)

    text = re.sub(r"(?<!\d)(?<!\d,)(?:19|20)\d\d(?!\d|,\d)", year, text)

    def leap(m: re.Match) -> str:   # a shifted 29 February must stay a real date
        y = int(m.group(1))
        is_leap = y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)
        return m.group(0) if is_leap else f"{y}-02-28"

    return re.sub(r"\b((?:19|20)\d\d)-02-29\b", leap, text)


def perturb_number(token: str, rng: random.Random, percent: bool) -> str:
    """A new number with the same printed shape: digit count, decimals and group spaces."""
    int_part, _, dec = token.partition(",")
    digits = int_part.replace(" ", "")
    value = int(digits) + (int(dec) / 10 ** len(dec) if dec else 0)
    if value == 0:
        return token
    k = len(digits)
    lo, hi = (10 ** (k - 1) if k > 1 else 0), 10 ** k - 1
    if percent:
        hi = min(hi, 100)
    new = min(max(value * rng.uniform(0.8, 1.2), lo), hi)
    if dec:
        s = f"{new:.{len(dec)}f}"
        new_int, new_dec = s.split(".")
        if len(new_int) != k:              # rounding crossed a power of ten: keep the shape
            return token
    else:
        new_int, new_dec = str(int(round(new))), ""
        if len(new_int) != k:
            return token
    out, it = [], iter(new_int)
    for ch in int_part:                    # refill the original shape ("12 000")
        out.append(" " if ch == " " else next(it))
    return "".join(out) + ("," + new_dec if dec else "")


def perturb_cells(zone: str, rng: random.Random) -> str:
    """Perturb the numbers of a row's value zone except the last one (KF:s årsmål)."""
    numbers = [m for m in _NUMBER.finditer(zone) if not re.fullmatch(r"(?:19|20)\d\d", m.group(0))]
    out, pos = [], 0
    for m in numbers[:-1]:
        percent = zone[m.end():m.end() + 2].strip().startswith("%")
        out.append(zone[pos:m.start()])
        out.append(perturb_number(m.group(0), rng, percent))
        pos = m.end()
    out.append(zone[pos:])
    return "".join(out)


def value_zone_start(body: str) -> int:
    """Where a row line's trailing cells begin: the longest suffix of cell-like tokens."""
    start = len(body)
    for m in reversed(list(_TOKEN.finditer(body))):
        tok = m.group(0)
        if _NUMBER.fullmatch(tok) or tok.lower() in _CELL_WORDS or re.fullmatch(r"\d+(?:,\d+)?%?", tok):
            start = m.start()
        else:
            break
    return start


def perturb_rows(text: str, rng: random.Random, andelen: float) -> str:
    lines = text.split("\n")
    row_ends = [False] * len(lines)
    for i, ln in enumerate(lines):
        if "\t" in ln:
            cells = ln.split("\t")
            if len(cells) >= 3 and _PERIOD_AT_END.search(cells[-1].strip() or cells[-2]):
                row_ends[i] = True
                lines[i] = cells[0] + "\t" + perturb_cells("\t".join(cells[1:]), rng)
            continue
        m = _PERIOD_AT_END.search(ln.rstrip())
        if m and not ln.lstrip().startswith("#"):
            body = ln[: m.start()]
            z = value_zone_start(body)
            if z < len(body):
                row_ends[i] = True
                lines[i] = body[:z] + perturb_cells(body[z:], rng) + ln[m.start():]
    if andelen:
        for i, ln in enumerate(lines):
            stripped = ln.lstrip(" *")
            if stripped.startswith("Andel ") and any(row_ends[i:i + 8]) and rng.random() < andelen:
                lines[i] = ln.replace("Andel ", "Andelen ", 1)
    return "\n".join(lines)


def to_spaced(text: str) -> str:
    """PDF-text 'spaced' flavour: a blank line after every non-blank line."""
    return "".join(ln + ("\n\n" if ln.strip() else "\n") for ln in text.split("\n"))


def unit_name(seed: Seed, plan: Planned) -> str | None:
    """The seed unit's name with its first word replaced by the place ("Liljeholmens dagliga
    verksamheter" -> "Fruängens dagliga verksamheter")."""
    if not (plan.unit_place and seed.unit_name):
        return seed.unit_name if plan.level == "enhet" else None
    return re.sub(r"^\S+", genitive(plan.unit_place), seed.unit_name)


def render(seed: Seed, plan: Planned, rng: random.Random, forms, predecessors, spaced: bool) -> str:
    text = replace_district(seed.text, seed, plan.district, forms, predecessors)
    unit = unit_name(seed, plan)
    if unit and seed.unit_name:
        text = text.replace(seed.unit_name, unit)
    text = shift_years(text, seed.year, plan.year)
    text = perturb_rows(text, rng, andelen=0.5 if rng.random() < 0.2 else 0.0)
    if spaced:
        text = to_spaced(text)
    return text


def generator_fingerprint() -> str:
    """Changes when this module or the seeds change (a cached corpus is then regenerated)."""
    import hashlib

    h = hashlib.sha256(Path(__file__).read_bytes())
    for p in sorted(SEEDS_DIR.iterdir()):
        h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()[:16]


def generate(out_dir: Path | str, n: int, seed: int = 0, seeds_dir: Path = SEEDS_DIR,
             plans: list[Planned] | None = None) -> list[Generated]:
    """Write n documents (and manifest.json with what each one is) into out_dir.
    `plans` picks the documents explicitly (n is then ignored)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    seeds = load_seeds(seeds_dir)
    forms, predecessors, validity = district_forms()
    if plans is None:
        plans = plan_corpus(n, validity, random.Random(f"plan:{seed}"))
    n = len(plans)
    made: list[Generated] = []
    for i, plan in enumerate(plans):
        rng = random.Random(f"{seed}:{i}:{plan.district}:{plan.year}:{plan.doc_type}:{plan.unit_place}")
        pool = [s for s in seeds if s.doc_type == plan.doc_type and s.level == plan.level] or \
               [s for s in seeds if s.doc_type == plan.doc_type]
        template = pool[rng.randrange(len(pool))]
        if plan.template:
            template = next(s for s in seeds if s.path.name == plan.template)
        spaced = template.flavour == "plain" and plan.doc_type != "verksamhetsplan" and rng.random() < 0.5
        if plan.spaced is not None:
            spaced = plan.spaced and template.flavour == "plain"
        text = render(template, plan, rng, forms, predecessors, spaced)
        suffix = template.path.suffix
        unit_ = unit_name(template, plan)
        unit = f"_enhet-{slug(unit_)}" if unit_ else ""
        name = f"{slug(plan.district)}{unit}_{plan.doc_type}_{plan.year}{suffix}"
        data = text.encode("utf-8")
        (out_dir / name).write_bytes(data)
        made.append(Generated(name, plan.district, plan.year, plan.doc_type, plan.level, unit_,
                              template.path.name, "spaced" if spaced else template.flavour, len(data)))
    (out_dir / "manifest.json").write_text(
        json.dumps({"seed": seed, "n": n, "generator": generator_fingerprint(), "documents": [asdict(g) for g in made]},
                   ensure_ascii=False, indent=1),
        encoding="utf-8")
    return made


@click.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the documents into (created).")
@click.option("--n", type=int, default=50, show_default=True, help="Number of documents.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (same seed, same bytes).")
@click.option("--seeds-dir", type=click.Path(file_okay=False, exists=True, path_type=Path), default=SEEDS_DIR,
              show_default=True, help="Real documents to recombine.")
def main(out_dir: Path, n: int, seed: int, seeds_dir: Path) -> None:
    """Generate a benchmark corpus of N realistic district documents.

    Example: python -m bench.generate --out /tmp/corpus520 --n 520
    """
    t0 = time.perf_counter()
    made = generate(out_dir, n, seed, seeds_dir)
    mb = sum(g.bytes for g in made) / 1e6
    click.echo(f"{len(made)} documents, {mb:.1f} MB -> {out_dir} ({time.perf_counter() - t0:.1f} s)")


if __name__ == "__main__":
    main()
