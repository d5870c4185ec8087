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
  agreements with both countries as parties, nothing else.
- Recorded: every run writes a RefreshRun, committed even when the refresh
  fails (it is written outside the refresh's transaction).

PostgreSQL does the work in one SQL statement (one pass of aggregation over
the flows, a window for growth and agreements in force, a diff against the
stored rows, then only the changed rows written). Other databases use the
portable path, plain Python over the ORM, which gives identical figures: the
SQL divides with enough scale that both round the exact quotient.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from itertools import combinations

from django.db import connection, transaction
from django.db.models import Count, Q

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
from tradepacts.refresh import LOCK_WAIT_SECONDS, cache_lock, lock_key, recorded_run

logger = logging.getLogger(__name__)

Pair = tuple[int, int]

WINDOW = 3
# Above this many pairs a refresh locks like a full one (one key, not one per pair).
MAX_PAIR_LOCKS = 64
# Memory for the full refresh's aggregate and sorts (per run; only one full run at a time).
FULL_REFRESH_WORK_MEM = "256MB"

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

# The six roles a flow can play for its pair-year, country A being the lower id.
AB_REPORTED, AB_MIRROR, BA_REPORTED, BA_MIRROR, TOTAL_A, TOTAL_B = range(6)


def _role(reporter_id: int, partner_id: int, flow: str) -> int:
    if reporter_id < partner_id:  # the reporter is A
        return {"exports": AB_REPORTED, "imports": BA_MIRROR}.get(flow, TOTAL_A)
    return {"exports": BA_REPORTED, "imports": AB_MIRROR}.get(flow, TOTAL_B)


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


def refresh_trade_statistics(pairs: Iterable[Pair] | None = None, *, engine: str = "auto") -> RefreshRun:
    """Rebuild the derived trade statistics for ``pairs`` (None: all) and return the run.

    ``engine`` is "auto" (SQL on PostgreSQL, Python elsewhere), "sql" or
    "python" (the portable path, on any database: tests compare the two).
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
            written = _refresh_pairs_sql(scope) if use_sql else _refresh_pairs_python(scope)
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
    with connection.cursor() as cursor, _transaction_settings(cursor, {"lock_timeout": f"{LOCK_WAIT_SECONDS}s"}):
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
        with connection.cursor() as cursor, _transaction_settings(cursor, {"lock_timeout": f"{LOCK_WAIT_SECONDS}s"}):
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
        groups[key][_role(reporter, partner, flow)] = Candidate(flow_id, usd, currency, synthetic)
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
    PairYearStatistic.objects.bulk_update(changed, PAIR_FIELDS, batch_size=500)
    PairYearStatistic.objects.bulk_create(added, batch_size=500)
    return len(gone) + len(changed) + len(added)


def _chunks(scope: list[Pair] | None, size: int = 200) -> Iterator[list[Pair] | None]:
    if scope is None:
        yield None
        return
    for start in range(0, len(scope), size):
        yield scope[start : start + size]


# --- the same rules in one PostgreSQL statement ----------------------------------------------

_ROLE_COLUMNS = ",\n".join(
    f"        max(id) FILTER (WHERE role = {r}) AS id{r}, max(usd) FILTER (WHERE role = {r}) AS usd{r}"
    for r in range(6)
)

_NOTE = "'no exchange rate for ' || {cur} || ' in ' || year"

PAIR_YEAR_SQL = f"""
WITH rates AS (
    -- The extra scale makes the division exact to 28 places before rounding to cents.
    SELECT currency, year, units_per_usd * 1.0000000000000000000000 AS units_per_usd
    FROM agreements_exchangerate
),
flows AS (
    SELECT f.id, f.year, f.is_synthetic,
        LEAST(f.reporter_id, f.partner_id) AS a, GREATEST(f.reporter_id, f.partner_id) AS b,
        CASE WHEN f.reporter_id < f.partner_id
            THEN CASE f.flow WHEN 'exports' THEN {AB_REPORTED} WHEN 'imports' THEN {BA_MIRROR} ELSE {TOTAL_A} END
            ELSE CASE f.flow WHEN 'exports' THEN {BA_REPORTED} WHEN 'imports' THEN {AB_MIRROR} ELSE {TOTAL_B} END
        END AS role,
        CASE WHEN f.currency = 'USD' THEN f.value ELSE ROUND(f.value / r.units_per_usd, 2) END AS usd
    FROM agreements_tradeflow f
    LEFT JOIN rates r ON r.currency = f.currency AND r.year = f.year
    WHERE f.partner_id IS NOT NULL {{flow_scope}}
    -- OFFSET 0 keeps each level's expressions computed once per row, not copied into every
    -- aggregate or expression above that uses them (here: 13 aggregate filters per flow).
    OFFSET 0
),
grouped AS (
    SELECT a, b, year,
{_ROLE_COLUMNS},
        bit_or(1 << role) FILTER (WHERE is_synthetic) AS synthetic_roles
    FROM flows
    GROUP BY a, b, year
),
chosen AS (
    SELECT a, b, year, synthetic_roles,
        CASE WHEN id0 IS NOT NULL THEN 0 WHEN id1 IS NOT NULL THEN 1 END AS ab_role,
        COALESCE(id0, id1) AS ab_id,
        CASE WHEN id0 IS NOT NULL THEN usd0 ELSE usd1 END AS ab_usd,
        CASE WHEN id2 IS NOT NULL THEN 2 WHEN id3 IS NOT NULL THEN 3 END AS ba_role,
        COALESCE(id2, id3) AS ba_id,
        CASE WHEN id2 IS NOT NULL THEN usd2 ELSE usd3 END AS ba_usd,
        -- A reported total: the one that converts, country A's first.
        CASE WHEN usd4 IS NOT NULL THEN 4 WHEN usd5 IS NOT NULL THEN 5
             WHEN id4 IS NOT NULL THEN 4 WHEN id5 IS NOT NULL THEN 5 END AS t_role,
        CASE WHEN usd4 IS NOT NULL THEN id4 WHEN usd5 IS NOT NULL THEN id5 ELSE COALESCE(id4, id5) END AS t_id,
        COALESCE(usd4, usd5) AS t_usd
    FROM grouped
    OFFSET 0
),
known AS (
    SELECT *, ab_usd IS NOT NULL AND ba_usd IS NOT NULL AS both_known FROM chosen
),
figures AS (
    SELECT a, b, year, synthetic_roles, both_known, ab_role, ba_role, t_role,
        ab_usd, ab_id, ba_usd, ba_id,
        CASE WHEN both_known THEN ab_usd + ba_usd ELSE t_usd END AS total_usd,
        CASE WHEN both_known THEN
                CASE WHEN ab_role = 1 OR ba_role = 3 THEN 'mirror' ELSE 'reported' END
             WHEN t_id IS NOT NULL THEN 'reported_total' ELSE 'missing' END AS total_basis,
        CASE WHEN both_known THEN NULL ELSE t_id END AS total_id,
        (ab_id IS NOT NULL AND ab_usd IS NULL) OR (ba_id IS NOT NULL AND ba_usd IS NULL)
            OR (NOT both_known AND t_id IS NOT NULL AND t_usd IS NULL) AS unconverted,
        -- Currencies without a rate: looked up only for the few figures that need a note.
        CASE WHEN ab_id IS NOT NULL AND ab_usd IS NULL
            THEN (SELECT currency FROM agreements_tradeflow WHERE id = ab_id) END AS ab_cur,
        CASE WHEN ba_id IS NOT NULL AND ba_usd IS NULL
            THEN (SELECT currency FROM agreements_tradeflow WHERE id = ba_id) END AS ba_cur,
        CASE WHEN NOT both_known AND t_id IS NOT NULL AND t_usd IS NULL
            THEN (SELECT currency FROM agreements_tradeflow WHERE id = t_id) END AS t_cur
    FROM known
    OFFSET 0
),
pair_rows AS MATERIALIZED (
    SELECT a, b, year,
        ab_usd, CASE ab_role WHEN 0 THEN 'reported' WHEN 1 THEN 'mirror' ELSE 'missing' END AS ab_basis, ab_id,
        ba_usd, CASE ba_role WHEN 2 THEN 'reported' WHEN 3 THEN 'mirror' ELSE 'missing' END AS ba_basis, ba_id,
        total_usd, total_basis, total_id,
        CASE WHEN NOT unconverted THEN '' ELSE concat_ws('; ',
            {_NOTE.format(cur="ab_cur")},
            CASE WHEN ba_cur IS DISTINCT FROM ab_cur THEN {_NOTE.format(cur="ba_cur")} END,
            CASE WHEN t_cur IS DISTINCT FROM ab_cur AND t_cur IS DISTINCT FROM ba_cur
                THEN {_NOTE.format(cur="t_cur")} END
        ) END AS notes,
        (COALESCE(synthetic_roles, 0) & (
            COALESCE(1 << ab_role, 0) | COALESCE(1 << ba_role, 0)
            | CASE WHEN both_known THEN 0 ELSE COALESCE(1 << t_role, 0) END
        )) <> 0 AS is_synthetic
    FROM figures
),
agreement_pairs AS MATERIALIZED (
    -- Each pair's years with an agreement in force at year end: [start, stop).
    -- Materialized: joined on the pair as a whole, not party by party.
    SELECT p1.country_id AS a, p2.country_id AS b,
        GREATEST(EXTRACT(YEAR FROM ag.in_force_on), EXTRACT(YEAR FROM p1.joined_on),
                 EXTRACT(YEAR FROM p2.joined_on))::int AS start,
        LEAST(EXTRACT(YEAR FROM ag.ended_on), EXTRACT(YEAR FROM p1.withdrew_on),
              EXTRACT(YEAR FROM p2.withdrew_on))::int AS stop
    FROM agreements_agreement ag
    JOIN agreements_party p1 ON p1.agreement_id = ag.id
    JOIN agreements_party p2 ON p2.agreement_id = ag.id AND p2.country_id > p1.country_id
    WHERE ag.is_published AND ag.in_force_on IS NOT NULL {{agreement_scope}}
),
in_force AS (
    SELECT r.a, r.b, r.year, count(*) AS agreements
    FROM pair_rows r
    JOIN agreement_pairs ap ON ap.a = r.a AND ap.b = r.b
    WHERE ap.start <= r.year AND (ap.stop IS NULL OR r.year < ap.stop)
    GROUP BY r.a, r.b, r.year
),
new AS (
    SELECT n.*, CASE WHEN ABS(n.raw_growth) < 1000000 THEN n.raw_growth END AS growth
    FROM (
        SELECT r.*, COALESCE(i.agreements, 0)::int AS in_force,
            CASE WHEN r.total_usd IS NOT NULL AND p.total_usd <> 0
                THEN ROUND((r.total_usd - p.total_usd) * 1.000000000000000000000000 / p.total_usd, 6)
            END AS raw_growth
        FROM pair_rows r
        LEFT JOIN pair_rows p ON p.a = r.a AND p.b = r.b AND p.year = r.year - 1
        LEFT JOIN in_force i ON i.a = r.a AND i.b = r.b AND i.year = r.year
    ) n
),
old AS (
    SELECT * FROM agreements_pairyearstatistic s WHERE true {{old_scope}}
),
diff AS MATERIALIZED (
    SELECT o.id AS old_id, n.*
    FROM new n
    FULL JOIN old o ON o.country_a_id = n.a AND o.country_b_id = n.b AND o.year = n.year
    WHERE o.id IS NULL OR n.a IS NULL
        OR (n.ab_usd, n.ab_basis, n.ab_id, n.ba_usd, n.ba_basis, n.ba_id, n.total_usd, n.total_basis, n.total_id,
            n.growth, n.in_force, n.notes, n.is_synthetic)
        IS DISTINCT FROM
           (o.a_to_b_usd, o.a_to_b_basis, o.a_to_b_flow_id, o.b_to_a_usd, o.b_to_a_basis, o.b_to_a_flow_id,
            o.total_usd, o.total_basis, o.total_flow_id, o.growth, o.agreements_in_force, o.notes, o.is_synthetic)
),
deleted AS (
    DELETE FROM agreements_pairyearstatistic s USING diff d
    WHERE d.a IS NULL AND s.id = d.old_id
    RETURNING 1
),
updated AS (
    UPDATE agreements_pairyearstatistic s SET
        a_to_b_usd = d.ab_usd, a_to_b_basis = d.ab_basis, a_to_b_flow_id = d.ab_id,
        b_to_a_usd = d.ba_usd, b_to_a_basis = d.ba_basis, b_to_a_flow_id = d.ba_id,
        total_usd = d.total_usd, total_basis = d.total_basis, total_flow_id = d.total_id,
        growth = d.growth, agreements_in_force = d.in_force, notes = d.notes, is_synthetic = d.is_synthetic
    FROM diff d
    WHERE d.a IS NOT NULL AND d.old_id IS NOT NULL AND s.id = d.old_id
    RETURNING 1
),
inserted AS (
    INSERT INTO agreements_pairyearstatistic (
        country_a_id, country_b_id, year, a_to_b_usd, a_to_b_basis, a_to_b_flow_id,
        b_to_a_usd, b_to_a_basis, b_to_a_flow_id, total_usd, total_basis, total_flow_id,
        growth, agreements_in_force, notes, is_synthetic)
    SELECT a, b, year, ab_usd, ab_basis, ab_id, ba_usd, ba_basis, ba_id, total_usd, total_basis, total_id,
        growth, in_force, notes, is_synthetic
    FROM diff WHERE old_id IS NULL
    RETURNING 1
)
SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM updated), (SELECT count(*) FROM deleted)
"""

_SCOPE = "SELECT * FROM unnest(%(scope_a)s::bigint[], %(scope_b)s::bigint[])"


def pair_year_sql(scoped: bool) -> str:
    """The refresh statement, for every pair or for the pairs passed as %(scope_a)s, %(scope_b)s."""
    if not scoped:
        return PAIR_YEAR_SQL.format(flow_scope="", agreement_scope="", old_scope="")
    return PAIR_YEAR_SQL.format(
        # Both orders of each pair, so the lookups use the (reporter, partner, ...) index.
        flow_scope="AND (f.reporter_id, f.partner_id) IN (SELECT * FROM unnest("
        "%(scope_a)s::bigint[] || %(scope_b)s::bigint[], %(scope_b)s::bigint[] || %(scope_a)s::bigint[]))",
        agreement_scope=f"AND (p1.country_id, p2.country_id) IN ({_SCOPE})",
        old_scope=f"AND (s.country_a_id, s.country_b_id) IN ({_SCOPE})",
    )


FULL_REFRESH_SETTINGS = {
    "work_mem": FULL_REFRESH_WORK_MEM,
    # Joins by hash: a merge join would sort the wide rows (growth's join on the year before).
    "enable_mergejoin": "off",
    # Compiling this large statement costs more than it saves.
    "jit": "off",
}


def _refresh_pairs_sql(scope: list[Pair] | None) -> int:
    with connection.cursor() as cursor:
        if scope is None:
            with _transaction_settings(cursor, FULL_REFRESH_SETTINGS):
                cursor.execute(pair_year_sql(scoped=False))
                inserted, updated, deleted = cursor.fetchone()
        else:
            params = {"scope_a": [a for a, _ in scope], "scope_b": [b for _, b in scope]}
            cursor.execute(pair_year_sql(scoped=True), params)
            inserted, updated, deleted = cursor.fetchone()
    return inserted + updated + deleted


@contextmanager
def _transaction_settings(cursor, values: dict[str, str]) -> Iterator[None]:
    """Planner settings for this transaction, put back afterwards: a caller's own
    transaction (the refresh may run inside one) keeps its settings."""
    names = list(values)
    cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(names)), names)
    previous = dict(zip(names, cursor.fetchone(), strict=True))
    for name, value in values.items():
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
    yield
    for name, value in previous.items():
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


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
