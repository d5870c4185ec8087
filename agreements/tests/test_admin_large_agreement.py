"""A 106-party agreement (shaped like the Cotonou Agreement) in the admin: its
change page costs the same few queries whatever the number of rows, shows each
country as its code and each institution by name, and saves unchanged."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import Agreement
from agreements.synthetic.large import build_large_agreement
from agreements.tests.admin_helpers import page_data

pytestmark = pytest.mark.django_db


def change_url(agreement: Agreement) -> str:
    return reverse("admin:agreements_agreement_change", args=[agreement.pk])


def queries_for_change_page(client, agreement: Agreement) -> int:
    client.get(change_url(agreement))  # sessions, content types and the like: cached after the first
    with CaptureQueriesContext(connection) as queries:
        response = client.get(change_url(agreement))
    assert response.status_code == 200
    return len(queries)


def test_the_change_page_of_106_parties_costs_a_fixed_number_of_queries(admin_client):
    small = build_large_agreement(parties=5, title="Small agreement")
    large = build_large_agreement(parties=106)

    small_count = queries_for_change_page(admin_client, small)
    large_count = queries_for_change_page(admin_client, large)

    assert large_count == small_count
    assert large_count <= 25


def test_rows_show_codes_and_names_without_select_boxes(admin_client):
    agreement = build_large_agreement(parties=106)

    page = admin_client.get(change_url(agreement)).content.decode()

    assert page.count('list="country-codes"') == 2 * 106 + 2  # parties, signatories, and each empty row
    assert page.count('<datalist id="country-codes">') == 1
    first = agreement.parties.select_related("country").order_by("country__iso3").first()
    assert f'value="{first.country.iso3}"' in page
    assert page.count("Ministry of Trade") >= 2 * 106  # each row's institution and organisation, by name
    assert "admin-autocomplete" not in page.split('id="parties-group"')[1].split('id="citations-group"')[0]
    assert page.count("<option") < 1000  # one list of countries (not 250 options a row), each row's three roles


def test_the_large_agreement_saves_unchanged(admin_client):
    agreement = build_large_agreement(parties=106)
    data = page_data(admin_client.get(change_url(agreement)))

    response = admin_client.post(change_url(agreement), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert agreement.parties.count() == 106
    assert agreement.signatories.filter(country__isnull=False, organisation__isnull=False).count() == 106
