"""Every database rule of the agreements app that one row can break, shown by trying to break it.

Rows are written with ``objects.create()`` or ``update()``, which skip
``clean()``: these tests are about what the database itself refuses, on SQLite
and PostgreSQL alike. The rules that span rows: test_deferred_constraints.py.
"""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from agreements.models import (
    Agreement,
    AgreementRelation,
    AgreementSource,
    BlocMembership,
    Country,
    ExternalIdentifier,
    Organisation,
    Party,
    Source,
)
from agreements.models.agreements import AGREEMENT_DATE_ORDER, AGREEMENT_DATES
from agreements.models.dates import DatePrecision
from agreements.models.parties import PARTY_DATE_ORDER, PARTY_DATES
from agreements.tests.constraint_helpers import EARLY, FAR_FUTURE, LATE, breaks, update
from agreements.tests.factories import (
    AgreementFactory,
    AgreementRelationFactory,
    AgreementSourceFactory,
    BlocFactory,
    BlocMembershipFactory,
    ExternalIdentifierFactory,
    OrganisationFactory,
    PartyFactory,
    SourceFactory,
    country,
)

pytestmark = pytest.mark.django_db


# Agreement dates ------------------------------------------------------------


@pytest.mark.parametrize(("earlier", "later"), AGREEMENT_DATE_ORDER)
def test_agreement_date_not_after_later_date(earlier, later):
    agreement = AgreementFactory(status=Agreement.Status.TERMINATED, signed_on=None, ended_on=FAR_FUTURE)

    with breaks(f"agreements_agreement_{earlier}_not_after_{later}"):
        update(agreement, **{"ended_on": FAR_FUTURE, earlier: LATE, later: EARLY})


def test_agreement_dates_may_fall_on_the_same_day():
    AgreementFactory(
        status=Agreement.Status.TERMINATED, announced_on=EARLY, signed_on=EARLY, in_force_on=EARLY, ended_on=EARLY
    )


@pytest.mark.parametrize("field", AGREEMENT_DATES)
@pytest.mark.parametrize(
    ("precision", "value"),
    [(DatePrecision.MONTH, dt.date(2020, 3, 15)), (DatePrecision.YEAR, dt.date(2020, 3, 1))],
)
def test_agreement_date_matches_its_precision(field, precision, value):
    agreement = AgreementFactory(status=Agreement.Status.TERMINATED, signed_on=None, ended_on=FAR_FUTURE)
    precision_field = field.removesuffix("_on") + "_precision"

    with breaks(f"agreements_agreement_{field}_matches_precision"):
        update(agreement, **{field: value, precision_field: precision})


@pytest.mark.parametrize(
    ("precision", "value"),
    [
        (DatePrecision.DAY, dt.date(2020, 3, 15)),
        (DatePrecision.MONTH, dt.date(2020, 3, 1)),
        (DatePrecision.YEAR, dt.date(2020, 1, 1)),
    ],
)
def test_agreement_date_on_the_first_day_of_its_period_is_accepted(precision, value):
    AgreementFactory(signed_on=value, signed_precision=precision)


# Which dates each status needs or forbids.
STATUS_DATES_BROKEN = [
    ("announced", {"signed_on": EARLY}),
    ("announced", {"in_force_on": EARLY}),
    ("negotiating", {"ended_on": EARLY}),
    ("signed", {"signed_on": EARLY, "in_force_on": LATE}),
    ("signed", {"signed_on": EARLY, "ended_on": LATE}),
    ("in_force", {"signed_on": EARLY}),
    ("in_force", {"in_force_on": EARLY, "ended_on": LATE}),
    ("suspended", {}),
    ("suspended", {"in_force_on": EARLY, "ended_on": LATE}),
]
STATUS_DATES_VALID = [
    ("announced", {"announced_on": EARLY}),
    ("negotiating", {}),
    ("signed", {"signed_on": EARLY}),
    ("signed", {}),  # "recently signed", date unknown
    ("in_force", {"in_force_on": EARLY}),
    ("suspended", {"signed_on": EARLY, "in_force_on": LATE}),
    ("terminated", {"ended_on": EARLY}),
    ("expired", {"in_force_on": EARLY, "ended_on": LATE}),
    ("superseded", {"ended_on": EARLY}),
    # Ended, date unknown: a source says it ended without saying when (GPTAD's "expired").
    ("terminated", {"in_force_on": EARLY}),
    ("expired", {}),
    ("superseded", {"signed_on": EARLY}),
]
NO_DATES = dict.fromkeys(AGREEMENT_DATES)


