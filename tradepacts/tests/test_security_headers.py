"""Security headers on public pages and the admin."""

import pytest

from tradepacts.middleware import CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("url", ["/", "/admin/login/"])
def test_security_headers(client, db, url):
    response = client.get(url, secure=True)

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "camera=()" in response["Permissions-Policy"]


def test_favicon_redirects_to_the_static_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")


def test_health_answers_ok(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.content == b"ok"
