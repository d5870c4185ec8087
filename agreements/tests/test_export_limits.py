"""Exports that finish or say they did not, and no more than EXPORTS_PER_CLIENT at once
from one client: a stream cut half-way never ends with the completion trailer (and the
server logs the cut), and one export too many is a 429 with Retry-After."""

import logging
import threading

import pytest
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import close_old_connections

from agreements.tests.factories import AgreementFactory, bilateral
from agreements.views import exports as views
from tradepacts.csv import TRAILER_PREFIX, Copied, complete_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def hang_up(response) -> None:
    """What the WSGI server does when a client goes away: close the response. (Without
    close_old_connections, which would close the test's own database connection.)"""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


@pytest.fixture
def agreements():
    return [AgreementFactory(published=True) for _ in range(5)]


def test_a_complete_file_ends_with_the_trailer_that_counts_its_rows(client, agreements):
    body = b"".join(client.get("/agreements/export.csv").streaming_content)
    assert body.rstrip(b"\r\n").endswith(f"{TRAILER_PREFIX}5 rows".encode())
    assert complete_rows(body) == 5


def test_a_stream_cut_half_way_has_no_trailer_and_the_server_logs_the_cut(client, agreements, monkeypatch, caplog):
    table = views.export_table

    def failing(queryset, list_url):
        """The export's rows, then the database goes away half-way (whichever path writes them)."""
        rows = table(queryset, list_url)
        if isinstance(rows, Copied):
            whole = b"".join(rows.chunks)
            return Copied(then_fail([whole[: len(whole) // 2]]), rows.rows)
        return then_fail(list(rows)[:3])

    def then_fail(items):
        yield from items
        raise ConnectionError("the database went away")

    monkeypatch.setattr(views, "export_table", failing)
    response = client.get("/agreements/export.csv")
    assert response.status_code == 200  # the status went out with the first bytes
    received = b""
    with caplog.at_level(logging.ERROR, logger="tradepacts.csv"), pytest.raises(ConnectionError):
        for chunk in response.streaming_content:  # the server ends the response here
            received += chunk

    assert received.startswith(b"\xef\xbb\xbfid,title,")
    assert complete_rows(received) is None
    assert TRAILER_PREFIX.encode() not in received
    assert "cut after" in caplog.text and "the rest was not written" in caplog.text


def test_a_client_that_goes_away_is_logged_as_a_cut(client, agreements, caplog):
    response = client.get("/agreements/export.csv")
    next(iter(response.streaming_content))  # the header, then the client closes the connection
    with caplog.at_level(logging.WARNING, logger="tradepacts.csv"):
        hang_up(response)
    assert "cut after 0 " in caplog.text and "the client closed the connection" in caplog.text


def test_one_export_too_many_from_a_client_is_a_429_with_retry_after(client, agreements, settings):
    settings.EXPORTS_PER_CLIENT = 2
    first = client.get("/agreements/export.csv")
    second = client.get("/countries/RWA/KEN/trade.csv")
    third = client.get("/agreements/export.csv?kind=mou")

    assert first.status_code == second.status_code == 200
    assert third.status_code == 429
    assert third["Retry-After"] == "10"
    assert "at most 2 from one address" in third.content.decode()

    # Another client is not affected; and once one download is closed, the place is free again.
    assert client.get("/agreements/export.csv", REMOTE_ADDR="198.51.100.7").status_code == 200
    hang_up(first)
    fourth = client.get("/agreements/export.csv")
    assert fourth.status_code == 200
    assert complete_rows(b"".join(fourth.streaming_content)) == 5
    for response in (second, fourth):
        hang_up(response)


def test_a_refused_filter_and_a_finished_download_hold_no_place(client, agreements, settings):
    settings.EXPORTS_PER_CLIENT = 1
    assert client.get("/agreements/export.csv?party=XYZ").status_code == 400
    done = client.get("/agreements/export.csv")
    b"".join(done.streaming_content)  # the test client closes it at the end
    again = client.get("/agreements/export.csv")
    assert again.status_code == 200
    hang_up(again)


def test_the_cap_counts_across_processes_through_the_shared_cache(client, agreements, settings):
    settings.EXPORTS_PER_CLIENT = 1
    bilateral("RWA", "KEN", published=True)
    # Another web process's download from this address, as the shared cache records it.
    cache.add("slot:export:127.0.0.1:0", "another-process", timeout=60)
    assert client.get("/agreements/export.csv").status_code == 429


def test_the_sites_downloads_queue_and_one_past_the_wait_is_a_503(client, agreements, settings):
    settings.EXPORTS_AT_ONCE, settings.EXPORT_QUEUE_SECONDS = 1, 0
    first = client.get("/agreements/export.csv")
    other = client.get("/agreements/export.csv", REMOTE_ADDR="198.51.100.7")

    assert first.status_code == 200
    assert other.status_code == 503
    assert other["Retry-After"] == "60"
    assert "busy with other downloads" in other.content.decode()
    # The refused one freed its client's place; the first, once closed, the site's.
    hang_up(first)
    again = client.get("/agreements/export.csv", REMOTE_ADDR="198.51.100.7")
    assert again.status_code == 200
    assert complete_rows(b"".join(again.streaming_content)) == 5


def test_a_queued_download_starts_when_a_place_frees():
    from tradepacts.locking import take_slot, wait_for_slot

    held = take_slot("export:site-test", 1, 60)
    assert held is not None
    assert wait_for_slot("export:site-test", 1, 60, wait_seconds=0) is None
    threading.Timer(0.2, held.release).start()
    waited = wait_for_slot("export:site-test", 1, 60, wait_seconds=10)
    assert waited is not None
    waited.release()
