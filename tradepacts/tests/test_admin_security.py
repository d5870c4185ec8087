"""Who may reach the admin: failed-login lockout (django-axes) behind a proxy or
not, and every admin and import URL refused to anonymous and non-staff users.

The URL list is generated from the admin's resolver, so an admin view added
later (a model, an upload page) is covered without touching this file.
"""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from tradepacts.middleware import client_ip

LOGIN = "/admin/login/"
PASSWORD = "correct horse battery staple"
FAILURE_LIMIT = 5


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Dozens of logins: the cheap hasher (what is tested is the counting, not the hash)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def curator(db):
    return get_user_model().objects.create_user("curator", password=PASSWORD, is_staff=True)


@pytest.fixture
def other_curator(db):
    return get_user_model().objects.create_user("other", password=PASSWORD, is_staff=True)


def login(client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, username: str, times: int, **extra) -> list[int]:
    return [login(client, username, "wrong password", **extra).status_code for _ in range(times)]


# --- lockout ---------------------------------------------------------------------------------


def test_the_settings_lock_after_five_failures_for_an_hour(settings):
    assert settings.AXES_FAILURE_LIMIT == FAILURE_LIMIT
    cool_off = settings.AXES_COOLOFF_TIME
    assert cool_off == timedelta(hours=1)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_failures_below_the_limit_show_the_login_form_again(client, curator):
    statuses = fail(client, "curator", FAILURE_LIMIT - 1)

    assert statuses == [200] * (FAILURE_LIMIT - 1)
    response = login(client, "curator", PASSWORD)
    assert response.status_code == 302 and logged_in(client), "not locked yet"


def test_the_fifth_failure_locks_the_account_with_a_clear_page(client, curator):
    statuses = fail(client, "curator", FAILURE_LIMIT)

    assert statuses == [200] * (FAILURE_LIMIT - 1) + [429]
    response = login(client, "curator", "wrong again")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in locked" in page and "curator" in page
    assert "1:00:00" in page, "says how long the lock lasts"
    assert "tradepacts curation" in page, "in the admin's own look"
    assert 'name="password"' not in page, "no form to keep guessing with"
    assert response["Content-Security-Policy"]


def test_the_right_password_is_refused_while_locked(client, curator):
    fail(client, "curator", FAILURE_LIMIT)

    response = login(client, "curator", PASSWORD)

    assert response.status_code == 429
    assert not logged_in(client)
    assert client.get("/admin/").status_code == 302, "still sent to the login page"


def test_other_users_on_the_same_address_are_unaffected(client, curator, other_curator):
    fail(client, "curator", FAILURE_LIMIT)

    response = login(client, "other", PASSWORD)

    assert response.status_code == 302 and logged_in(client)


def test_the_same_user_from_another_address_is_unaffected(client, curator):
    """Locking the pair, not the username: guessing wrong on purpose from elsewhere
    cannot lock a curator out."""
    fail(client, "curator", FAILURE_LIMIT, REMOTE_ADDR="203.0.113.9")

    assert login(client, "curator", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    response = login(client, "curator", PASSWORD, REMOTE_ADDR="198.51.100.20")
    assert response.status_code == 302 and logged_in(client)


def test_a_successful_login_resets_the_count(client, curator):
    fail(client, "curator", FAILURE_LIMIT - 1)
    assert login(client, "curator", PASSWORD).status_code == 302
    client.logout()

    assert fail(client, "curator", FAILURE_LIMIT - 1) == [200] * (FAILURE_LIMIT - 1)
    assert login(client, "curator", PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, curator):
    fail(client, "curator", FAILURE_LIMIT)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(hours=1, minutes=1))

    response = login(client, "curator", PASSWORD)

    assert response.status_code == 302 and logged_in(client)


def test_axes_reset_unlocks_from_the_command_line(client, curator):
    fail(client, "curator", FAILURE_LIMIT)

    call_command("axes_reset_username", "curator")

    assert login(client, "curator", PASSWORD).status_code == 302


def test_a_superuser_unlocks_in_the_admin(client, curator, admin_client):
    fail(client, "curator", FAILURE_LIMIT)
    attempt = AccessAttempt.objects.get(username="curator")
    changelist = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200 and "curator" in changelist.content.decode()

    response = admin_client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    assert response.status_code == 302 and not AccessAttempt.objects.exists()
    assert login(client, "curator", PASSWORD).status_code == 302


