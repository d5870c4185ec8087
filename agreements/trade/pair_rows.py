"""A pair of countries' derived trade rows (agreements.trade.refresh: PairYearStatistic) as the
pair's page and its CSV read them (agreements.trade.pages, agreements.trade.exports): each
with the flows its figures were computed from, their sources, and the exchange rates that
converted those in another currency than the US dollar. Read in as few and as simple queries as
the rows allow: a pair without figures, the most common on the 100,000-agreement bench, costs one.
"""

from django.db.models import ForeignKey, Q

from agreements.models import Country, ExchangeRate, PairYearStatistic, TradeFlow

ROLES = ("a_to_b", "b_to_a", "total")


# The flows a pair-year's figures were computed from: each direction's, the total's, and the other
# partner's report of each direction.
FLOWS = [f"{role}_flow" for role in ROLES] + ["a_to_b_check_flow", "b_to_a_check_flow"]


def pair_statistics(first: Country, second: Country) -> list[PairYearStatistic]:
    """The pair's derived rows, oldest first, with each flow used, its source and, for a flow in
    another currency than the US dollar, the rate that converted it (``_add_rates``). One query for
    a pair without figures; with figures, one more for their flows and sources, and another when
    a flow is in another currency."""
    a, b = sorted([first, second], key=lambda c: c.pk)
    rows = list(PairYearStatistic.objects.filter(country_a=a, country_b=b).order_by("year"))
    _add_flows(rows)
    _add_rates(rows)
    return rows


def _add_flows(rows: list[PairYearStatistic]) -> None:
    """Each row's flows, with their sources, read in one query. Joined to the rows (ten joins) they
    cost every pair page 5 ms of compiling and planning, most pairs of the bench having no figures."""
    ids = {pk for row in rows for name in FLOWS if (pk := getattr(row, f"{name}_id")) is not None}
    flows = TradeFlow.objects.select_related("source").in_bulk(ids) if ids else {}
    for name in FLOWS:
        pointer = PairYearStatistic._meta.get_field(name)
        assert isinstance(pointer, ForeignKey), name
        for row in rows:
            # A pointer to a flow since deleted reads as no flow, as the join did (it has no constraint).
            pointer.set_cached_value(row, flows.get(getattr(row, pointer.attname)))


def _add_rates(rows: list[PairYearStatistic]) -> None:
    """Set ``<role>_rate`` and ``<role>_rate_source_{id,title,url,publisher}`` on each row: the rate
    of its flow's currency in its year (one per currency and year: a constraint) and the rate's
    source, else None. Read in one query, and only when a flow is in another currency: they
    were fifteen correlated subqueries of the statistics' query (an exchange rate has no key to
    join on), which took some 20 ms to compile and plan for every pair, with figures or without."""
    wanted = {
        (flow.currency, row.year)
        for row in rows
        for role in ROLES
        if (flow := getattr(row, f"{role}_flow")) is not None and flow.currency != "USD"
    }
    rates: dict[tuple[str, int], ExchangeRate] = {}
    if wanted:
        matching = Q()
        for currency, year in wanted:
            matching |= Q(currency=currency, year=year)
        rates = {(r.currency, r.year): r for r in ExchangeRate.objects.filter(matching).select_related("source")}
    for row in rows:
        for role in ROLES:
            flow = getattr(row, f"{role}_flow")
            rate = None if flow is None else rates.get((flow.currency, row.year))
            source = None if rate is None else rate.source
            setattr(row, f"{role}_rate", None if rate is None else rate.units_per_usd)
            setattr(row, f"{role}_rate_source_id", None if rate is None else rate.source_id)
            for name in ("title", "url", "publisher"):
                setattr(row, f"{role}_rate_source_{name}", None if source is None else getattr(source, name))
