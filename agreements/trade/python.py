"""The trade refresh on any database: the rules of agreements.trade.refresh in Python.

The portable path (SQLite, the development default, and ``engine="python"``),
plain Python over the ORM. It gives the same figures as the SQL of
agreements.trade.sql, to the cent; the tests compare the two. It recomputes
every pair-year of its scope, and leaves the rows it writes without a digest
(the SQL path recomputes those once).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from itertools import combinations

from django.db import connection, models
from django.db.models import Q

from agreements.models import Basis, ExchangeRate, PairYearStatistic, Party, TradeFlow
from agreements.trade.roles import AB_MIRROR, AB_REPORTED, BA_MIRROR, BA_REPORTED, TOTAL_A, TOTAL_B, role_of

Pair = tuple[int, int]

CENT = Decimal("0.01")
MICRO = Decimal("0.000001")
GROWTH_LIMIT = Decimal(1_000_000)  # PairYearStatistic.growth: 12 digits, 6 decimal places

PAIR_FIELDS = [
    "a_to_b_usd",
    "a_to_b_basis",
    "a_to_b_flow_id",
    "a_to_b_check_usd",
    "a_to_b_check_flow_id",
    "b_to_a_usd",
    "b_to_a_basis",
    "b_to_a_flow_id",
    "b_to_a_check_usd",
    "b_to_a_check_flow_id",
    "total_usd",
    "total_basis",
    "total_flow_id",
    "growth",
    "agreements_in_force",
    "notes",
    "is_synthetic",
]


@dataclass(frozen=True)
class Candidate:
    """A flow that can supply one figure of a pair-year."""

    id: int
    usd: Decimal | None
    currency: str
    synthetic: bool
    origin: int = 10

    @property
    def rank(self) -> tuple[int, int]:
        """Precedence among flows of one role: the first origin (TradeFlow.Origin), then the lowest id."""
        return (self.origin, self.id)


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


def best(flows: list[Candidate]) -> Candidate:
    return min(flows, key=lambda c: c.rank)


def direction(candidates: dict[int, Candidate], reported: int, mirror: int) -> tuple[int | None, int | None]:
    """(the role used for a direction, the role of the other partner's report of it, if any).

    The first origin wins (never a sum across sources); between the exporter's own report and
    the importer's mirror of the same origin, the exporter's.
    """
    present = [r for r in (reported, mirror) if r in candidates]
    if not present:
        return None, None
    chosen = min(present, key=lambda r: (candidates[r].origin, r != reported))
    other = next((r for r in present if r != chosen), None)
    return chosen, other


def pair_year_figures(year: int, flows_by_role: dict[int, list[Candidate]]) -> dict:
    """The figures of one pair-year from its candidate flows by role (growth and
    agreements in force are added by the caller)."""
    candidates = {role: best(flows) for role, flows in flows_by_role.items() if flows}
    ab_role, ab_check_role = direction(candidates, AB_REPORTED, AB_MIRROR)
    ba_role, ba_check_role = direction(candidates, BA_REPORTED, BA_MIRROR)
    ab = candidates.get(ab_role)  # type: ignore[arg-type]
    ba = candidates.get(ba_role)  # type: ignore[arg-type]
    ab_check = candidates.get(ab_check_role)  # type: ignore[arg-type]
    ba_check = candidates.get(ba_check_role)  # type: ignore[arg-type]
    totals = [r for r in (TOTAL_A, TOTAL_B) if r in candidates]
    # A reported total: one that converts first, then the first origin, country A's first.
    totals.sort(key=lambda r: (candidates[r].usd is None, candidates[r].origin, r))
    t_role = totals[0] if totals else None
    reported_total = candidates.get(t_role)  # type: ignore[arg-type]

    used = [c for c in (ab, ba) if c is not None]
    total_usd: Decimal | None
    total_flow: Candidate | None
    if ab is not None and ab.usd is not None and ba is not None and ba.usd is not None:  # both directions
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
        "a_to_b_check_usd": ab_check.usd if ab_check else None,
        "a_to_b_check_flow_id": ab_check.id if ab_check else None,
        "b_to_a_usd": ba.usd if ba else None,
        "b_to_a_basis": basis(ba_role, BA_REPORTED),
        "b_to_a_flow_id": ba.id if ba else None,
        "b_to_a_check_usd": ba_check.usd if ba_check else None,
        "b_to_a_check_flow_id": ba_check.id if ba_check else None,
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
        parties = parties.filter(agreement_id__in=agreements_with_pairs(scope))
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


def agreements_with_pairs(scope: list[Pair]) -> set[int]:
    """Agreements (any status) with both countries of one of the pairs as parties."""
    ids: set[int] = set()
    for start in range(0, len(scope), 200):
        condition = Q()
        for a, b in scope[start : start + 200]:
            condition |= Q(country_id=a, agreement__parties__country_id=b)
        ids.update(Party.objects.filter(condition).values_list("agreement_id", flat=True).order_by())
    return ids


def compute_pair_rows(scope: list[Pair] | None) -> dict[tuple[int, int, int], dict]:
    """Every derived pair-year row of the scope, keyed (country_a, country_b, year)."""
    rates = {(c, y): u for c, y, u in ExchangeRate.objects.values_list("currency", "year", "units_per_usd")}
    groups: dict[tuple[int, int, int], dict[int, list[Candidate]]] = defaultdict(lambda: defaultdict(list))
    for flow_id, reporter, partner, year, flow, value, currency, synthetic, origin in _scope_flows(scope):
        key = (min(reporter, partner), max(reporter, partner), year)
        usd = to_usd(value, currency, rates.get((currency, year)))
        groups[key][role_of(reporter, partner, flow)].append(Candidate(flow_id, usd, currency, synthetic, origin))
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
    fields = ("id", "reporter_id", "partner_id", "year", "flow", "value", "currency", "is_synthetic", "origin")
    flows = TradeFlow.objects.filter(partner__isnull=False).order_by()
    if scope is None:
        yield from flows.values_list(*fields).iterator(chunk_size=5000)
        return
    for start in range(0, len(scope), 200):
        condition = Q()
        for a, b in scope[start : start + 200]:
            condition |= Q(reporter_id=a, partner_id=b) | Q(reporter_id=b, partner_id=a)
        yield from flows.filter(condition).values_list(*fields).iterator(chunk_size=5000)


def _scope_rows(model: type[models.Model], scope: list[Pair] | None) -> models.QuerySet:
    rows = model._default_manager.order_by()
    if scope is None:
        return rows
    condition = Q()
    for a, b in scope:
        condition |= Q(country_a_id=a, country_b_id=b)
    return rows.filter(condition)


def refresh_pairs(scope: list[Pair] | None) -> int:
    new = compute_pair_rows(scope)
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
            added.append((*key, *(values[field] for field in PAIR_FIELDS)))
        elif any(before[field] != values[field] for field in PAIR_FIELDS):
            changed.append((before["id"], *key, *(values[field] for field in PAIR_FIELDS)))
    # Changed rows are replaced (deleted, then inserted with the new rows): bulk_update's CASE per
    # field and row costs minutes on SQLite once tens of thousands change (a registry import moves the
    # agreements in force of most pairs).
    # Deleted in SQL: a queryset delete would load each row to send its signals (the page cache listens
    # to every model), and derived rows have no history.
    table = connection.ops.quote_name(PairYearStatistic._meta.db_table)
    doomed = [*gone, *(row[0] for row in changed)]
    with connection.cursor() as cursor:
        for start in range(0, len(doomed), 500):
            chunk = doomed[start : start + 500]
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk)
        # Written (the changed rows with their own ids again, so a row keeps its id) without a digest
        # (inputs_digest stays None): the SQL path cannot trust it. One statement for all rows
        # (executemany), not bulk_create: its per-field preparation and SQLite's limit of 999
        # parameters a statement (47 rows of these) made a first fill of 240,000 rows take minutes.
        for with_id, rows in ((True, changed), (False, added)):
            if rows:
                cursor.executemany(_insert_sql(with_id), rows)
    return len(gone) + len(changed) + len(added)


def _insert_sql(with_id: bool) -> str:
    meta = PairYearStatistic._meta
    names = [*(["id"] if with_id else []), "country_a_id", "country_b_id", "year", *PAIR_FIELDS]
    column_of = {field.attname: field.column for field in meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(column_of[name]) for name in names)
    return (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"
    )


def _chunks(scope: list[Pair] | None, size: int = 200) -> Iterator[list[Pair] | None]:
    if scope is None:
        yield None
        return
    for start in range(0, len(scope), size):
        yield scope[start : start + size]
