"""Fuzz the cell grammar: random table-row texts through the row split and the recogniser.

    .venv/bin/python -m bench.fuzz_cells                  # 100 000 inputs, seed 0
    .venv/bin/python -m bench.fuzz_cells --n 20000 --seed 3

Each input is a row text made of the grammar's own pieces (numbers with and without units and
thousands groups, "Tas fram av nämnd", periods, qualifiers, words, single/double/tab spacing,
up to 600 pieces, sometimes wrapped over several lines) and raw random characters. Every input
goes through etl.parse.recognise.row_text.split_row (plan and report widths) and, one in fifty, through the
whole recogniser as a one-table document. Prints the number of inputs, unhandled exceptions
(0 is the goal), and the slowest inputs (each must stay under 1 s).
"""
from __future__ import annotations

import argparse
import random
import time
import traceback

from etl.model import Line, RawDocument
from etl.parse.recognise import recognise
from etl.parse.recognise.row_text import split_row
from etl.parse.sections import heading_lines, parse_sections

PIECES = ["12", "1 234", "0,48 %", "3,3 %", "12 000 st", "9 000 st", "85 %", "-2,5", "+3", "≥ 90 %", "Max 10 personer",
          "Tas fram av nämnd", "Tas fram", "Fastställs 2021", "Fastställ", "s", "År", "Tertial", "VB 2021", "T2 2022",
          "2021", "2020-01-01", "öka", "minska", "Andel", "barn", "i", "stadsdelen", "(RVCI)", "kg CO2 per kg livsmedel",
          "st", "%", "kr", "mnkr", "13,7 barn/avd.", "-", "–", "x", "100", "0", "1,80", "Analys"]
SPACES = [" ", " ", " ", "  ", "   ", "\t"]
CHARS = "0123456789 ,.%-–+()/:;abcåäöÅÄÖ\t"


def row_text(rng: random.Random) -> str:
    if rng.random() < 0.1:
        return "".join(rng.choice(CHARS) for _ in range(rng.randint(0, 400)))
    n = rng.choice([rng.randint(1, 12), rng.randint(1, 40), rng.randint(50, 600)]) if rng.random() < 0.3 else rng.randint(1, 15)
    out = []
    for _ in range(n):
        out.append(rng.choice(PIECES))
        out.append(rng.choice(SPACES))
    return "".join(out).rstrip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    errors: list[str] = []
    slow: list[tuple[float, int, str]] = []
    t0 = time.perf_counter()
    for i in range(args.n):
        text = row_text(rng)
        lines = [Line(k + 1, t) for k, t in enumerate(text.split("\n") if rng.random() < 0.8 else
                                                        [text[j:j + 40] for j in range(0, max(len(text), 1), 40)])]
        t = time.perf_counter()
        try:
            split_row(lines, 3)
            split_row(lines, 7)
            if i % 50 == 0:
                doc = ["Nämndmål: Alla barn har en meningsfull fritid", "Indikator Årsmål KF:s årsmål Periodicitet",
                       *[ln.text for ln in lines]]
                raw = RawDocument("fuzz.txt", "", "plain", [Line(k + 1, t) for k, t in enumerate(doc)])
                recognise(raw, heading_lines(parse_sections(raw)))
        except Exception as e:                                      # noqa: BLE001 - counted and shown
            errors.append(f"{type(e).__name__}: {e} <- {text[:120]!r}\n{traceback.format_exc(limit=3)}")
        dt = time.perf_counter() - t
        slow.append((dt, i, text[:80]))
        if len(slow) > 2000:
            slow = sorted(slow, reverse=True)[:10]
    slow = sorted(slow, reverse=True)[:5]
    print(f"{args.n} inputs in {time.perf_counter() - t0:.1f} s, {len(errors)} unhandled exceptions, "
          f"slowest {slow[0][0] * 1000:.1f} ms")
    for dt, i, text in slow:
        print(f"  {dt * 1000:8.1f} ms  #{i}: {text!r}")
    for e in errors[:5]:
        print(e)
    raise SystemExit(1 if errors or slow[0][0] > 1.0 else 0)


if __name__ == "__main__":
    main()
