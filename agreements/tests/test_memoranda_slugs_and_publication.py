"""The model behaviour the admin and the public pages rely on: the memoranda manager,
slugs, drafts and publication."""

import datetime as dt

import pytest

from agreements.models import Agreement, Memorandum
from agreements.tests.clean_helpers import EARLY
from agreements.tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db


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
