"""Security headers on public pages, the admin, and error pages; and with the
production settings (DEBUG off, a real host), HTTPS enforced with HSTS."""

import json

import psycopg
import pytest
from django.db import OperationalError

from tradepacts.middleware import CONTENT_SECURITY_POLICY
from tradepacts.tests.test_settings import production, run_python


def assert_security_headers(response) -> None:
    csp = response["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("url", ["/", "/agreements/", "/admin/login/", "/health/"])
def test_security_headers(client, db, url):
    response = client.get(url, secure=True)

    assert response.status_code == 200
    assert_security_headers(response)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_error_pages_carry_the_headers_too(client, db):
    response = client.get("/agreements/no-such-agreement/", secure=True)
    assert response.status_code == 404
    assert_security_headers(response)


def database_error(cause: Exception) -> OperationalError:
    """What Django raises over a psycopg error: its own class, the driver's as the cause."""
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    "cause",
    [
        psycopg.OperationalError("connection failed: Connection refused"),  # no SQLSTATE: could not connect
        psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
        psycopg.errors.ConnectionFailure("server closed the connection unexpectedly"),
    ],
)
def test_a_database_outage_gives_a_503_page_with_the_headers(client, db, monkeypatch, cause):
    from tradepacts import views

    def unreachable():
        raise database_error(cause)

    monkeypatch.setattr(views.Agreement.objects, "exists", unreachable)
    response = client.get("/health/", secure=True)

    assert response.status_code == 503
    assert response["Retry-After"] == "30" and response["Cache-Control"] == "no-store"
    assert "Temporarily unavailable" in response.content.decode()
    assert_security_headers(response)


def test_other_database_errors_are_not_disguised_as_an_outage(client, db, monkeypatch):
    """A lock timeout is a problem to look at, not a restart to wait out: a 500, logged."""
    from tradepacts import views

    def locked():
        raise database_error(psycopg.errors.LockNotAvailable("canceling statement due to lock timeout"))

    monkeypatch.setattr(views.Agreement.objects, "exists", locked)
    client.raise_request_exception = False
    assert client.get("/health/", secure=True).status_code == 500


# The production settings, loaded in a fresh interpreter (tradepacts.tests.test_settings):
# a request through Django's test client with DEBUG off and a real host name.
PRODUCTION_REQUESTS = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="tradepacts.example.org")
plain = client.get("/favicon.ico")
secure = client.get("/favicon.ico", secure=True)
print(json.dumps({
    "debug": settings.DEBUG,
    "plain": [plain.status_code, plain.headers.get("Location"), plain.headers.get("Strict-Transport-Security")],
    "secure": dict(secure.headers),
    "cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
}))
"""


def test_production_settings_force_https_with_hsts():
    result = run_python(PRODUCTION_REQUESTS, **production(DATABASE_URL="sqlite:////tmp/tradepacts-hsts.sqlite3"))
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])

    assert seen["debug"] is False
    status, location, hsts = seen["plain"]
    assert (status, location) == (301, "https://tradepacts.example.org/favicon.ico")
    assert hsts is None, "HSTS is only meaningful (and only sent) over HTTPS"
    headers = seen["secure"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert seen["cookies"] == [True, True]


def test_development_sends_no_hsts():
    """A developer's browser must not pin HTTPS on localhost."""
    result = run_python(PRODUCTION_REQUESTS.replace("tradepacts.example.org", "localhost"), DEBUG="1")
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen["plain"][0] == 301 and seen["plain"][1].startswith("/static/")
    assert "Strict-Transport-Security" not in seen["secure"]


def test_favicon_redirects_to_the_static_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")


def test_health_answers_ok(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.content == b"ok"
