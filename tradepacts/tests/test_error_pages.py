"""404, 500 and 503 pages in the site's look (base.html: the navigation, a search box),
saying what happened and nothing about why: no path, exception text or traceback."""

import psycopg
import pytest
from django.db import OperationalError
from django.test import override_settings
from django.urls import path

from tradepacts.middleware import database_unavailable
from tradepacts.urls import urlpatterns as site_urls

SECRET = "s3cr3t-detail-from-the-exception"


def broken(request):
    raise RuntimeError(f"{SECRET} in /srv/tradepacts/agreements/views.py")


def database_down(request):
    raise OperationalError(SECRET) from psycopg.OperationalError(f"connection refused: {SECRET}")


urlpatterns = [path("broken/", broken), path("database-down/", database_down), *site_urls]


def assert_site_page(html: str, title: str) -> None:
    assert f"<h1>{title}</h1>" in html
    assert '<nav aria-label="Main">' in html and 'href="/agreements/">Agreements</a>' in html
    assert 'href="/countries/">Countries</a>' in html and 'href="/corridors/">Corridors</a>' in html
    assert '<form class="search-box" method="get" action="/agreements/" role="search">' in html
    assert '<input type="search" id="search-box-q" name="q"' in html
    assert "/static/css/site" in html
    assert SECRET not in html and "Traceback" not in html and "/srv/" not in html


@pytest.mark.django_db
def test_404_is_a_site_page_that_does_not_echo_the_address(client):
    response = client.get(f"/no/such/page/{SECRET}/")
    assert response.status_code == 404
    assert_site_page(response.content.decode(), "Page not found")


@pytest.mark.django_db
def test_a_draft_or_unknown_agreement_is_the_same_404(client):
    response = client.get(f"/agreements/{SECRET}/")
    assert response.status_code == 404
    assert_site_page(response.content.decode(), "Page not found")


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_500_is_a_site_page_without_the_error(client):
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert_site_page(html, "Something went wrong")
    assert "RuntimeError" not in html


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_503_is_a_site_page_with_retry_after_and_without_the_error(client):
    response = client.get("/database-down/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert_site_page(response.content.decode(), "Temporarily unavailable")


def test_the_503_page_renders_without_a_database(rf):
    # No django_db mark: pytest-django fails any database access here.
    response = database_unavailable(rf.get("/"))
    assert_site_page(response.content.decode(), "Temporarily unavailable")
