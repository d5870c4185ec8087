"""Trade statistics as the public pages show them: a pair of countries year by
year, an agreement's before and after (a country's top partners: agreements.trade.partners).

Everything here reads the derived rows the refresh writes (agreements.trade.refresh:
PairYearStatistic, AgreementTradeStatistic) in a fixed number of queries, and
turns them into plain objects for the templates and the pair's CSV
(agreements.trade.exports). Nothing is computed here that the refresh already
stored: growth, bases and notes come from its rows, so the page, the CSV and
the refresh can never disagree.

Pairs are stored once, the country with the lower id as ``country_a``; pages
show them in the order of the URL (``/countries/TZA/RWA/`` puts Tanzania
first), so every figure is oriented here, once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from agreements.models import AgreementTradeStatistic, Basis, Country, Origin, PairYearStatistic, Source
from agreements.trade.models import ORIGIN_PRECISION
from agreements.trade.pair_rows import pair_statistics
from agreements.trade.python import to_usd
from tradepacts.charts import MARKER_REACH, Chart, Marker, Series, line_chart

BASIS_SHORT: dict[str, str] = {
    Basis.REPORTED: "exporter's report",
    Basis.MIRROR: "importer's mirror report",
    Basis.REPORTED_TOTAL: "reported total",
    Basis.MISSING: "not available",
}
# A total made by adding the two directions says so.
TOTAL_BASIS_SHORT: dict[str, str] = {
    **BASIS_SHORT,
    Basis.REPORTED: "sum of the exporters' reports",
    Basis.MIRROR: "sum, with a mirror report",
}


@dataclass(frozen=True)
class SourceRef:
    """A source as a page cites it (a flow's, or an exchange rate's)."""

    id: int
    title: str
    url: str
    publisher: str = ""

    @property
    def linkable(self) -> bool:
        return self.url.startswith(("http://", "https://"))


@dataclass
class Figure:
    """One figure of a pair-year (a direction, or the total) with where it comes from."""

    usd: Decimal | None
    basis: str
    # The flow as reported, when one was used: its value and currency, and the rate that converted it.
    original_value: Decimal | None = None
    currency: str = ""
    rate: Decimal | None = None
    source: SourceRef | None = None
    rate_source: SourceRef | None = None
    synthetic: bool = False
    # Set by the page: the number of each source in its list of sources.
    source_number: int | None = None
    rate_source_number: int | None = None
    is_total: bool = False
    # Who published the flow (TradeFlow.Origin) and how precise its figures are ("" when exact).
    origin: str = ""
    precision: str = ""
    # The flow changed since the refresh computed ``usd`` (a refresh is pending): its value is not
    # shown beside a figure not computed from it.
    stale: bool = False
    # The other partner's report of the same direction, where both report it (reporter vs mirror).
    check_usd: Decimal | None = None
    check_source: SourceRef | None = None
    check_source_number: int | None = None

    @property
    def gap(self) -> Decimal | None:
        """The figure used minus the other partner's report of it."""
        return None if self.usd is None or self.check_usd is None else self.usd - self.check_usd

    @property
    def gap_percent(self) -> Decimal | None:
        return None if self.gap is None or not self.check_usd else self.gap / self.check_usd * 100

    @property
    def check_label(self) -> str:
        return "exporter's report" if self.basis == Basis.MIRROR else "importer's report"

    @property
    def basis_label(self) -> str:
        return (TOTAL_BASIS_SHORT if self.is_total else BASIS_SHORT).get(self.basis, self.basis)

    @property
    def converted(self) -> bool:
        """Reported in another currency than the US dollar (the page shows the original beside it)."""
        return self.original_value is not None and self.currency != "USD"

    @property
    def known(self) -> bool:
        return self.usd is not None


@dataclass
class PairYear:
    """A pair's year, oriented: ``forward`` is first → second in the page's order."""

    year: int
    forward: Figure
    backward: Figure
    total: Figure
    growth: Decimal | None
    agreements_in_force: int
    notes: str
    synthetic: bool
    # Observed this year, but its growth is on a synthetic previous year: said beside the growth.
    growth_on_synthetic: bool = False

    @property
    def growth_percent(self) -> Decimal | None:
        return None if self.growth is None else self.growth * 100


