"""The rules ``clean()`` checks on parties, signatories, organisations, sources, bloc
memberships and relations, with the message a curator sees on each field."""

import datetime as dt

import pytest

from agreements.models import Agreement, AgreementRelation, BlocMembership, Party, Signatory
from agreements.models.dates import DatePrecision
from agreements.models.parties import PARTY_DATE_ORDER, PARTY_DATES
from agreements.tests.clean_helpers import EARLY, LATE, errors_of
from agreements.tests.factories import (
    AgreementFactory,
    BlocMembershipFactory,
    OrganisationFactory,
    SourceFactory,
    country,
)

pytestmark = pytest.mark.django_db


# Agreement.party_errors ---------------------------------------------------------


def party_ids(*parties: tuple[str | None, bool]) -> list[tuple[int | None, int | None]]:
    """(country id, institution id) pairs from (iso3 or None, has an institution)."""
    return [
        (country(iso3).pk if iso3 else None, OrganisationFactory(intergovernmental=True).pk if institution else None)
        for iso3, institution in parties
    ]


def test_party_errors_duplicate_country():
    agreement = AgreementFactory.build(scope=Agreement.Scope.PLURILATERAL)

    assert agreement.party_errors(party_ids(("KEN", False), ("UGA", False), ("KEN", True))) == [
        "A country can be a party only once."
    ]


@pytest.mark.parametrize(
    ("parties", "count"),
    [
        ([("KEN", False)], "1 parties and 1 countries"),
        ([("KEN", False), ("UGA", False), ("RWA", False)], "3 parties and 3 countries"),
        ([("KEN", False), (None, True)], "2 parties and 1 countries"),
    ],
    ids=["one-party", "three-parties", "institution-only-party"],
)
def test_party_errors_bilateral_needs_exactly_two_countries(parties, count):
    agreement = AgreementFactory.build(scope=Agreement.Scope.BILATERAL)

    assert agreement.party_errors(party_ids(*parties)) == [
        f"A bilateral agreement has exactly two parties, two different countries; this one has {count}."
    ]


def test_party_errors_bilateral_with_the_same_country_twice():
    agreement = AgreementFactory.build(scope=Agreement.Scope.BILATERAL)

    assert agreement.party_errors(party_ids(("KEN", False), ("KEN", False))) == [
        "A country can be a party only once.",
        "A bilateral agreement has exactly two parties, two different countries; this one has 2 parties and 1 countries.",
    ]


def test_party_errors_bilateral_with_two_countries_and_a_third_institution_only_party():
    agreement = AgreementFactory.build(scope=Agreement.Scope.BILATERAL)

    assert agreement.party_errors(party_ids(("KEN", False), ("UGA", False), (None, True))) == [
        "A bilateral agreement has exactly two parties, two different countries; this one has 3 parties and 2 countries."
    ]


def test_party_errors_none_for_two_countries_one_acting_through_an_institution():
    agreement = AgreementFactory.build(scope=Agreement.Scope.BILATERAL)

    assert agreement.party_errors(party_ids(("RWA", False), ("KEN", True))) == []


def test_party_errors_institution_only_party_is_fine_outside_bilaterals():
    agreement = AgreementFactory.build(scope=Agreement.Scope.INSTITUTIONAL)

    assert agreement.party_errors(party_ids((None, True), ("KEN", True))) == []


# Party and Signatory ----------------------------------------------------------------


def test_party_needs_a_country_or_an_institution():
    party = Party(agreement=AgreementFactory())

    assert errors_of(party) == {"country": ["Choose a country, an institution, or both."]}


def test_party_institution_of_another_country():
    authority = OrganisationFactory(name="Kenya Ports Authority", acronym="KPA", country=country("KEN"))
    party = Party(agreement=AgreementFactory(), country=country("UGA"), institution=authority)

    assert errors_of(party) == {
        "institution": ["Kenya Ports Authority (KPA) belongs to Kenya, not to this party's country."]
    }


@pytest.mark.parametrize(
    "institution",
    [
        {"country": "KEN"},
        {"intergovernmental": True},
    ],
    ids=["same-country", "intergovernmental"],
)
def test_party_institution_of_its_own_country_or_of_none(institution):
    if "country" in institution:
        institution = {"country": country(institution["country"])}
    party = Party(agreement=AgreementFactory(), country=country("KEN"), institution=OrganisationFactory(**institution))

    assert errors_of(party) == {}


def test_party_institution_alone_is_accepted():
    party = Party(agreement=AgreementFactory(), institution=OrganisationFactory(intergovernmental=True))

    assert errors_of(party) == {}


