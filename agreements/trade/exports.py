"""A pair of countries' trade statistics as CSV (/countries/<ISO3>/<ISO3>/trade.csv):
one row per year, oldest first, the columns declared once below.

``country_a`` is the first country of the URL, as on the page: the file of
/countries/TZA/RWA/trade.csv has Tanzania's exports to Rwanda in ``a_to_b``.
Figures are the refresh's (agreements.trade.refresh), read through the same query as
the page (agreements.trade.pair_rows.pair_statistics), so the file and the page
always agree. Values in US dollars to the cent; ``original_value`` and
``currency`` are the flow as its source reported it, ``rate`` the units of that
currency per US dollar that converted it (empty for US dollars, and when no rate
exists: then ``notes`` says so and the US dollar figure is empty). Bases are
codes: reported (the exporter's own report), mirror (the importer's report),
reported_total (a total of both directions as reported), missing.
"""

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from agreements.exports import source_text
from agreements.models import Country
from agreements.trade.pages import Figure, PairYear, oriented
from agreements.trade.pair_rows import pair_statistics


def _number(value: Decimal | None) -> str | float | None:
    """Decimals as plain digits ("252549019.61"); tradepacts.csv keeps only int and float
    numeric, so a negative growth is passed as a float rather than neutralised as text."""
    if value is None:
        return None
    if value < 0:
        return float(value)
    return f"{value:f}"


def _rate(value: Decimal | None) -> str | None:
    """A rate without trailing zeros ("2550", "2550.125"), the same on every database."""
    return None if value is None else f"{value.normalize():f}"


def _source(figure: Figure) -> str:
    return source_text(figure.source.title, figure.source.url) if figure.source else ""


def _figure_columns(prefix: str, pick: Callable[[PairYear], Figure]) -> list[tuple[str, Callable[[PairYear], Any]]]:
    return [
        (f"{prefix}_usd", lambda y: _number(pick(y).usd)),
        (f"{prefix}_basis", lambda y: pick(y).basis),
        (f"{prefix}_original_value", lambda y: _number(pick(y).original_value)),
        (f"{prefix}_currency", lambda y: pick(y).currency),
        (f"{prefix}_rate", lambda y: _rate(pick(y).rate)),
        (f"{prefix}_source", lambda y: _source(pick(y))),
    ]


_DIRECTIONS: list[tuple[str, Callable[[PairYear], Figure]]] = [
    ("a_to_b", lambda y: y.forward),
    ("b_to_a", lambda y: y.backward),
    ("total", lambda y: y.total),
]

# (header, value) pairs; ``country_a`` and ``country_b`` are filled in by ``trade_table``.
COLUMNS: list[tuple[str, Callable[[PairYear], Any]]] = [
    ("year", lambda y: y.year),
    ("country_a", lambda y: None),
    ("country_b", lambda y: None),
    *_figure_columns("a_to_b", lambda y: y.forward),
    *_figure_columns("b_to_a", lambda y: y.backward),
    *_figure_columns("total", lambda y: y.total),
    ("growth", lambda y: _number(y.growth)),
    ("agreements_in_force", lambda y: y.agreements_in_force),
    ("synthetic", lambda y: y.synthetic),
    ("notes", lambda y: y.notes),
    # Who published each figure (the order of precedence: agreements.trade.models.Origin) and how precise.
    *((f"{prefix}_origin", lambda y, pick=pick: pick(y).origin) for prefix, pick in _DIRECTIONS),
    *((f"{prefix}_precision", lambda y, pick=pick: pick(y).precision) for prefix, pick in _DIRECTIONS),
    # The other partner's report of each direction, where both report it (reporter versus mirror).
    ("a_to_b_other_report_usd", lambda y: _number(y.forward.check_usd)),
    ("b_to_a_other_report_usd", lambda y: _number(y.backward.check_usd)),
]
HEADER = [header for header, _ in COLUMNS]


def trade_table(first: Country, second: Country) -> Iterator[list[Any]]:
    """The file's rows, oldest year first (read when the first row is asked for: a pair has a row
    a year, a few dozen at most)."""
    for row in pair_statistics(first, second):
        year = oriented(row, first)
        values = [value(year) for _, value in COLUMNS]
        values[1:3] = [first.iso3, second.iso3]
        yield values


def trade_filename(first: Country, second: Country) -> str:
    return f"tradepacts-trade-{first.iso3}-{second.iso3}.csv"