@dataclass
class PairTrade:
    first: Country
    second: Country
    years: list[PairYear]  # newest first
    sources: list[SourceRef]
    chart: Chart | None = None

    @property
    def has_synthetic(self) -> bool:
        return any(y.synthetic for y in self.years)

    @property
    def has_growth_on_synthetic(self) -> bool:
        return any(y.growth_on_synthetic for y in self.years)

    @property
    def has_mirror(self) -> bool:
        return any(Basis.MIRROR in (y.forward.basis, y.backward.basis) for y in self.years)

    @property
    def has_reported_total(self) -> bool:
        return any(y.total.basis == Basis.REPORTED_TOTAL for y in self.years)

    @property
    def has_converted(self) -> bool:
        return any(f.converted for y in self.years for f in (y.forward, y.backward, y.total))

    @property
    def has_gap(self) -> bool:
        return any(f.check_usd is not None for y in self.years for f in (y.forward, y.backward))

    @property
    def precisions(self) -> list[tuple[str, str]]:
        """(origin, how precise) of each origin shown whose figures are not exact (COW: whole millions)."""
        seen = {f.origin: f.precision for y in self.years for f in (y.forward, y.backward, y.total) if f.precision}
        return sorted(seen.items())

    @property
    def uncovered_years(self) -> list[int]:
        """Years between the first and the last with figures that no source covers."""
        years = {y.year for y in self.years}
        return [] if not years else [y for y in range(min(years), max(years)) if y not in years]

    @property
    def has_stale(self) -> bool:
        return any(f.stale for y in self.years for f in (y.forward, y.backward, y.total))


def _source(source: Source | None) -> SourceRef | None:
    return None if source is None else SourceRef(source.pk, source.title, source.url, source.publisher)


def _figure(row: PairYearStatistic, role: str) -> Figure:
    flow = getattr(row, f"{role}_flow")
    figure = Figure(getattr(row, f"{role}_usd"), getattr(row, f"{role}_basis"), is_total=role == "total")
    if role == "total" and flow is None:
        # The two directions added: synthetic if either is, no single source.
        figure.synthetic = row.is_synthetic
        return figure
    if role != "total":
        check = getattr(row, f"{role}_check_flow")
        figure.check_usd = getattr(row, f"{role}_check_usd")
        figure.check_source = _source(check.source) if check is not None else None
    if flow is not None:
        figure.source, figure.synthetic = _source(flow.source), flow.is_synthetic
        origin = Origin(flow.origin) if flow.origin in Origin.values else None
        figure.origin = origin.label if origin else ""
        figure.precision = ORIGIN_PRECISION.get(origin, "") if origin else ""
        rate = getattr(row, f"{role}_rate") if flow.currency != "USD" else None
        if figure.usd is not None and to_usd(flow.value, flow.currency, rate) != figure.usd:
            # Changed since the refresh (which is queued): show the derived figure alone.
            figure.stale = True
            return figure
        figure.original_value, figure.currency = flow.value, flow.currency
        if flow.currency != "USD":
            figure.rate = getattr(row, f"{role}_rate")
            source_id = getattr(row, f"{role}_rate_source_id")
            if source_id is not None:
                figure.rate_source = SourceRef(
                    source_id,
                    getattr(row, f"{role}_rate_source_title"),
                    getattr(row, f"{role}_rate_source_url"),
                    getattr(row, f"{role}_rate_source_publisher"),
                )
    return figure


def oriented(row: PairYearStatistic, first: Country) -> PairYear:
    """The row with its directions in the page's order (first → second, then back)."""
    a_to_b, b_to_a = _figure(row, "a_to_b"), _figure(row, "b_to_a")
    forward, backward = (a_to_b, b_to_a) if row.country_a_id == first.pk else (b_to_a, a_to_b)
    return PairYear(
        row.year,
        forward,
        backward,
        _figure(row, "total"),
        row.growth,
        row.agreements_in_force,
        row.notes,
        row.is_synthetic,
    )


def number_sources(years: Iterable[PairYear]) -> list[SourceRef]:
    """Number every source cited by the figures, in order of first use (newest year first)."""
    numbers: dict[int, int] = {}
    sources: list[SourceRef] = []

    def number(source: SourceRef | None) -> int | None:
        if source is None:
            return None
        if source.id not in numbers:
            sources.append(source)
            numbers[source.id] = len(sources)
        return numbers[source.id]

    for year in years:
        for figure in (year.forward, year.backward, year.total):
            figure.source_number = number(figure.source)
            figure.rate_source_number = number(figure.rate_source)
            figure.check_source_number = number(figure.check_source)
    return sources


