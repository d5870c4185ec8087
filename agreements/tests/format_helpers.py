"""A small list for the tests of the list's other formats (CSV shapes, JSON, Atom): dates
of every precision, per-party dates, an institution acting alone, an agreement without
parties, a title with a ``#`` (a comment character to pandas and R) and one a spreadsheet
would run, and a draft that no format may show."""

import datetime as dt
from dataclasses import dataclass

from agreements.models import Agreement, DatePrecision
from agreements.tests.factories import AgreementFactory, OrganisationFactory, PartyFactory, country


@dataclass
class FormatFixture:
    kigali: Agreement  # bilateral RWA–KEN, day-precise, per-party dates
    customs: Agreement  # plurilateral KEN, UGA, TZA: year, month and day precisions; ended
    corridor: Agreement  # RWA and an institution acting alone; announced only
    empty: Agreement  # no parties
    draft: Agreement


def build_format_fixture() -> FormatFixture:
    kpa = OrganisationFactory(name="Kenya Ports Authority", acronym="KPA", country=country("KEN"))
    commission = OrganisationFactory(name="Northern Corridor Authority #2", intergovernmental=True)
    kigali = AgreementFactory(
        title="MoU #1 on a KPA liaison office in Kigali",
        slug="mou-kpa-kigali",
        scope=Agreement.Scope.BILATERAL,
        signed_on=dt.date(2026, 1, 22),
        published=True,
    )
    PartyFactory(agreement=kigali, country=country("RWA"), signed_on=dt.date(2026, 1, 22))
    PartyFactory(
        agreement=kigali,
        country=country("KEN"),
        institution=kpa,
        ratified_on=dt.date(2026, 3, 1),
        ratified_precision=DatePrecision.MONTH,
    )
    customs = AgreementFactory(
        title="=1+1 customs protocol",
        slug="customs-protocol",
        kind=Agreement.Kind.PROTOCOL,
        status=Agreement.Status.EXPIRED,
        signed_on=dt.date(1999, 1, 1),
        signed_precision=DatePrecision.YEAR,
        in_force_on=dt.date(2000, 7, 1),
        in_force_precision=DatePrecision.MONTH,
        ended_on=dt.date(2010, 12, 31),
        published=True,
    )
    PartyFactory(agreement=customs, country=country("KEN"), signed_on=dt.date(1999, 1, 1), signed_precision="year")
    PartyFactory(
        agreement=customs,
        country=country("UGA"),
        joined_on=dt.date(2003, 1, 1),
        joined_precision=DatePrecision.YEAR,
        withdrew_on=dt.date(2008, 6, 30),
    )
    PartyFactory(agreement=customs, country=country("TZA"))
    corridor = AgreementFactory(
        title="Joint communiqué on the Northern Corridor",
        slug="corridor-communique",
        kind=Agreement.Kind.COMMUNIQUE,
        status=Agreement.Status.ANNOUNCED,
        signed_on=None,
        announced_on=dt.date(2025, 3, 1),
        announced_precision=DatePrecision.MONTH,
        published=True,
    )
    PartyFactory(agreement=corridor, country=country("RWA"))
    PartyFactory(agreement=corridor, country=None, institution=commission)
    empty = AgreementFactory(title="Framework with no parties yet", slug="no-parties", published=True)
    draft = AgreementFactory(title="A draft nobody may see", slug="a-draft")
    PartyFactory(agreement=draft, country=country("KEN"))
    return FormatFixture(kigali, customs, corridor, empty, draft)
