"""The trade statistics refresh: derived figures rebuilt from reported flows.

``refresh_trade_statistics()`` is the one entry point; the Celery task
(agreements.tasks), the management command and the benchmark all call it.

What it derives
---------------
For each unordered pair of countries (``country_a`` has the lower id) and each
year with at least one flow between them (flows with the World are ignored):

- ``a_to_b``: A's reported exports to B (basis "reported"), else B's reported
  imports from A (basis "mirror"); ``b_to_a`` the same way round. The flow used
  is kept (``a_to_b_flow``) so pages can show the original value and currency.
- Each figure is converted to US dollars at that year's ExchangeRate of the
  flow's currency, rounded half away from zero to the cent (USD needs no rate).
  A missing rate leaves the dollar figure empty and adds a note, e.g.
  "no exchange rate for TZS in 2025": nothing is ever guessed. The flow chosen
  by the rule above stays chosen even when it cannot be converted.
- ``total``: both directions added when both are known in dollars (basis
  "mirror" if either direction is a mirror figure, else "reported"); otherwise
  a reported total of both directions (flow "total", from either country;
  basis "reported_total"): the one that converts, country A's first; else empty.
- ``growth``: ``total / previous calendar year's total - 1`` when both are
  known and the previous one is not zero, rounded half away from zero to six
  places (empty if it would not fit the column, i.e. 1,000,000 or more).
- ``agreements_in_force``: published agreements with both countries as
  parties, in force at 31 December: entered into force that year or before
  and not ended (expired, terminated, superseded) on or before 31 December;
  a party counts from the year it joined and stops in the year it withdrew.
- ``is_synthetic``: any flow used for the row is synthetic.

For each published agreement with at least two country parties and a
reference year (the year it entered into force, else the year it was signed):
the average annual total trade among all its parties (the sum over every pair
of its parties of ``total_usd``, per year) over the ``WINDOW`` years before the
reference year (ref-3 .. ref-1) and the ``WINDOW`` years after it
(ref+1 .. ref+3). The reference year itself is in neither. Only years in which
at least one pair has a figure count (``years_before`` / ``years_after``).

How it runs
-----------
- Idempotent: the new figures are computed, compared with the stored ones, and
  only differences are written (insert, update, delete rows no longer
  derivable). A second run writes nothing.
- Atomic: every write of a run happens in one transaction; readers see the
  old figures or the new ones.
- Single-flight, waiting: on PostgreSQL a run takes transaction-level advisory
  locks first. A full refresh holds the "all" key exclusively; a refresh of a
  few pairs holds it shared plus one exclusive key per pair, so refreshes of
  different pairs run side by side and never beside a full refresh. A second
  run of the same scope *waits* (up to LOCK_WAIT_SECONDS, then fails and is
  retried by the task) rather than skipping: a skipped run could lose a change
  committed after the running one took its snapshot. Agreement figures span
  pairs, so their step takes one more key, serialising it across all runs.
  Other databases (SQLite) take a ``cache.add`` lock, waiting the same way.
- Incremental: ``pairs=[(a, b)]`` recomputes those pairs (every year) and the
  agreements with both countries as parties, nothing else. A full refresh on
  PostgreSQL recomputes only the pair-years whose inputs changed: those the
  database queued as their flows changed (every flow compared by digest when a
  rate changed), and checks the counts of agreements in force only when an
  agreement or a party changed (agreements.trade.sql); ``rebuild=True``
  recomputes every one.
- Recorded: every run writes a RefreshRun, committed even when the refresh
  fails (it is written outside the refresh's transaction).

PostgreSQL does the pair-years' work in SQL (agreements.trade.sql). Other
databases use the portable path (agreements.trade.python), plain Python over
the ORM, which gives identical figures. The agreements' figures are computed
here, the same way on both.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, localcontext
from itertools import combinations
from typing import overload

from django.db import connection, transaction
from django.db.models import Count, Q

from agreements.models import (
    Agreement,
    AgreementTradeStatistic,
    Country,
    Party,
    RefreshRun,
)
from agreements.runs import recorded_run
from agreements.trade import python as trade_python
from agreements.trade import sql as trade_sql
from agreements.trade.python import CENT
from tradepacts.locking import cache_lock, hold

logger = logging.getLogger(__name__)

Pair = tuple[int, int]

WINDOW = 3
# Above this many pairs a refresh locks like a full one (one key, not one per pair).
MAX_PAIR_LOCKS = 64


AGREEMENT_FIELDS = [
    "reference_year",
    "reference_event",
    "window",
    "average_before_usd",
    "years_before",
    "average_after_usd",
    "years_after",
]

# --- the public entry points ---------------------------------------------------------------


@overload
def normalise_pairs(pairs: None) -> None: ...


@overload
def normalise_pairs(pairs: Iterable[Iterable[int | None]]) -> list[Pair]: ...


@overload
def normalise_pairs(pairs: Iterable[Iterable[int | None]] | None) -> list[Pair] | None: ...


def normalise_pairs(pairs: Iterable[Iterable[int | None]] | None) -> list[Pair] | None:
    """Sorted unique (lower id, higher id) pairs; None (everything) stays None.

    Accepts either order and lists as well as tuples; drops pairs with the
    World (None) or a country with itself.
    """
    if pairs is None:
        return None
    result = set()
    for pair in pairs:
        x, y = pair
        if x is None or y is None or int(x) == int(y):
            continue
        result.add((min(int(x), int(y)), max(int(x), int(y))))
    return sorted(result)


def agreement_pairs(*agreement_ids: int | None) -> set[Pair]:
    """Every pair of countries that are parties to one of these agreements."""
    ids = [pk for pk in agreement_ids if pk is not None]
    parties = defaultdict(set)
    for agreement_id, country_id in Party.objects.filter(agreement_id__in=ids, country__isnull=False).values_list(
        "agreement_id", "country_id"
    ):
        parties[agreement_id].add(country_id)
    return {pair for countries in parties.values() for pair in combinations(sorted(countries), 2)}


def refresh_trade_statistics(
    pairs: Iterable[Pair] | None = None, *, engine: str = "auto", rebuild: bool = False
) -> RefreshRun:
    """Rebuild the derived trade statistics for ``pairs`` (None: all) and return the run.

    ``engine`` is "auto" (SQL on PostgreSQL, Python elsewhere), "sql" or
    "python" (the portable path, on any database: tests compare the two).
    ``rebuild``: recompute every pair-year of the scope, even those whose
    inputs did not change (the SQL path otherwise skips them).
    Raises whatever made the refresh fail, after recording it on the run.
    """
    scope = normalise_pairs(pairs)
    if engine not in {"auto", "sql", "python"}:
        raise ValueError(f"Unknown engine {engine!r}: auto, sql or python.")
    use_sql = engine == "sql" or (engine == "auto" and connection.vendor == "postgresql")
    if use_sql and connection.vendor != "postgresql":
        raise ValueError("The SQL engine needs PostgreSQL.")

    def work() -> int:
        with cache_lock("trade"), transaction.atomic():
            _lock_scope(scope)
            if use_sql:
                written = trade_sql.refresh_pairs(scope, rebuild)
            else:
                written = trade_python.refresh_pairs(scope)
                if connection.vendor == "postgresql":
                    trade_sql.forget_state()  # its rows are not the SQL path's to trust
            _lock_agreements()
            return written + _refresh_agreements(scope)

    return recorded_run("trade", describe_scope(scope), work if scope != [] else lambda: 0)


def describe_scope(scope: list[Pair] | None, limit: int = 200) -> str:
    """How a run names its scope: "all", or the pairs as ISO3 codes (KEN-RWA, RWA-TZA)."""
    if scope is None:
        return "all"
    if not scope:
        return "no pairs"
    codes = dict(Country.objects.filter(id__in={c for pair in scope for c in pair}).values_list("id", "iso3"))
    names = [f"{codes.get(a, a)}-{codes.get(b, b)}" for a, b in scope]
    text = ", ".join(names)
    if len(text) <= limit:
        return text
    shown: list[str] = []
    for name in names:
        if len(", ".join([*shown, name])) > limit - 20:
            break
        shown.append(name)
    return f"{', '.join(shown)} and {len(names) - len(shown)} more"


# --- single flight ---------------------------------------------------------------------------


ALL = "trade:all"


def _lock_scope(scope: list[Pair] | None) -> None:
    """PostgreSQL: wait for the locks of the scope, held until the transaction ends:
    a full refresh's exclusively, or it shared and each pair's exclusively."""
    if scope is None or len(scope) > MAX_PAIR_LOCKS:
        hold(ALL)
    else:
        hold(ALL, shared=True)
        hold(*(f"trade:{a}-{b}" for a, b in scope))


def _lock_agreements() -> None:
    """Agreement figures sum over many pairs: one run at a time computes them, from a
    snapshot taken after the previous run committed."""
    hold("trade:agreements")


# --- agreements: trade among the parties before and after ---------------------------------

_YEAR_OF = {
    "postgresql": "EXTRACT(YEAR FROM {})::int",
    "sqlite": "CAST(strftime('%%Y', {}) AS INTEGER)",
}
# SUM over decimals is exact on PostgreSQL; SQLite stores them as floating point, so sum cents.
_SUM_CENTS = {
    "postgresql": "SUM(s.total_usd) * 100",
    "sqlite": "SUM(CAST(ROUND(s.total_usd * 100) AS INTEGER))",
}

# SQLite, whose planner has no statistics, started from every party's every pair-year (6 s for make run's
# data); CROSS JOIN makes it join in the order written (agreement, parties, their pair's window), as
# PostgreSQL's planner does by itself.
_JOIN = {"postgresql": "JOIN", "sqlite": "CROSS JOIN"}

AGREEMENT_YEARS_SQL = """
SELECT ag.id, s.year, {sum_cents}
FROM agreements_agreement ag
{join} agreements_party p1 ON p1.agreement_id = ag.id
{join} agreements_party p2 ON p2.agreement_id = ag.id AND p2.country_id > p1.country_id
{join} agreements_pairyearstatistic s ON s.country_a_id = p1.country_id AND s.country_b_id = p2.country_id
WHERE ag.is_published AND s.total_usd IS NOT NULL {scope}
    AND s.year BETWEEN {ref} - %s AND {ref} + %s AND s.year <> {ref}
