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
  PostgreSQL reads every flow but recomputes only the pair-years whose inputs
  changed, found by digest (agreements.trade_sql); ``rebuild=True`` recomputes
  every one.
- Recorded: every run writes a RefreshRun, committed even when the refresh
  fails (it is written outside the refresh's transaction).

PostgreSQL does the work in SQL (agreements.trade_sql). Other databases use
the portable path below, plain Python over the ORM, which gives identical
figures. It recomputes every pair-year of its scope, and leaves the rows it
writes without a digest (the SQL path recomputes those once).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from itertools import combinations

from django.db import connection, transaction
from django.db.models import Count, Q

from agreements import trade_sql
from agreements.models import (
    Agreement,
    AgreementTradeStatistic,
    Basis,
    Country,
    ExchangeRate,
    PairYearStatistic,
    Party,
    RefreshRun,
    TradeFlow,
)
from agreements.trade_roles import AB_MIRROR, AB_REPORTED, BA_MIRROR, BA_REPORTED, TOTAL_A, TOTAL_B, role_of
from agreements.trade_sql import transaction_settings
from tradepacts.refresh import LOCK_WAIT_SECONDS, cache_lock, lock_key, recorded_run

logger = logging.getLogger(__name__)

Pair = tuple[int, int]

WINDOW = 3
# Above this many pairs a refresh locks like a full one (one key, not one per pair).
MAX_PAIR_LOCKS = 64

CENT = Decimal("0.01")
MICRO = Decimal("0.000001")
GROWTH_LIMIT = Decimal(1_000_000)  # PairYearStatistic.growth: 12 digits, 6 decimal places

PAIR_FIELDS = [
    "a_to_b_usd",
    "a_to_b_basis",
    "a_to_b_flow_id",
    "b_to_a_usd",
    "b_to_a_basis",
    "b_to_a_flow_id",
    "total_usd",
    "total_basis",
    "total_flow_id",
    "growth",
    "agreements_in_force",
    "notes",
    "is_synthetic",
]
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
        with cache_lock("trade", LOCK_WAIT_SECONDS), transaction.atomic():
            _lock_scope(scope)
            written = trade_sql.refresh_pairs(scope, rebuild) if use_sql else _refresh_pairs_python(scope)
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
    shown = []
    for name in names:
        if len(", ".join([*shown, name])) > limit - 20:
            break
        shown.append(name)
    return f"{', '.join(shown)} and {len(names) - len(shown)} more"


# --- single flight ---------------------------------------------------------------------------


ALL_KEY = lock_key("trade:all")
AGREEMENTS_KEY = lock_key("trade:agreements")


def _lock_scope(scope: list[Pair] | None) -> None:
    """PostgreSQL: wait for the locks of the scope, held until the transaction ends."""
    if connection.vendor != "postgresql":
        return
    # An advisory lock wait obeys lock_timeout: a stuck run fails (and is retried).
    with connection.cursor() as cursor, transaction_settings(cursor, {"lock_timeout": f"{LOCK_WAIT_SECONDS}s"}):
        if scope is None or len(scope) > MAX_PAIR_LOCKS:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ALL_KEY])
        else:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [ALL_KEY])
            # In one order everywhere, so two runs never wait for each other in a circle.
            for key in sorted(lock_key(f"trade:{a}-{b}") for a, b in scope):
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _lock_agreements() -> None:
    """Agreement figures sum over many pairs: one run at a time computes them, from a
    snapshot taken after the previous run committed."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, transaction_settings(cursor, {"lock_timeout": f"{LOCK_WAIT_SECONDS}s"}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [AGREEMENTS_KEY])


# --- the rules, in Python (the portable path; the SQL below mirrors them) -----------------


@dataclass(frozen=True)
class Candidate:
    """A flow that can supply one figure of a pair-year."""

    id: int
    usd: Decimal | None
    currency: str
    synthetic: bool


def to_usd(value: Decimal, currency: str, units_per_usd: Decimal | None) -> Decimal | None:
    """``value`` in US dollars, to the cent (half away from zero); None without a rate."""
    if currency == "USD":
        return value
    if units_per_usd is None:
        return None
    with localcontext() as context:
        context.prec = 60
        return (Decimal(value) / Decimal(units_per_usd)).quantize(CENT, rounding=ROUND_HALF_UP)


def growth_on(total: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """``total / previous - 1`` to six places, or None when not computable or storable."""
    if total is None or not previous:
        return None
    with localcontext() as context:
        context.prec = 60
        result = ((total - previous) / previous).quantize(MICRO, rounding=ROUND_HALF_UP)
    return result if abs(result) < GROWTH_LIMIT else None


def pair_year_figures(year: int, candidates: dict[int, Candidate]) -> dict:
    """The figures of one pair-year from its candidate flows by role (growth and
    agreements in force are added by the caller)."""
    ab_role = next((r for r in (AB_REPORTED, AB_MIRROR) if r in candidates), None)
    ba_role = next((r for r in (BA_REPORTED, BA_MIRROR) if r in candidates), None)
    ab = candidates.get(ab_role)
    ba = candidates.get(ba_role)
    totals = [r for r in (TOTAL_A, TOTAL_B) if r in candidates]
    t_role = next((r for r in totals if candidates[r].usd is not None), totals[0] if totals else None)
    reported_total = candidates.get(t_role)

    both = ab is not None and ab.usd is not None and ba is not None and ba.usd is not None
    used = [c for c in (ab, ba) if c is not None]
    if both:
        total_usd = ab.usd + ba.usd
        total_basis = (
            Basis.MIRROR if AB_MIRROR in (ab_role, ba_role) or BA_MIRROR in (ab_role, ba_role) else Basis.REPORTED
        )
        total_flow = None
    elif reported_total is not None:
        total_usd, total_basis, total_flow = reported_total.usd, Basis.REPORTED_TOTAL, reported_total
        used.append(reported_total)
    else:
        total_usd, total_basis, total_flow = None, Basis.MISSING, None

    unconverted = [c.currency for c in (ab, ba, total_flow) if c is not None and c.usd is None]
    notes = [f"no exchange rate for {currency} in {year}" for currency in dict.fromkeys(unconverted)]

    def basis(role: int | None, reported: int) -> str:
        return Basis.MISSING if role is None else Basis.REPORTED if role == reported else Basis.MIRROR

    return {
        "a_to_b_usd": ab.usd if ab else None,
        "a_to_b_basis": basis(ab_role, AB_REPORTED),
        "a_to_b_flow_id": ab.id if ab else None,
        "b_to_a_usd": ba.usd if ba else None,
        "b_to_a_basis": basis(ba_role, BA_REPORTED),
        "b_to_a_flow_id": ba.id if ba else None,
        "total_usd": total_usd,
        "total_basis": total_basis,
        "total_flow_id": total_flow.id if total_flow else None,
        "notes": "; ".join(notes),
        "is_synthetic": any(c.synthetic for c in used),
    }


def in_force_intervals(scope: list[Pair] | None) -> dict[Pair, list[tuple[int, int | None]]]:
    """For each pair, the years its agreements are in force at year end, as
    [first year, first year no longer) intervals (None: still in force)."""
    parties = (
        Party.objects.filter(agreement__is_published=True, agreement__in_force_on__isnull=False, country__isnull=False)
        .values_list(
            "agreement_id", "country_id", "joined_on", "withdrew_on", "agreement__in_force_on", "agreement__ended_on"
        )
        .order_by()
    )
    if scope is not None:
        parties = parties.filter(agreement_id__in=_agreements_with_pairs(scope))
    by_agreement = defaultdict(list)
    for row in parties:
        by_agreement[row[0]].append(row[1:])
    wanted = set(scope) if scope is not None else None
    intervals: dict[Pair, list[tuple[int, int | None]]] = defaultdict(list)
    for members in by_agreement.values():
        for first, second in combinations(sorted(members), 2):
            pair = (first[0], second[0])
            if wanted is not None and pair not in wanted:
                continue
            in_force_on, ended_on = first[3], first[4]
            start = max(d.year for d in (in_force_on, first[1], second[1]) if d is not None)
            ends = [d.year for d in (ended_on, first[2], second[2]) if d is not None]
            end = min(ends) if ends else None
            if end is None or end > start:
                intervals[pair].append((start, end))
    return intervals


def _agreements_with_pairs(scope: list[Pair]) -> set[int]:
    """Agreements (any status) with both countries of one of the pairs as parties."""
    ids: set[int] = set()
    for start in range(0, len(scope), 200):
        condition = Q()
        for a, b in scope[start : start + 200]:
            condition |= Q(country_id=a, agreement__parties__country_id=b)
        ids.update(Party.objects.filter(condition).values_list("agreement_id", flat=True).order_by())
    return ids


def compute_pair_rows_python(scope: list[Pair] | None) -> dict[tuple[int, int, int], dict]:
    """Every derived pair-year row of the scope, keyed (country_a, country_b, year)."""
    rates = {(c, y): u for c, y, u in ExchangeRate.objects.values_list("currency", "year", "units_per_usd")}
    groups: dict[tuple[int, int, int], dict[int, Candidate]] = defaultdict(dict)
    for flow_id, reporter, partner, year, flow, value, currency, synthetic in _scope_flows(scope):
        key = (min(reporter, partner), max(reporter, partner), year)
        usd = to_usd(value, currency, rates.get((currency, year)))
        groups[key][role_of(reporter, partner, flow)] = Candidate(flow_id, usd, currency, synthetic)
    intervals = in_force_intervals(scope)
    rows = {key: pair_year_figures(key[2], candidates) for key, candidates in groups.items()}
    for (a, b, year), row in rows.items():
        previous = rows.get((a, b, year - 1))
        row["growth"] = growth_on(row["total_usd"], previous["total_usd"] if previous else None)
        row["agreements_in_force"] = sum(
            1 for start, end in intervals.get((a, b), ()) if start <= year and (end is None or year < end)
        )
    return rows


def _scope_flows(scope: list[Pair] | None) -> Iterator[tuple]:
    fields = ("id", "reporter_id", "partner_id", "year", "flow", "value", "currency", "is_synthetic")
    flows = TradeFlow.objects.filter(partner__isnull=False).order_by()
    if scope is None:
        yield from flows.values_list(*fields).iterator(chunk_size=5000)
        return
    for start in range(0, len(scope), 200):
        condition = Q()
        for a, b in scope[start : start + 200]:
            condition |= Q(reporter_id=a, partner_id=b) | Q(reporter_id=b, partner_id=a)
        yield from flows.filter(condition).values_list(*fields).iterator(chunk_size=5000)


def _scope_rows(model, scope: list[Pair] | None):
    rows = model.objects.order_by()
    if scope is None:
        return rows
    condition = Q()
    for a, b in scope:
        condition |= Q(country_a_id=a, country_b_id=b)
    return rows.filter(condition)


def _refresh_pairs_python(scope: list[Pair] | None) -> int:
    new = compute_pair_rows_python(scope)
    old = {}
    for chunk in _chunks(scope):
        for row in _scope_rows(PairYearStatistic, chunk).values(
            "id", "country_a_id", "country_b_id", "year", *PAIR_FIELDS
        ):
            old[(row.pop("country_a_id"), row.pop("country_b_id"), row.pop("year"))] = row
    gone = [old[key]["id"] for key in old.keys() - new.keys()]
    changed, added = [], []
    for key, values in new.items():
        before = old.get(key)
        if before is None:
            added.append(PairYearStatistic(country_a_id=key[0], country_b_id=key[1], year=key[2], **values))
        elif any(before[field] != values[field] for field in PAIR_FIELDS):
            changed.append(
                PairYearStatistic(id=before["id"], country_a_id=key[0], country_b_id=key[1], year=key[2], **values)
            )
    for start in range(0, len(gone), 500):
        PairYearStatistic.objects.filter(id__in=gone[start : start + 500]).delete()
    # Written without a digest (inputs_digest stays None): the SQL path cannot trust it.
    PairYearStatistic.objects.bulk_update(changed, [*PAIR_FIELDS, "inputs_digest"], batch_size=500)
    PairYearStatistic.objects.bulk_create(added, batch_size=500)
    return len(gone) + len(changed) + len(added)


def _chunks(scope: list[Pair] | None, size: int = 200) -> Iterator[list[Pair] | None]:
    if scope is None:
        yield None
        return
    for start in range(0, len(scope), size):
        yield scope[start : start + size]


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

AGREEMENT_YEARS_SQL = """
SELECT ag.id, s.year, {sum_cents}
FROM agreements_agreement ag
JOIN agreements_party p1 ON p1.agreement_id = ag.id
JOIN agreements_party p2 ON p2.agreement_id = ag.id AND p2.country_id > p1.country_id
JOIN agreements_pairyearstatistic s ON s.country_a_id = p1.country_id AND s.country_b_id = p2.country_id
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
            sql = AGREEMENT_YEARS_SQL.format(sum_cents=_SUM_CENTS[vendor], scope=scope, ref=ref)
            cursor.execute(sql, [*(batch or []), WINDOW, WINDOW])
            for agreement_id, year, cents in cursor.fetchall():
                totals[agreement_id][year] = Decimal(cents) / 100
    return totals


def _average(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    with localcontext() as context:
        context.prec = 60
        return (sum(values) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)


def compute_agreement_rows(scope: list[Pair] | None) -> tuple[dict[int, dict], list[int] | None]:
    """(rows by agreement id, the agreement ids in scope; None for all)."""
    candidates = None if scope is None else sorted(_agreements_with_pairs(scope))
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