@pytest.mark.parametrize("field", PARTY_DATES)
def test_party_date_must_be_first_day_of_its_precision(field):
    party = Party(agreement=AgreementFactory(), country=country("KEN"))
    setattr(party, field, dt.date(2020, 3, 15))
    setattr(party, field.removesuffix("_on") + "_precision", DatePrecision.MONTH)

    assert errors_of(party) == {field: ["A date known only to the month is entered as its first day (2020-03-01)."]}


@pytest.mark.parametrize(("earlier", "later"), PARTY_DATE_ORDER)
def test_party_dates_out_of_order_are_reported_on_the_later_field(earlier, later):
    party = Party(agreement=AgreementFactory(), country=country("KEN"), **{earlier: LATE, later: EARLY})
    label = Party._meta.get_field(earlier).verbose_name

    assert errors_of(party) == {later: [f"Must not be before the {label} (2020-06-02)."]}


def test_signatory_organisation_of_another_country():
    ministry = OrganisationFactory(name="Ministry of Trade", acronym="", country=country("KEN"))
    signatory = Signatory(
        agreement=AgreementFactory(), name="A. Minister", country=country("UGA"), organisation=ministry
    )

    assert errors_of(signatory) == {
        "organisation": ["Ministry of Trade belongs to Kenya, not to this signatory's country."]
    }


@pytest.mark.parametrize(
    ("signatory_country", "organisation"),
    [("KEN", {"country": "KEN"}), ("KEN", {"intergovernmental": True}), (None, {"country": "KEN"})],
    ids=["same-country", "intergovernmental", "no-country"],
)
def test_signatory_organisation_accepted(signatory_country, organisation):
    if "country" in organisation:
        organisation = {"country": country(organisation["country"])}
    signatory = Signatory(
        agreement=AgreementFactory(),
        name="A. Minister",
        country=country(signatory_country) if signatory_country else None,
        organisation=OrganisationFactory(**organisation),
    )

    assert errors_of(signatory) == {}


# Organisation, Source, BlocMembership, AgreementRelation --------------------------------


def test_organisation_intergovernmental_has_no_country():
    organisation = OrganisationFactory.build(kind="intergovernmental", country=country("KEN"))

    assert errors_of(organisation) == {"country": ["An intergovernmental body belongs to no single country."]}


def test_organisation_not_its_own_parent():
    organisation = OrganisationFactory()
    organisation.parent = organisation

    assert errors_of(organisation) == {"parent": ["An organisation cannot be its own parent."]}


def test_organisation_with_another_parent_is_accepted():
    organisation = OrganisationFactory(parent=OrganisationFactory())

    assert errors_of(organisation) == {}


def test_source_accessed_before_published():
    source = SourceFactory.build(published_on=LATE, accessed_on=EARLY)

    assert errors_of(source) == {"accessed_on": ["A source cannot be accessed before it was published."]}


def test_source_accessed_on_the_day_it_was_published():
    source = SourceFactory.build(published_on=EARLY, accessed_on=EARLY)

    assert errors_of(source) == {}


def test_blocmembership_left_before_joined():
    membership = BlocMembershipFactory.build(joined_on=dt.date(2001, 1, 1), left_on=dt.date(2000, 1, 1))

    assert errors_of(membership) == {"left_on": ["Must not be before the date joined (2001-01-01)."]}


@pytest.mark.parametrize("field", ["joined_on", "left_on"])
def test_blocmembership_date_must_be_first_day_of_its_precision(field):
    membership = BlocMembershipFactory.build(
        **{"joined_on": None, field: dt.date(2001, 5, 1), field.removesuffix("_on") + "_precision": "year"}
    )

    assert errors_of(membership) == {field: ["A date known only to the year is entered as its first day (2001-01-01)."]}


def test_blocmembership_with_dates_in_order_is_accepted():
    membership = BlocMembership(joined_on=dt.date(2000, 1, 1), left_on=dt.date(2000, 1, 1))

    assert errors_of(membership) == {}


def test_relation_to_itself():
    agreement = AgreementFactory()
    relation = AgreementRelation(from_agreement=agreement, kind="amends", to_agreement=agreement)

    assert errors_of(relation) == {"to_agreement": ["An agreement cannot be related to itself."]}


def test_relation_to_another_agreement_is_accepted():
    relation = AgreementRelation(from_agreement=AgreementFactory(), kind="amends", to_agreement=AgreementFactory())

    assert errors_of(relation) == {}
