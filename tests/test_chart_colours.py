"""The judgement colours (target met or not; a goal helt, delvis or inte uppfyllt) can be told
apart by the one man in twelve with a red-green colour vision deficiency, and by tritanopes.

Each colour is passed through the simulation of Machado, Oliveira & Fernandes (2009, severity
1.0, on linear RGB) and the simulated colours are compared in CIELAB (CIE76 ΔE). ΔE 25 is an
obvious difference at a glance; the former green #2e7d32 and red #c62828 fell to 16–19 under
protan- and deuteranopia (two dark olive browns).
"""
from __future__ import annotations

import itertools

import pytest

from dashboard.chart_style import ASSESSMENT_COLORS, ATTAINMENT_COLORS

SIMULATIONS = {
    "protanopi": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopi": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopi": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
    "normalt seende": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
}
OBVIOUS = 25.0


def _linear(hex_colour: str) -> list[float]:
    h = hex_colour.lstrip("#")
    out = []
    for i in (0, 2, 4):
        c = int(h[i:i + 2], 16) / 255
        out.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return out


def _lab(rgb: list[float]) -> tuple[float, float, float]:
    r, g, b = (min(1.0, max(0.0, v)) for v in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116
    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def seen(hex_colour: str, vision: str) -> tuple[float, float, float]:
    m, rgb = SIMULATIONS[vision], _linear(hex_colour)
    return _lab([sum(m[i][j] * rgb[j] for j in range(3)) for i in range(3)])


def difference(a: str, b: str, vision: str) -> float:
    return sum((p - q) ** 2 for p, q in zip(seen(a, vision), seen(b, vision))) ** 0.5


def test_the_simulation_sees_what_it_should():
    # red and green that everyone else tells apart look alike to a deuteranope; black and white never do
    assert difference("#ff0000", "#00ff00", "normalt seende") > 80
    assert difference("#d62728", "#2ca02c", "deuteranopi") < 20
    assert difference("#000000", "#ffffff", "deuteranopi") > 99


@pytest.mark.parametrize("vision", sorted(SIMULATIONS))
def test_met_and_not_met_are_told_apart(vision):
    assert difference(ATTAINMENT_COLORS["met"], ATTAINMENT_COLORS["not_met"], vision) >= OBVIOUS
    for judged, other in itertools.product(("met", "not_met"), ("no_target", "planned", "missing")):
        # a judgement never looks like "no target" or "no value"
        assert difference(ATTAINMENT_COLORS[judged], ATTAINMENT_COLORS[other], vision) >= 20, (judged, other)


@pytest.mark.parametrize("vision", sorted(SIMULATIONS))
def test_helt_delvis_inte_are_told_apart(vision):
    judged = [ASSESSMENT_COLORS[k] for k in ("helt", "delvis", "inte")]
    for a, b in itertools.combinations([*judged, ASSESSMENT_COLORS[None]], 2):
        assert difference(a, b, vision) >= OBVIOUS, (a, b)
