"""Anonymous readers get cached list pages, never one older than the last change."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import Agreement, Party
from agreements.search import reindex
from agreements.tests.factories import country


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 300


def add_mou(title: str) -> Agreement:
    agreement = Agreement.objects.create(
        title=title, kind="mou", status="signed", signed_on=dt.date(2026, 1, 22), is_published=True
    )
    Party.objects.create(agreement=agreement, country=country("RWA"))
    Party.objects.create(agreement=agreement, country=country("KEN"))
    return agreement


def test_a_second_reader_is_served_from_the_cache(client, db, page_cache):
    add_mou("Ports MoU")
    first = client.get("/agreements/?party=KEN")
    with CaptureQueriesContext(connection) as queries:
        second = client.get("/agreements/?party=KEN")
    assert second.status_code == 200
    assert second.content == first.content
    assert len(queries) == 0
    assert second["Content-Security-Policy"]


def test_a_change_through_the_orm_shows_at_once(client, db, page_cache):
    agreement = add_mou("Ports MoU")
    assert "Ports MoU" in client.get("/agreements/").content.decode()
    agreement.title = "Renamed MoU"
    agreement.save()
    assert "Renamed MoU" in client.get("/agreements/").content.decode()
    agreement.unpublish()
    assert "Renamed MoU" not in client.get("/agreements/").content.decode()


def test_a_bulk_write_followed_by_reindex_shows_at_once(client, db, page_cache):
    agreement = add_mou("Ports MoU")
    assert "Ports MoU" not in client.get("/agreements/?q=liaison").content.decode()  # now cached
    Agreement.objects.filter(pk=agreement.pk).update(title="Liaison office MoU")  # no signal
    reindex([agreement.pk])
    assert "Liaison office MoU" in client.get("/agreements/?q=liaison").content.decode()


def test_staff_always_get_a_fresh_page(admin_client, page_cache):
    add_mou("Ports MoU")
    admin_client.get("/agreements/")
    with CaptureQueriesContext(connection) as queries:
        admin_client.get("/agreements/")
    assert len(queries) > 0


@pytest.mark.parametrize("path", ["/countries/KEN/", "/countries/KEN/RWA/"])
def test_country_and_pair_pages_are_cached_until_a_change(client, db, page_cache, path):
    add_mou("Ports MoU")
    first = client.get(path)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(path)
    assert second.status_code == 200
    assert second.content == first.content
    assert len(queries) == 0

    add_mou("Rail MoU")
    assert "Rail MoU" in client.get(path).content.decode()
