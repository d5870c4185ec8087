"""The rules ``Agreement.clean()`` checks on dates (precision, order, status), with the
message a curator sees on each field, and that ``clean()`` and the database agree."""

import datetime as dt
import itertools

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.models import Agreement
from agreements.models.agreements import AGREEMENT_DATE_ORDER, AGREEMENT_DATES
from agreements.models.dates import DatePrecision
from agreements.tests.clean_helpers import EARLY, LATE, NO_DATES, ended_agreement, errors_of
from agreements.tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db


# Agreement.clean: precision, order, status -------------------------------------

PRECISION_MESSAGES = [
    (
        DatePrecision.MONTH,
        dt.date(2020, 3, 15),
        "A date known only to the month is entered as its first day (2020-03-01).",
    ),
    (
        DatePrecision.YEAR,
        dt.date(2020, 3, 1),
        "A date known only to the year is entered as its first day (2020-01-01).",
    ),
]


@pytest.mark.parametrize("field", AGREEMENT_DATES)
@pytest.mark.parametrize(("precision", "value", "message"), PRECISION_MESSAGES)
def test_agreement_date_must_be_first_day_of_its_precision(field, precision, value, message):
    agreement = ended_agreement(**{field: value, field.removesuffix("_on") + "_precision": precision})

    assert errors_of(agreement) == {field: [message]}


@pytest.mark.parametrize(
    ("precision", "value"),
    [
        (DatePrecision.DAY, dt.date(2020, 3, 15)),
        (DatePrecision.MONTH, dt.date(2020, 3, 1)),
        (DatePrecision.YEAR, dt.date(2020, 1, 1)),
    ],
)
def test_agreement_date_on_first_day_of_its_precision_is_accepted(precision, value):
    agreement = AgreementFactory.build(signed_on=value, signed_precision=precision)

    assert errors_of(agreement) == {}


LABELS = {
    "announced_on": "date announced",
    "signed_on": "date signed",
    "in_force_on": "date of entry into force",
    "ended_on": "date ended",
}


@pytest.mark.parametrize(("earlier", "later"), AGREEMENT_DATE_ORDER)
def test_agreement_dates_out_of_order_are_reported_on_the_later_field(earlier, later):
    agreement = ended_agreement(**{earlier: LATE, later: EARLY})

    assert errors_of(agreement) == {later: [f"Must not be before the {LABELS[earlier]} (2020-06-02)."]}


def test_agreement_dates_on_the_same_day_are_accepted():
    agreement = ended_agreement(announced_on=EARLY, signed_on=EARLY, in_force_on=EARLY, ended_on=EARLY)

    assert errors_of(agreement) == {}


STATUS_MESSAGES = [
    # A status that needs a date, without it.
    (
        "in_force",
        {},
        "in_force_on",
        "An agreement that is in force needs its date of entry into force (the year is enough).",
    ),
    (
        "suspended",
        {"signed_on": EARLY},
        "in_force_on",
        "An agreement that is suspended needs its date of entry into force (the year is enough).",
    ),
    # Ended, date unknown, is accepted (GPTAD's "expired"): test_row_constraints' STATUS_DATES_VALID.
    # A status that forbids a date, with it.
    (
        "announced",
        {"signed_on": EARLY},
        "signed_on",
        "An agreement that is announced has no date signed yet; change the status or clear this date.",
    ),
    (
        "announced",
        {"in_force_on": EARLY},
        "in_force_on",
        "An agreement that is announced has no date of entry into force yet; change the status or clear this date.",
    ),
    (
        "negotiating",
        {"ended_on": EARLY},
        "ended_on",
        "An agreement that is under negotiation has no date ended yet; change the status or clear this date.",
    ),
    (
        "signed",
        {"signed_on": EARLY, "in_force_on": LATE},
        "in_force_on",
        "An agreement that is signed has no date of entry into force yet; change the status or clear this date.",
    ),
    (
        "signed",
        {"signed_on": EARLY, "ended_on": LATE},
        "ended_on",
        "An agreement that is signed has no date ended yet; change the status or clear this date.",
    ),
    (
        "in_force",
        {"in_force_on": EARLY, "ended_on": LATE},
        "ended_on",
        "An agreement that is in force has no date ended yet; change the status or clear this date.",
    ),
    (
        "suspended",
        {"in_force_on": EARLY, "ended_on": LATE},
        "ended_on",
        "An agreement that is suspended has no date ended yet; change the status or clear this date.",
    ),
]


@pytest.mark.parametrize(("status", "dates", "field", "message"), STATUS_MESSAGES)
def test_agreement_status_needs_or_forbids_a_date(status, dates, field, message):
    agreement = AgreementFactory.build(status=status, **(NO_DATES | dates))

    assert errors_of(agreement) == {field: [message]}


# Every set of known dates: (), ("announced_on",), ... ("announced_on", "signed_on", "in_force_on", "ended_on").
KNOWN_DATES = [
    known for size in range(len(AGREEMENT_DATES) + 1) for known in itertools.combinations(AGREEMENT_DATES, size)
]


@pytest.mark.parametrize("status", Agreement.Status.values)
@pytest.mark.parametrize("known", KNOWN_DATES, ids=lambda known: "+".join(known) or "no-dates")
def test_clean_and_database_agree_on_status_and_dates(status, known):
    """clean() and the status_matches_dates constraint are written apart: they
    must accept and refuse exactly the same statuses and sets of known dates."""
    # Known dates a day apart, in order, so only the status rule can object.
    dates = {field: dt.date(2020, 1, 1 + i) if field in known else None for i, field in enumerate(AGREEMENT_DATES)}
    agreement = AgreementFactory.build(status=status, scope=Agreement.Scope.PLURILATERAL, **dates)

    try:
        with transaction.atomic():
            agreement.save()
        saved = True
    except IntegrityError:
        saved = False

    assert (errors_of(agreement) == {}) == saved


@settings(max_examples=60, deadline=None)
@given(value=st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)), precision=st.sampled_from(DatePrecision.values))
def test_clean_and_database_agree_on_precision(value, precision):
    agreement = AgreementFactory.build(signed_on=value, signed_precision=precision)

    try:
        with transaction.atomic():
            agreement.save()
            transaction.set_rollback(True)
        saved = True
    except IntegrityError:
        saved = False

    assert (errors_of(agreement) == {}) == saved
