"""The full refresh on PostgreSQL checks the stored counts of agreements in force against the
agreements only when an agreement or a party changed since they were last checked or computed
(agreements.trade.sql, TradeRefreshState): a night when only flows changed skips it, and no way of
changing the agreements (plain SQL, a refresh of a few pairs in between) leaves a count wrong."""

import datetime as dt
import random

import pytest
from django.db import connection

from agreements.models import Agreement, Party, TradeFlow, TradeRefreshState
from agreements.trade.refresh import refresh_trade_statistics
from agreements.trade.tests.refresh_helpers import country, random_figures, snapshot

pytestmark = pytest.mark.postgres


@pytest.fixture
def checks():
    """How many times each refresh checked the counts of agreements in force (one entry per refresh)."""
    seen: list[int] = []

    def count(execute, sql, params, many, context):
        if "counted AS MATERIALIZED" in sql:
            seen[-1] += 1
        return execute(sql, params, many, context)

    def refresh(*args, **kwargs):
        seen.append(0)
        with connection.execute_wrapper(count):
            return refresh_trade_statistics(*args, **kwargs)

    refresh.seen = seen
    return refresh


def stored_digest() -> int | None:
    state = TradeRefreshState.objects.first()
    return state.agreements_digest if state else None


def is_the_rebuilds() -> bool:
    picked = snapshot()
    return refresh_trade_statistics(rebuild=True).rows_written == 0 and snapshot() == picked


def test_a_night_when_only_flows_changed_does_not_check_the_agreements(db, checks):
    random_figures(seed=11)
    checks()  # the first fill counts every pair-year's agreements: nothing to check
    assert stored_digest() is not None
    flows = list(TradeFlow.objects.filter(partner__isnull=False).order_by("id")[:5])
    for f in flows:
        TradeFlow.objects.filter(pk=f.pk).update(value=f.value * 2)

    assert checks().rows_written > 0
    assert checks().rows_written == 0
    assert checks.seen == [0, 0, 0]
    assert is_the_rebuilds()


@pytest.mark.parametrize("change", ["unpublish", "in_force", "ended", "withdrew", "party_gone"])
def test_any_change_to_the_agreements_is_checked(db, checks, change):
    random_figures(seed=12)
    checks()
    agreement = Agreement.objects.filter(is_published=True, in_force_on__isnull=False).order_by("id").first()
    party = Party.objects.filter(agreement=agreement).order_by("id").first()
    if change == "unpublish":
        Agreement.objects.filter(pk=agreement.pk).update(is_published=False, published_at=None)
    elif change == "in_force":
        Agreement.objects.filter(pk=agreement.pk).update(in_force_on=agreement.in_force_on + dt.timedelta(days=3 * 366))
    elif change == "ended":
        ended_on = agreement.in_force_on + dt.timedelta(days=366)
        Agreement.objects.filter(pk=agreement.pk).update(status=Agreement.Status.TERMINATED, ended_on=ended_on)
    elif change == "withdrew":
        Party.objects.filter(pk=party.pk).update(withdrew_on=agreement.in_force_on + dt.timedelta(days=366))
    else:
        Party.objects.filter(pk=party.pk).delete()

    assert checks().rows_written > 0, "counts changed"
    assert checks.seen == [0, 1]
    assert checks().rows_written == 0
    assert checks.seen == [0, 1, 0], "checked once, then trusted"
    assert is_the_rebuilds()


def test_counts_a_pair_refresh_wrote_under_other_agreements_are_checked_again(db, checks):
    """Published, then unpublished while one pair is refreshed, then published again by plain SQL (no refresh
    queued): the full refresh must not trust that pair's counts, written under the unpublished agreement."""
    random_figures(seed=13)
    checks()
    agreement = Agreement.objects.filter(is_published=True, in_force_on__isnull=False).order_by("id").first()
    a, b = sorted(Party.objects.filter(agreement=agreement).values_list("country_id", flat=True))[:2]
    published_at = agreement.published_at
    Agreement.objects.filter(pk=agreement.pk).update(is_published=False, published_at=None)
    refresh_trade_statistics([(a, b)])
    assert stored_digest() is None, "the pair's counts are of other agreements than the rest"
    Agreement.objects.filter(pk=agreement.pk).update(is_published=True, published_at=published_at)

    assert checks().rows_written > 0
    assert checks.seen == [0, 1]
    assert is_the_rebuilds()


def test_a_pair_refresh_under_the_same_agreements_keeps_the_digest(db, checks):
    random_figures(seed=14)
    checks()
    kept = stored_digest()
    f = TradeFlow.objects.filter(partner__isnull=False).order_by("id").first()
    TradeFlow.objects.filter(pk=f.pk).update(value=f.value + 1)
    refresh_trade_statistics([(f.reporter_id, f.partner_id)])
    assert stored_digest() == kept

    assert checks().rows_written == 0
    assert checks.seen == [0, 0]


def test_the_portable_path_s_counts_are_checked(db, checks):
    random_figures(seed=15)
    checks()
    refresh_trade_statistics(engine="python")
    assert stored_digest() is None
    checks()
    assert checks.seen == [0, 1]
    assert stored_digest() is not None


@pytest.mark.parametrize("seed", [21, 22])
def test_random_changes_to_flows_and_agreements_end_with_the_rebuilds_figures(db, checks, seed):
    random_figures(seed=seed)
    checks()
    rng = random.Random(seed)
    flows = list(TradeFlow.objects.filter(partner__isnull=False).order_by("id"))
    for f in rng.sample(flows, 4):
        TradeFlow.objects.filter(pk=f.pk).update(value=f.value + 7)
    parties = list(Party.objects.order_by("id"))
    Party.objects.filter(pk=rng.choice(parties).pk).update(joined_on=dt.date(2009, 1, 1))
    refresh_trade_statistics([(country("KEN").pk, country("RWA").pk)])
    checks()
    assert is_the_rebuilds()
