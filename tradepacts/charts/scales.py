"""Chart geometry and number labels: linear scales, nice ticks, x ticks, gaps in a series, short numbers."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

Number = Decimal | int | float


SUFFIXES = [(Decimal(10) ** 12, " T"), (Decimal(10) ** 9, " B"), (Decimal(10) ** 6, " M"), (Decimal(10) ** 3, " k")]


# --- geometry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinearScale:
    """Maps [domain_min, domain_max] onto [range_min, range_max] (either may run backwards,
    as the y axis does: bigger values higher up, smaller SVG y)."""

    domain_min: float
    domain_max: float
    range_min: float
    range_max: float

    def __call__(self, value: Number) -> float:
        span = self.domain_max - self.domain_min
        if span == 0:
            return (self.range_min + self.range_max) / 2
        share = (float(value) - self.domain_min) / span
        return round(self.range_min + share * (self.range_max - self.range_min), 1)


def nice_step(span: Decimal, target: int) -> Decimal:
    """The step of 1, 2, 2.5 or 5 times a power of ten giving about ``target`` intervals over ``span``."""
    raw = span / target
    exponent = math.floor(math.log10(raw))
    power = Decimal(10) ** exponent
    for factor in (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5), Decimal(10)):
        if factor * power >= raw:
            return factor * power
    return 10 * power  # not reached: 10 * power >= raw always


def nice_ticks(low: Number, high: Number, target: int = 5) -> list[Decimal]:
    """Evenly spaced round values covering [low, high], always including 0 when the
    range crosses or touches it (so bars of trade are measured from nothing)."""
    low, high = Decimal(str(low)), Decimal(str(high))
    low, high = min(low, Decimal(0)), max(high, Decimal(0))
    if low == high:  # only zeros
        return [Decimal(0), Decimal(1)]
    step = nice_step(high - low, target)
    first = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    last = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    count = int((last - first) / step)
    return [first + step * i for i in range(count + 1)]


def x_ticks(first: int, last: int, max_ticks: int) -> list[int]:
    """Tick positions for periods first..last: every period when they fit, else every
    2nd, 5th, 10th ... aligned on multiples of the step (2015, 2020, not 2013, 2018)."""
    if last < first:
        return []
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500, 1000):
        start = math.ceil(first / step) * step
        ticks = list(range(start, last + 1, step))
        if len(ticks) <= max_ticks:
            return ticks or [first]
    return [first, last]


def segments(points: Iterable[tuple[int, Number | None]], x_step: int = 1) -> list[list[tuple[int, Number]]]:
    """The runs of consecutive known points: a None or a jump of more than ``x_step`` ends a run."""
    runs: list[list[tuple[int, Number]]] = []
    previous_x: int | None = None
    for x, y in sorted(points, key=lambda point: point[0]):
        if y is None:
            previous_x = None
            continue
        if previous_x is None or x - previous_x > x_step:
            runs.append([])
        runs[-1].append((x, y))
        previous_x = x
    return runs


def short_number(value: Number, unit_of: Number | None = None, decimals: int | None = None) -> str:
    """``value`` with a k/M/B/T suffix chosen by ``unit_of`` (default: the value itself), so a
    column of ticks shares one unit: short_number(50e6, 150e6) == "50 M", short_number(0) == "0".
    Enough decimals to tell 0.25 B from 0.5 B; ``decimals`` forces a number of them."""
    value = Decimal(str(value))
    reference = abs(Decimal(str(unit_of))) if unit_of is not None else abs(value)
    divisor, suffix = next(((d, s) for d, s in SUFFIXES if reference >= d), (Decimal(1), ""))
    scaled = value / divisor
    if value == 0:
        return "0"
    if decimals is None:
        decimals = 0
        while decimals < 3 and scaled != round(scaled, decimals):
            decimals += 1
    text = f"{scaled:,.{decimals}f}"
    return f"{text}{suffix}"


def tick_decimals(ticks: Sequence[Decimal]) -> int:
    """Decimals needed so every tick in the shared unit reads distinctly ("0.25 B" needs 2)."""
    top = max((abs(t) for t in ticks), default=Decimal(0))
    divisor = next((d for d, _ in SUFFIXES if top >= d), Decimal(1))
    decimals = 0
    while decimals < 3 and any((t / divisor) != round(t / divisor, decimals) for t in ticks):
        decimals += 1
    return decimals
