"""Response headers Django's own middleware does not set, the client's address
behind a reverse proxy, and a clean 503 while the database is unreachable."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)

# Pages load only their own scripts, styles and images: no inline code, no CDN.
# Chart data travels in json_script blocks (type application/json), which CSP allows.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=()"
# What a client is told to wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 30


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client, as far as this deployment can vouch for it.

    With ``TRUSTED_PROXY_COUNT = 0`` (no proxy), REMOTE_ADDR: X-Forwarded-For is
    whatever the client wrote. With N trusted proxies, each appending the address
    it saw, the N-th entry from the right of X-Forwarded-For is the address the
    outermost trusted proxy saw; anything left of it came from the client and is
    ignored. A header with fewer entries than that did not come through the
    proxies as configured: REMOTE_ADDR then. Used by django-axes (AXES_CLIENT_IP_CALLABLE).
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The page django-axes shows a locked-out sign-in (AXES_LOCKOUT_CALLABLE): the admin's
    own look (its header and title), what happened, for how long, and how to get unlocked."""
    from axes.helpers import get_client_username, get_cool_off, get_failure_limit
    from django.contrib import admin
    from django.shortcuts import render

    context = {
        **admin.site.each_context(request),
        "failure_limit": get_failure_limit(request, credentials),
        "username": get_client_username(request, credentials) or "",
        "cooloff_timedelta": get_cool_off(request),
    }
    # django-axes puts its defaults on settings at start-up (axes.conf); django-stubs knows only tradepacts.settings.
    return render(request, "lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)  # type: ignore[misc]


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with a page that says what happened; rendered without touching the database
    (no request context: ``user`` would read the session table)."""
    content = loader.render_to_string("503.html")
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database (a restart, a failover) answers 503
    "try again shortly" rather than a 500: the failure is the service's, brief, and
    the next request reconnects (CONN_HEALTH_CHECKS drops the broken connection).
    Bugs still surface as 500: only connection-level errors are caught."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError) or not _is_connection_error(exception):
            return None
        logger.error("Database unavailable for %s %s: %s", request.method, request.path, exception)
        return database_unavailable(request)


# psycopg's SQLSTATE classes for "the connection is gone or refused", as opposed to
# a lock timeout or a deadlock (also OperationalError, but bugs or load to look at).
_CONNECTION_SQLSTATES = ("08", "57P")


def _is_connection_error(error: Exception) -> bool:
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return sqlstate.startswith(_CONNECTION_SQLSTATES)
    if type(cause).__module__.startswith("psycopg"):
        return True  # no SQLSTATE: psycopg could not connect, or lost the socket
    return "database is locked" in str(error)  # SQLite: a writer held it past the timeout