@pytest.mark.parametrize(("status", "dates"), STATUS_DATES_BROKEN)
def test_agreement_status_matches_dates(status, dates):
    with breaks("agreements_agreement_status_matches_dates"):
        Agreement.objects.create(title="Broken", kind="mou", status=status, **(NO_DATES | dates))


@pytest.mark.parametrize(("status", "dates"), STATUS_DATES_VALID)
def test_agreement_status_with_its_dates_is_accepted(status, dates):
    Agreement.objects.create(title="Valid", kind="mou", scope="plurilateral", status=status, **(NO_DATES | dates))


def test_agreement_published_has_time():
    agreement = AgreementFactory()

    with breaks("agreements_agreement_published_has_time"):
        update(agreement, is_published=True)


def test_agreement_slug_is_unique():
    first = AgreementFactory()

    with breaks("agreements_agreement_slug_key", sqlite_unique="agreements_agreement.slug"):
        AgreementFactory(slug=first.slug)


# Parties and signatories ------------------------------------------------------


def test_party_country_once():
    party = PartyFactory(country=country("KEN"))

    with breaks(
        "agreements_party_country_once", sqlite_unique="agreements_party.agreement_id, agreements_party.country_id"
    ):
        Party.objects.create(agreement=party.agreement, country=country("KEN"))


def test_party_country_once_allows_several_institution_only_parties():
    agreement = AgreementFactory()

    Party.objects.create(agreement=agreement, institution=OrganisationFactory(intergovernmental=True))
    Party.objects.create(agreement=agreement, institution=OrganisationFactory(intergovernmental=True))


def test_party_country_or_institution():
    agreement = AgreementFactory()

    with breaks("agreements_party_country_or_institution"):
        Party.objects.create(agreement=agreement)


@pytest.mark.parametrize(("earlier", "later"), PARTY_DATE_ORDER)
def test_party_date_not_after_later_date(earlier, later):
    party = PartyFactory()

    with breaks(f"agreements_party_{earlier}_not_after_{later}"):
        update(party, **{earlier: LATE, later: EARLY})


@pytest.mark.parametrize("field", PARTY_DATES)
def test_party_date_matches_its_precision(field):
    party = PartyFactory()

    with breaks(f"agreements_party_{field}_matches_precision"):
        update(party, **{field: dt.date(2020, 3, 1), field.removesuffix("_on") + "_precision": DatePrecision.YEAR})


# Countries and blocs ----------------------------------------------------------------


@pytest.mark.parametrize("iso3", ["ken", "KE", "K3N", ""])
def test_country_iso3_format(iso3):
    with breaks("agreements_country_iso3_format"):
        Country.objects.filter(iso3="KEN").update(iso3=iso3)


@pytest.mark.parametrize("numeric", ["40", "4a4", " 40"])
def test_country_numeric_format(numeric):
    with breaks("agreements_country_numeric_format"):
        Country.objects.filter(iso3="KEN").update(numeric=numeric)


def test_country_numeric_may_be_empty():
    assert Country.objects.filter(iso3="KEN").update(numeric="") == 1


def test_country_iso3_is_unique():
    with breaks("agreements_country_iso3_key", sqlite_unique="agreements_country.iso3"):
        Country.objects.create(iso3="KEN", name="Kenya again")


@pytest.mark.parametrize("code", ["EAC 2", "EAC/COMESA", ""])
def test_bloc_code_format(code):
    with breaks("agreements_bloc_code_format"):
        BlocFactory(code=code)


def test_blocmembership_joined_not_after_left():
    membership = BlocMembershipFactory()

    with breaks("agreements_blocmembership_joined_on_not_after_left_on"):
        update(membership, joined_on=LATE, left_on=EARLY)


@pytest.mark.parametrize("field", ["joined_on", "left_on"])
def test_blocmembership_date_matches_its_precision(field):
    membership = BlocMembershipFactory(joined_on=dt.date(2000, 1, 1))

    with breaks(f"agreements_blocmembership_{field}_matches_precision"):
        update(membership, **{field: dt.date(2001, 5, 2), field.removesuffix("_on") + "_precision": "month"})


def test_blocmembership_unique_spell():
    membership = BlocMembershipFactory()

    with breaks(
        "agreements_blocmembership_unique_spell",
        sqlite_unique="agreements_blocmembership.bloc_id, agreements_blocmembership.country_id, agreements_blocmembership.joined_on",
    ):
        BlocMembership.objects.create(bloc=membership.bloc, country=membership.country, joined_on=membership.joined_on)