GROUP BY ag.id, s.year
"""


def _agreement_year_totals(agreement_ids: list[int] | None) -> dict[int, dict[int, Decimal]]:
    """Total trade among each agreement's parties, per year of its windows."""
    vendor = connection.vendor if connection.vendor in _YEAR_OF else "postgresql"
    ref = _YEAR_OF[vendor].format("COALESCE(ag.in_force_on, ag.signed_on)")
    batches: list[list[int] | None] = [None]
    if agreement_ids is not None:
        batches = [agreement_ids[i : i + 500] for i in range(0, len(agreement_ids), 500)]
    totals: dict[int, dict[int, Decimal]] = defaultdict(dict)
    with connection.cursor() as cursor:
        for batch in batches:
            scope = "" if batch is None else f"AND ag.id IN ({', '.join(['%s'] * len(batch))})"
            sql = AGREEMENT_YEARS_SQL.format(sum_cents=_SUM_CENTS[vendor], scope=scope, ref=ref, join=_JOIN[vendor])
            cursor.execute(sql, [*(batch or []), WINDOW, WINDOW])
            for agreement_id, year, cents in cursor.fetchall():
                totals[agreement_id][year] = Decimal(cents) / 100
    return totals


def _average(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    with localcontext() as context:
        context.prec = 60
        return (sum(values, Decimal(0)) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)


def compute_agreement_rows(scope: list[Pair] | None) -> tuple[dict[int, dict], list[int] | None]:
    """(rows by agreement id, the agreement ids in scope; None for all)."""
    candidates = None if scope is None else sorted(trade_python.agreements_with_pairs(scope))
    agreements = Agreement.objects.filter(is_published=True).filter(
        Q(in_force_on__isnull=False) | Q(signed_on__isnull=False)
    )
    if candidates is not None:
        agreements = agreements.filter(id__in=candidates)
    qualifying = {
        pk: (in_force_on, signed_on)
        for pk, in_force_on, signed_on, countries in agreements.annotate(
            countries=Count("parties__country", distinct=True)
        ).values_list("id", "in_force_on", "signed_on", "countries")
        if countries >= 2
    }
    totals = _agreement_year_totals(sorted(qualifying) if candidates is not None else None)
    rows = {}
    for pk, (in_force_on, signed_on) in qualifying.items():
        reference = in_force_on or signed_on
        year = reference.year
        by_year = totals.get(pk, {})
        before = [by_year[y] for y in range(year - WINDOW, year) if y in by_year]
        after = [by_year[y] for y in range(year + 1, year + WINDOW + 1) if y in by_year]
        rows[pk] = {
            "reference_year": year,
            "reference_event": "in_force" if in_force_on else "signed",
            "window": WINDOW,
            "average_before_usd": _average(before),
            "years_before": len(before),
            "average_after_usd": _average(after),
            "years_after": len(after),
        }
    return rows, candidates


def _refresh_agreements(scope: list[Pair] | None) -> int:
    new, candidates = compute_agreement_rows(scope)
    existing = AgreementTradeStatistic.objects.order_by()
    if candidates is not None:
        existing = existing.filter(agreement_id__in=candidates)
    old = {row.pop("agreement_id"): row for row in existing.values("agreement_id", *AGREEMENT_FIELDS)}
    gone = sorted(old.keys() - new.keys())
    write = [
        AgreementTradeStatistic(agreement_id=pk, **values)
        for pk, values in new.items()
        if pk not in old or any(old[pk][field] != values[field] for field in AGREEMENT_FIELDS)
    ]
    for start in range(0, len(gone), 500):
        AgreementTradeStatistic.objects.filter(agreement_id__in=gone[start : start + 500]).delete()
    AgreementTradeStatistic.objects.bulk_create(
        write, batch_size=500, update_conflicts=True, unique_fields=["agreement"], update_fields=AGREEMENT_FIELDS
    )
    return len(gone) + len(write)