def pair_trade(first: Country, second: Country, markers: Iterable[Marker] = ()) -> PairTrade:
    """The pair page's trade section: every year, newest first, its sources, and the chart."""
    chronological = [oriented(row, first) for row in pair_statistics(first, second)]
    synthetic_years = {y.year for y in chronological if y.synthetic}
    for year in chronological:
        year.growth_on_synthetic = year.growth is not None and not year.synthetic and year.year - 1 in synthetic_years
    years = list(reversed(chronological))
    trade = PairTrade(first, second, years, number_sources(years))
    if chronological:
        # Agreements far from the figures' years stay on the timeline above, not under the chart.
        low, high = chronological[0].year - MARKER_REACH, chronological[-1].year + MARKER_REACH
        near = [m for m in markers if low <= m.x <= high]
        trade.chart = trade_chart(first, second, chronological, near)
    return trade


def trade_chart(first: Country, second: Country, years: list[PairYear], markers: Iterable[Marker]) -> Chart:
    def series(label: str, pick: Callable[[PairYear], Figure]) -> Series:
        return Series(
            label,
            [(y.year, pick(y).usd) for y in years],
            synthetic_xs={y.year for y in years if pick(y).synthetic},
        )

    return line_chart(
        [
            series(f"{first.name} → {second.name}", lambda y: y.forward),
            series(f"{second.name} → {first.name}", lambda y: y.backward),
            series("Total, both directions", lambda y: y.total),
        ],
        markers=list(markers),
        title=f"Trade between {first.name} and {second.name}, each year, in US dollars",
        y_label="US$",
        chart_id="trade-chart",
    )


# --- an agreement's page


@dataclass(frozen=True)
class WindowYear:
    year: int
    total_usd: Decimal | None
    pairs: int
    synthetic: bool
    # "before", "reference" or "after"
    side: str


@dataclass
class AgreementTrade:
    statistic: AgreementTradeStatistic | None
    years: list[WindowYear] = field(default_factory=list)
    country_count: int = 0

    @property
    def change_percent(self) -> Decimal | None:
        change = self.statistic.change if self.statistic else None
        return None if change is None else change * 100

    @property
    def before(self) -> tuple[int, int] | None:
        """The first and last year of the window before the reference year."""
        s = self.statistic
        return None if s is None else (s.reference_year - s.window, s.reference_year - 1)

    @property
    def after(self) -> tuple[int, int] | None:
        s = self.statistic
        return None if s is None else (s.reference_year + 1, s.reference_year + s.window)

    @property
    def has_figures(self) -> bool:
        return bool(self.statistic and (self.statistic.years_before or self.statistic.years_after))

    @property
    def has_synthetic(self) -> bool:
        return any(y.synthetic for y in self.years)


def agreement_trade(statistic: AgreementTradeStatistic | None, country_ids: list[int]) -> AgreementTrade:
    """Trade among the agreement's country parties in its window, year by year (one query),
    beside the averages the refresh stored. ``statistic`` is None when the refresh made none
    (not published, fewer than two countries, neither signed nor in force)."""
    ids = sorted(set(country_ids))
    trade = AgreementTrade(statistic, country_count=len(ids))
    if statistic is None or len(ids) < 2:
        return trade
    ref, window = statistic.reference_year, statistic.window
    rows = (
        PairYearStatistic.objects.filter(
            country_a__in=ids, country_b__in=ids, year__gte=ref - window, year__lte=ref + window
        )
        .filter(total_usd__isnull=False)
        .values("year")
        .annotate(
            total=Sum("total_usd"),
            pairs=Count("id"),
            synthetic=Count("id", filter=Q(is_synthetic=True)),
        )
        .order_by("year")
    )
    by_year = {row["year"]: row for row in rows}
    for year in range(ref - window, ref + window + 1):
        row = by_year.get(year)
        side = "before" if year < ref else "after" if year > ref else "reference"
        total = None if row is None else Decimal(str(row["total"])).quantize(Decimal("0.01"))
        trade.years.append(WindowYear(year, total, row["pairs"] if row else 0, bool(row and row["synthetic"]), side))
    return trade