def test_blocmembership_a_country_may_rejoin():
    membership = BlocMembershipFactory(joined_on=dt.date(2000, 1, 1), left_on=dt.date(2005, 1, 1))

    BlocMembership.objects.create(bloc=membership.bloc, country=membership.country, joined_on=dt.date(2010, 1, 1))


# Organisations and sources ----------------------------------------------------


def test_organisation_intergovernmental_has_no_country():
    with breaks("agreements_organisation_intergovernmental_has_no_country"):
        OrganisationFactory(kind=Organisation.Kind.INTERGOVERNMENTAL, country=country("KEN"))


def test_organisation_not_own_parent():
    organisation = OrganisationFactory()

    with breaks("agreements_organisation_not_own_parent"):
        update(organisation, parent=organisation)


def test_organisation_unique_name_within_a_country():
    OrganisationFactory(name="Ports Authority", country=country("KEN"))

    with breaks(
        "agreements_organisation_unique_name",
        sqlite_unique="agreements_organisation.country_id, agreements_organisation.name",
    ):
        OrganisationFactory(name="Ports Authority", country=country("KEN"))


def test_organisation_name_may_repeat_in_another_country():
    OrganisationFactory(name="Ports Authority", country=country("KEN"))

    OrganisationFactory(name="Ports Authority", country=country("TZA"))


def test_organisation_intergovernmental_name_is_unique():
    OrganisationFactory(name="African Union", intergovernmental=True)

    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(name="African Union", intergovernmental=True)


def test_source_unique_url():
    SourceFactory(url="https://example.org/release")

    with breaks("agreements_source_unique_url", sqlite_unique="agreements_source.url"):
        SourceFactory(url="https://example.org/release")


def test_source_empty_urls_may_repeat():
    SourceFactory(url="")
    SourceFactory(url="")

    assert Source.objects.filter(url="").count() == 2


def test_source_published_not_after_accessed():
    with breaks("agreements_source_published_not_after_accessed"):
        SourceFactory(published_on=LATE, accessed_on=EARLY)


def test_agreementsource_cited_once():
    citation = AgreementSourceFactory()

    with breaks(
        "agreements_agreementsource_cited_once",
        sqlite_unique="agreements_agreementsource.agreement_id, agreements_agreementsource.source_id",
    ):
        AgreementSource.objects.create(agreement=citation.agreement, source=citation.source)


# Relations and identifiers ------------------------------------------------------


def test_relation_not_to_itself():
    agreement = AgreementFactory()

    with breaks("agreements_agreementrelation_not_to_itself"):
        AgreementRelation.objects.create(from_agreement=agreement, kind="amends", to_agreement=agreement)


def test_relation_unique():
    relation = AgreementRelationFactory()

    with breaks(
        "agreements_agreementrelation_unique",
        sqlite_unique="agreements_agreementrelation.from_agreement_id, agreements_agreementrelation.kind, agreements_agreementrelation.to_agreement_id",
    ):
        AgreementRelation.objects.create(
            from_agreement=relation.from_agreement, kind=relation.kind, to_agreement=relation.to_agreement
        )


def test_relation_of_another_kind_between_the_same_agreements_is_accepted():
    relation = AgreementRelationFactory(kind=AgreementRelation.Kind.AMENDS)

    AgreementRelationFactory(
        from_agreement=relation.from_agreement,
        kind=AgreementRelation.Kind.IMPLEMENTS,
        to_agreement=relation.to_agreement,
    )


def test_externalidentifier_unique_value():
    identifier = ExternalIdentifierFactory(scheme="desta", value="123")

    with breaks(
        "agreements_externalidentifier_unique_value",
        sqlite_unique="agreements_externalidentifier.scheme, agreements_externalidentifier.value",
    ):
        ExternalIdentifier.objects.create(agreement=AgreementFactory(), scheme=identifier.scheme, value="123")


def test_externalidentifier_same_value_in_another_scheme_is_accepted():
    ExternalIdentifierFactory(scheme="desta", value="123")

    ExternalIdentifierFactory(scheme="wto_rta", value="123")


def test_externalidentifier_one_per_scheme():
    identifier = ExternalIdentifierFactory(scheme="desta", value="123")

    with breaks(
        "agreements_externalidentifier_one_per_scheme",
        sqlite_unique="agreements_externalidentifier.agreement_id, agreements_externalidentifier.scheme",
    ):
        ExternalIdentifier.objects.create(agreement=identifier.agreement, scheme="desta", value="456")