# --- the client address behind a proxy -------------------------------------------------------


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, curator, settings):
    """A client rotating a forged header gets no fresh address per attempt."""
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(FAILURE_LIMIT):
        login(client, "curator", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

    response = login(client, "curator", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200")

    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_behind_a_trusted_proxy_the_forwarded_address_is_locked(client, curator, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    fail(client, "curator", FAILURE_LIMIT, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)

    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    # A forged entry left of what the proxy appended changes nothing.
    forged = login(client, "curator", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.7", **proxy)
    assert forged.status_code == 429
    # Another client behind the same proxy is not locked out.
    response = login(client, "curator", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.4", **proxy)
    assert response.status_code == 302 and logged_in(client)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.2"),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "192.0.2.1, 203.0.113.7", "203.0.113.7"),
        (2, "192.0.2.1, 203.0.113.7, 10.0.0.3", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.2"),  # fewer entries than proxies: not through them
        (1, "", "10.0.0.2"),
    ],
)
def test_client_ip(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


# --- every admin URL, refused ------------------------------------------------------------------

# Public by design: the login form itself, and logout (which reveals nothing).
OPEN = {"admin:login", "admin:logout"}


def sample_arguments(pattern: URLPattern) -> tuple[list[str], dict[str, str]]:
    """A value for each argument of a pattern: "1" for ids, the first choice of a regex
    alternation (app_label); unnamed regex groups (simple-history's) are positional."""
    regex = re.compile(pattern.pattern.regex.pattern)
    if not regex.groupindex:
        return ["1"] * regex.groups, {}
    kwargs = {}
    converters = getattr(pattern.pattern, "converters", {})
    for name in regex.groupindex:
        if name in converters:
            kwargs[name] = "1"
            continue
        group = re.search(rf"\(\?P<{name}>([^)]*)\)", pattern.pattern.regex.pattern).group(1)
        kwargs[name] = group.split("|")[0]
    return [], kwargs


def walk(patterns, prefix: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += walk(entry.url_patterns, prefix + (f"{entry.namespace}:" if entry.namespace else ""))
        elif entry.name:
            found.append((prefix + entry.name, entry))
    return found


def admin_urls() -> list[tuple[str, str]]:
    """(name, URL) of every named view in the admin: each registered model's
    changelist, add, change, delete and history, the custom upload views, and the site's own."""
    urls = []
    for name, pattern in walk(admin.site.get_urls(), "admin:"):
        if name in OPEN:
            continue
        args, kwargs = sample_arguments(pattern)
        urls.append((name, reverse(name, args=args, kwargs=kwargs)))
    return sorted(set(urls))


ADMIN_URLS = admin_urls()


def test_the_generated_list_covers_models_and_uploads():
    names = {name for name, _ in ADMIN_URLS}
    for model in admin.site._registry:
        base = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert {f"{base}_changelist", f"{base}_add", f"{base}_change", f"{base}_delete", f"{base}_history"} <= names
    imports = {name for name in names if "import" in name}
    assert len(imports) >= 3, f"the CSV and DESTA uploads: {imports}"
    assert "admin:index" in names and "admin:axes_accessattempt_changelist" in names


def assert_sent_to_login(response, url: str) -> None:
    assert response.status_code == 302, f"{url}: {response.status_code}"
    assert response["Location"].startswith(f"{LOGIN}?next="), f"{url} -> {response['Location']}"


@pytest.mark.parametrize(("name", "url"), ADMIN_URLS, ids=[name for name, _ in ADMIN_URLS])
def test_anonymous_users_are_sent_to_the_login_page(client, db, name, url):
    assert_sent_to_login(client.get(url), url)
    assert_sent_to_login(client.post(url, {"post": "yes"}), url)


@pytest.mark.parametrize(("name", "url"), ADMIN_URLS, ids=[name for name, _ in ADMIN_URLS])
def test_signed_in_users_without_staff_status_are_refused(client, db, name, url):
    client.force_login(get_user_model().objects.create_user("reader"))
    assert_sent_to_login(client.get(url), url)
    assert_sent_to_login(client.post(url, {"post": "yes"}), url)


def test_an_anonymous_upload_writes_nothing(client, db):
    from agreements.models import Agreement

    imports = [url for name, url in ADMIN_URLS if "import" in name]
    csv = b"title,kind,status\nSmuggled,mou,signed\n"
    for url in imports:
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = client.post(url, {"file": SimpleUploadedFile("a.csv", csv, content_type="text/csv")})
        assert_sent_to_login(response, url)
    assert not Agreement.objects.exists()
