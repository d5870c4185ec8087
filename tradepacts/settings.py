"""Settings for tradepacts, read from environment variables (see .env.example).

With nothing set, the app runs on an embedded SQLite file with background jobs
run in-process: the zero-configuration default that `make run` uses. Production
sets DATABASE_URL (PostgreSQL through psycopg 3), CELERY_BROKER_URL (Redis),
SECRET_KEY and ALLOWED_HOSTS; `manage.py check --deploy` then passes cleanly.
"""

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# An optional .env file for local overrides; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=LOCAL_HOSTS)

# A well-known key is only acceptable while the app answers on this machine
# alone. Any deployment that names a real host must bring its own secret.
_DEV_SECRET_KEY = "insecure-development-key-not-for-production-use"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY)
if SECRET_KEY == _DEV_SECRET_KEY and not set(ALLOWED_HOSTS) <= set(LOCAL_HOSTS) | {"testserver"}:
    raise ImproperlyConfigured("SECRET_KEY must be set when ALLOWED_HOSTS names a non-local host.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    "axes",
    "tradepacts",
    "agreements",
    "corridors",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tradepacts.middleware.SecurityHeadersMiddleware",
    # Inside the headers middleware, so its 503 page carries them too.
    "tradepacts.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tradepacts.urls"
WSGI_APPLICATION = "tradepacts.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite (the embedded default): writers wait for each other (timeout, seconds) instead
# of failing with "database is locked"; and the write-ahead log lets readers go on while
# a writer holds a long transaction (an import job writing 100,000 rows): its status page
# and the public pages answer meanwhile. With the default rollback journal, a transaction
# larger than SQLite's page cache locks every reader out until it commits.
SQLITE_OPTIONS = {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"}
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Reuse connections between requests; health checks drop ones a restart broke.
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # QuerySet.iterator() (the CSV export) reads through a server-side cursor, which
    # PostgreSQL plans for its first 10% of rows by default: for a filtered export it
    # then walks the whole "newest first" index, computing every row's tsvector (16 s
    # instead of 50 ms for q=energy&party=FRA on 100,000 agreements). Every cursor
    # here is read to its end, so plan for all of it.
    # work_mem: a country's page ranks its partners' agreements with a window over every
    # party row of its agreements (235,000 for Kenya on the 100,000-agreement bench); with
    # PostgreSQL's 4 MB the sort spilled to disk. 32 MB per sort, for at most the web's
    # threads at once (WEB_WORKERS x WEB_THREADS: 32 by default), fits this machine many times.
    # jit: a page's queries run in milliseconds, and PostgreSQL's JIT compiles any whose estimate
    # passes 100,000: a pair's timeline (its per-row accession test inflates the estimate) spent
    # 40 of its 50 ms compiling on the 100,000-agreement bench. The export sets it off too.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = (
        f"{_options.get('options', '')} -c cursor_tuple_fraction=1.0 -c work_mem=32MB -c jit=off".strip()
    )
else:
    for _name, _value in SQLITE_OPTIONS.items():
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(_name, _value)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared by every web process in production (redis://127.0.0.1:6379/1): the
# page cache's data version must reach all of them.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # An unreachable Redis costs a page or a save a second at most, never a hang
    # (tradepacts.pagecache then renders without the cache).
    CACHES["default"].setdefault("OPTIONS", {}).update({"socket_connect_timeout": 1, "socket_timeout": 2})
# How long an anonymous reader's page may be served from the cache; any write
# to the data makes it stale at once (tradepacts.pagecache). 0 turns it off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)
# The agreement list's counts and facets from bitmaps in memory (agreements.listing_index), kept
# under the same data version: built by a thread of its own after a write (``background``), by the
# request that finds it missing (``inline``: the tests, whose data only their transaction sees), or
# never (``off``: every count in SQL).
LISTING_INDEX = env.str("LISTING_INDEX", default="background")
if LISTING_INDEX not in {"background", "inline", "off"}:
    raise ImproperlyConfigured("LISTING_INDEX must be background, inline or off.")
# CSV downloads one client address may run at once (tradepacts.csv.limit_exports): one more is a 429.
EXPORTS_PER_CLIENT = env.int("EXPORTS_PER_CLIENT", default=2)
if EXPORTS_PER_CLIENT < 1:
    raise ImproperlyConfigured("EXPORTS_PER_CLIENT must be 1 or more.")
# The site's downloads at once (tradepacts.csv.limit_exports): one full export keeps a core
# busy (its query in PostgreSQL), so by default one per two CPUs; the others wait their turn
# for up to EXPORT_QUEUE_SECONDS, then get a 503 with Retry-After.
EXPORTS_AT_ONCE = env.int("EXPORTS_AT_ONCE", default=max(1, (os.cpu_count() or 2) // 2))
EXPORT_QUEUE_SECONDS = env.int("EXPORT_QUEUE_SECONDS", default=120)
if EXPORTS_AT_ONCE < 1:
    raise ImproperlyConfigured("EXPORTS_AT_ONCE must be 1 or more.")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed logins (django-axes): after AXES_FAILURE_LIMIT failures the same username
# from the same client address is refused, even with the right password, until
# AXES_COOLOFF_HOURS have passed or staff unlock it (admin: Axes > Access attempts,
# delete the row; or `manage.py axes_reset_username NAME`). The pair, not the
# username alone, so nobody can lock a curator out from elsewhere by guessing
# wrong on purpose. Attempts are kept in the database, shared by every web process.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
# No start-up banner on stderr: every management command would print it.
AXES_VERBOSE = False
AXES_COOLOFF_TIME = dt.timedelta(hours=env.float("AXES_COOLOFF_HOURS", default=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tradepacts.middleware.lockout_response"  # templates/lockout.html, status 429
# The client address: REMOTE_ADDR, unless TRUSTED_PROXY_COUNT reverse proxies that
# append to X-Forwarded-For stand in front (then the address the outermost of them
# saw). Never the header's left-most entry: any client can write that.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 (no proxy) or the number of proxies in front.")
AXES_CLIENT_IP_CALLABLE = "tradepacts.middleware.client_ip"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Until collectstatic has written its manifest (tests, `make run`), serve the
# source files through the finders; collectstatic itself always writes one.
_COLLECTING = sys.argv[1:2] == ["collectstatic"]
WHITENOISE_USE_FINDERS = DEBUG or not (Path(STATIC_ROOT) / "staticfiles.json").exists()
if DEBUG or (WHITENOISE_USE_FINDERS and not _COLLECTING):
    STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

# A large agreement's admin page posts a dozen fields a row: 106 parties and their
# signatories are over 2,000 (Django's default stops at 1,000).
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=10_000)
# CSV imports (tradepacts.imports, tradepacts.uploads): the largest file an upload
# takes, and where an upload waits for the curator's confirmation and its job.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=200 * 1024 * 1024)
IMPORT_FILES_DIR = env.path("IMPORT_FILES_DIR", default=Path(tempfile.gettempdir()) / "tradepacts-imports")

# Security: on by default outside development, each switchable for a proxy setup.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG and not set(ALLOWED_HOSTS) <= set(LOCAL_HOSTS))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=SECURE_SSL_REDIRECT)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Django's own logger prints with DEBUG on; without this its lines appear twice.
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

# Celery: a Redis broker in production; without one, tasks run in-process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Where import jobs run: "celery" (a worker), "thread" (in the web process: the
# embedded default, with no broker) or "inline" (in the request; the tests).
IMPORT_JOB_RUNNER = env.str("IMPORT_JOB_RUNNER", default="celery" if CELERY_BROKER_URL else "thread")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A message a worker took but never acknowledged (the worker was killed) goes back
# to the queue after this many seconds. It must exceed the longest countdown plus
# CELERY_TASK_TIME_LIMIT, or a slow task would be handed to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
# Publishing with the broker down fails within seconds instead of hanging a save.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_TIMEZONE = TIME_ZONE
# Periodic jobs for `celery beat`; features add their nightly entries here.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
# Trade statistics: a full refresh every night (admin saves and imports queue their pairs at once).
CELERY_BEAT_SCHEDULE["refresh-trade-statistics"] = {
    "task": "agreements.tasks.refresh_trade_statistics_task",
    "schedule": crontab(hour=2, minute=15),
}
# Corridor statistics: a full refresh every night (imports and admin changes queue one at once).
CELERY_BEAT_SCHEDULE["refresh-corridor-statistics"] = {
    "task": "corridors.tasks.refresh_corridor_statistics_task",
    "schedule": crontab(hour=2, minute=45),
}
# Refreshes that could not be queued (broker down) or lost their worker: one full
# refresh queued within minutes of the broker answering again (agreements.runs.catch_up).
CELERY_BEAT_SCHEDULE["catch-up-trade-refresh"] = {
    "task": "agreements.tasks.catch_up_trade_refresh",
    "schedule": crontab(minute="*/5"),
}
CELERY_BEAT_SCHEDULE["catch-up-corridor-refresh"] = {
    "task": "corridors.tasks.catch_up_corridor_refresh",
    "schedule": crontab(minute="*/5"),
}
