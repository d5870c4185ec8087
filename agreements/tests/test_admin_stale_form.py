"""No lost update: a change form saved from an older version than the stored
one is refused, says what changed in between, and writes nothing."""

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from agreements.models import Agreement, Country, Party
from agreements.tests.admin_helpers import page_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreement():
    agreement = Agreement.objects.create(
        title="KPA liaison office MoU", kind="mou", scope="plurilateral", status="signed", summary="First summary."
    )
    Party.objects.create(agreement=agreement, country=Country.objects.get(iso3="KEN"))
    return agreement


def curator(name: str) -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser(name, f"{name}@example.org", "x"))
    return client


def url(agreement: Agreement) -> str:
    return reverse("admin:agreements_agreement_change", args=[agreement.pk])


def test_the_older_form_is_refused_with_what_changed(agreement):
    alice, bob = curator("alice"), curator("bob")
    form_a, form_b = page_data(alice.get(url(agreement))), page_data(bob.get(url(agreement)))

    saved = alice.post(url(agreement), form_a | {"summary": "Alice's new summary."})
    refused = bob.post(url(agreement), form_b | {"title": "Bob's new title"})

    assert saved.status_code == 302
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Someone saved this agreement after you opened this page" in page
    assert "alice" in page and "summary: “First summary.” → “Alice&#x27;s new summary.”" in page
    agreement.refresh_from_db()
    assert (agreement.title, agreement.summary) == ("KPA liaison office MoU", "Alice's new summary.")


def test_a_change_to_an_inline_counts_too(agreement):
    alice, bob = curator("alice"), curator("bob")
    form_a, form_b = page_data(alice.get(url(agreement))), page_data(bob.get(url(agreement)))
    form_a |= {"parties-TOTAL_FORMS": "2", "parties-1-country": "RWA"}

    assert alice.post(url(agreement), form_a).status_code == 302
    refused = bob.post(url(agreement), form_b | {"summary": "Bob's summary."})

    assert "Added party Rwanda" in refused.content.decode()
    agreement.refresh_from_db()
    assert agreement.summary == "First summary."


def test_saving_twice_from_fresh_pages_works(admin_client, agreement):
    first = admin_client.post(url(agreement), page_data(admin_client.get(url(agreement))) | {"summary": "One."})
    second = admin_client.post(url(agreement), page_data(admin_client.get(url(agreement))) | {"summary": "Two."})

    assert (first.status_code, second.status_code) == (302, 302)
    agreement.refresh_from_db()
    assert (agreement.summary, agreement.version) == ("Two.", 3)
