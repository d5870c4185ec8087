"""The rules ``clean()`` checks, with the message a curator sees on each field;
and the model behaviour the admin and the public pages rely on."""

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.models import Agreement, AgreementRelation, BlocMembership, Memorandum, Party, Signatory
from agreements.models.agreements import AGREEMENT_DATE_ORDER, AGREEMENT_DATES, PARTY_DATE_ORDER, PARTY_DATES
from agreements.models.dates import DatePrecision
from agreements.tests.factories import (
    AgreementFactory,
    BlocMembershipFactory,
    OrganisationFactory,
    SourceFactory,
    country,
)

pytestmark = pytest.mark.django_db

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
    ("terminated", {}, "ended_on", "An agreement that is terminated needs its date ended (the year is enough)."),
    ("expired", {}, "ended_on", "An agreement that is expired needs its date ended (the year is enough)."),
    ("superseded", {}, "ended_on", "An agreement that is superseded needs its date ended (the year is enough)."),
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


# Memoranda, slugs, publication ---------------------------------------------------------


def test_memorandum_objects_returns_only_memoranda():
    mou = AgreementFactory(kind=Agreement.Kind.MOU)
    AgreementFactory(kind=Agreement.Kind.FTA)

    assert list(Memorandum.objects.all()) == [mou]


def test_saving_a_memorandum_without_kind_makes_it_an_mou():
    memorandum = Memorandum.objects.create(
        title="MoU on the Standard Gauge Railway", signed_on=EARLY, scope="plurilateral"
    )

    assert Agreement.objects.get(pk=memorandum.pk).kind == Agreement.Kind.MOU


def test_memorandum_objects_has_the_agreement_queryset_methods():
    AgreementFactory(kind=Agreement.Kind.MOU, published=True)

    assert Memorandum.objects.published().count() == 1


def test_slug_is_made_from_title_and_signing_year():
    agreement = AgreementFactory(title="Kenya–Rwanda MoU on Trade", signed_on=dt.date(2024, 5, 1))

    assert agreement.slug == "kenyarwanda-mou-on-trade-2024"


def test_same_title_and_year_get_different_slugs():
    first = AgreementFactory(title="Agreement on Transit", signed_on=dt.date(2024, 5, 1))
    second = AgreementFactory(title="Agreement on Transit", signed_on=dt.date(2024, 9, 1))
    third = AgreementFactory(title="Agreement on Transit", signed_on=dt.date(2024, 11, 1))

    assert [first.slug, second.slug, third.slug] == [
        "agreement-on-transit-2024",
        "agreement-on-transit-2024-2",
        "agreement-on-transit-2024-3",
    ]


def test_slug_is_kept_when_the_agreement_is_saved_again():
    agreement = AgreementFactory(title="Agreement on Transit")
    agreement.summary = "Edited."
    agreement.save()

    agreement.refresh_from_db()
    assert agreement.slug == "agreement-on-transit-2024"


def test_factory_makes_a_draft():
    agreement = AgreementFactory()

    assert (agreement.is_published, agreement.published_at) == (False, None)


def test_publish_sets_published_at():
    agreement = AgreementFactory()

    agreement.publish()

    agreement.refresh_from_db()
    assert agreement.is_published
    assert agreement.published_at is not None


def test_published_trait_stamps_published_at():
    agreement = AgreementFactory(published=True)

    assert agreement.published_at is not None


def test_published_excludes_drafts():
    published = AgreementFactory(published=True)
    AgreementFactory()

    assert list(Agreement.objects.published()) == [published]


def test_queryset_publish_publishes_the_drafts_only():
    AgreementFactory(published=True)
    AgreementFactory()
    AgreementFactory()

    assert Agreement.objects.publish() == 2
    assert not Agreement.objects.drafts().exists()
