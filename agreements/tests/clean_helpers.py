"""The clean() tests' dates and checks: the messages ``clean()`` raises, an agreement whose
status forbids no date."""

import datetime as dt

from django.core.exceptions import ValidationError

from agreements.models import Agreement
from agreements.models.agreements import AGREEMENT_DATES
from agreements.tests.factories import AgreementFactory

EARLY, LATE, FAR_FUTURE = dt.date(2020, 6, 1), dt.date(2020, 6, 2), dt.date(2030, 1, 1)
NO_DATES = dict.fromkeys(AGREEMENT_DATES)


def errors_of(instance) -> dict[str, list[str]]:
    """The messages ``clean()`` raises, by field; empty when it accepts."""
    try:
        instance.clean()
    except ValidationError as error:
        return error.message_dict
    return {}


def ended_agreement(**dates) -> Agreement:
    """An unsaved terminated agreement: the one status that forbids no date."""
    return AgreementFactory.build(status=Agreement.Status.TERMINATED, **(NO_DATES | {"ended_on": FAR_FUTURE} | dates))
