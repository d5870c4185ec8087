"""Redis, as the page cache, unreachable: readers still get pages and curators'
saves still succeed; the cache is a shortcut, never a dependency.

(The whole outage, broker included, against real processes is the fault drill
``python -m tradepacts.ops.faults redis_down``.)
"""

import pytest
from django.core.cache import cache

from agreements.models import Topic
from tradepacts import pagecache

# Nothing listens on port 1: every cache call fails at once with "connection refused".
UNREACHABLE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


@pytest.fixture
def cache_down(settings):
    settings.CACHES = UNREACHABLE
    settings.PAGE_CACHE_SECONDS = 300
    with pytest.raises(Exception, match=r"(?i)connect"):
        cache.get("anything")


def test_readers_get_pages_rendered_afresh(client, db, cache_down, caplog):
    # How long the page takes with the cache down (target under 5 s) is figure e of make bench.
    response = client.get("/agreements/?party=KEN")

    assert response.status_code == 200
    assert "Page cache unreachable, rendering /agreements/" in caplog.text


def test_a_write_succeeds_and_is_committed(db, cache_down, caplog, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Topic.objects.create(slug="port-community-systems", name="Port community systems")

    assert Topic.objects.filter(slug="port-community-systems").exists()
    assert "data version not bumped" in caplog.text


def test_bump_data_version_never_raises(cache_down, db):
    pagecache.bump_data_version()  # outside a transaction: bumps now and "on commit" at once


def test_the_list_reads_its_reference_lists_afresh_without_the_cache(client, db, cache_down):
    # No data version to hold them under: read for every request, never stale.
    Topic.objects.create(name="Fisheries", slug="fisheries")
    assert 'value="fisheries"' in client.get("/agreements/").content.decode()
    Topic.objects.create(name="Forestry", slug="forestry")
    assert 'value="forestry"' in client.get("/agreements/").content.decode()
