"""Every path that changes an input of the trade statistics queues exactly one refresh of what it
touched once its transaction commits, and none when it rolls back (issue 14): the bulk admin
actions, publish and unpublish, the agreements CSV (upload and command), the registry imports
(DESTA, the WTO RTA list, GPTAD), the trade and rate imports."""

import gzip
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agreements.imports.desta import import_desta
from agreements.imports.gptad import import_gptad
from agreements.imports.wto_rta import import_wto_rta
from agreements.models import Agreement, Country
from agreements.tests.desta_helpers import EAC, desta_file
from agreements.tests.factories import AgreementFactory, PartyFactory
from agreements.tests.import_helpers import csv_file, row
from tradepacts.tests.upload_helpers import upload_and_confirm

REGISTRY_DATA = Path(__file__).resolve().parents[2] / "data"


def scopes(send) -> list:
    return [call.kwargs["args"][0] for call in send.call_args_list]


def pair(*codes: str) -> list[int]:
    ids = sorted(Country.objects.get(iso3=code).pk for code in codes)
    return ids


@pytest.fixture
def drafts(db):
    """Two drafts between Kenya and Rwanda, and one between Rwanda and Tanzania."""
    made = []
    for a, b in (("KEN", "RWA"), ("KEN", "RWA"), ("RWA", "TZA")):
        agreement = AgreementFactory(is_published=False)
        PartyFactory(agreement=agreement, country=Country.objects.get(iso3=a))
        PartyFactory(agreement=agreement, country=Country.objects.get(iso3=b))
        made.append(agreement)
    return made


def test_bulk_publish_queues_one_refresh_of_the_pairs_after_commit(
    admin_client, drafts, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:agreements_agreement_changelist"),
            {"action": "publish_selected", "_selected_action": [a.pk for a in drafts]},
        )
    assert response.status_code == 302
    assert queued.call_count == 1
    assert scopes(queued) == [sorted([pair("KEN", "RWA"), pair("RWA", "TZA")])]


def test_bulk_return_to_draft_queues_one_refresh(admin_client, drafts, queued, django_capture_on_commit_callbacks):
    Agreement.objects.filter(pk__in=[a.pk for a in drafts]).update(is_published=True, published_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            reverse("admin:agreements_agreement_changelist"),
            {"action": "unpublish_selected", "_selected_action": [drafts[0].pk, drafts[1].pk]},
        )
    assert scopes(queued) == [[pair("KEN", "RWA")]]


@pytest.mark.parametrize("method", ["publish", "unpublish"])
def test_publish_and_unpublish_queue_one_refresh_and_none_on_rollback(
    drafts, queued, method, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        getattr(drafts[2], method)()
        raise RuntimeError("rolled back")
    queued.assert_not_called()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        getattr(drafts[2], method)()
        queued.assert_not_called()  # not before the commit
    assert scopes(queued) == [[pair("RWA", "TZA")]]


def test_the_agreements_csv_command_queues_one_refresh(db, tmp_path, queued, django_capture_on_commit_callbacks):
    path = tmp_path / "agreements.csv"
    path.write_bytes(csv_file(row()))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_agreements", str(path), create_topics=True, stdout=None)
    assert scopes(queued) == [[pair("KEN", "RWA")]]


def test_a_refused_agreements_csv_queues_nothing(db, tmp_path, queued, django_capture_on_commit_callbacks):
    path = tmp_path / "agreements.csv"
    path.write_bytes(csv_file(row(), row(kind="no such kind")))
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception):  # noqa: B017
        call_command("import_agreements", str(path))
    queued.assert_not_called()


def test_the_agreements_csv_upload_queues_one_refresh(admin_client, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload_and_confirm(
            admin_client,
            reverse("admin:agreements_agreement_import"),
            {"file": SimpleUploadedFile("a.csv", csv_file(row()), "text/csv"), "publish": "on", "create_topics": "on"},
        )
    assert scopes(queued) == [[pair("KEN", "RWA")]]


def test_a_desta_import_queues_one_full_refresh_and_a_dry_run_none(db, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_desta(desta_file(*EAC), dry_run=True)
    queued.assert_not_called()
    with django_capture_on_commit_callbacks(execute=True):
        import_desta(desta_file(*EAC))
    assert scopes(queued) == [None]


def _head(name: str, lines: int) -> bytes:
    text = gzip.decompress((REGISTRY_DATA / name).read_bytes()).decode("utf-8")
    return "".join(text.splitlines(keepends=True)[: lines + 1]).encode()


def test_the_wto_and_gptad_imports_queue_one_full_refresh_each(db, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_wto_rta(_head("wto_rta_list_2021-03.csv.gz", 5))
    assert scopes(queued) == [None]
    queued.reset_mock()
    from django.core.cache import cache

    cache.clear()  # the first full refresh's coalescing window
    with django_capture_on_commit_callbacks(execute=True):
        import_gptad(_head("gptad.csv.gz", 5))
    assert scopes(queued) == [None]


def test_a_trade_import_queues_one_refresh_and_a_refused_one_none(
    db, tmp_path, queued, django_capture_on_commit_callbacks
):
    good = tmp_path / "good.csv"
    good.write_text(
        "reporter,partner,year,flow,value,currency\nKEN,UGA,2010,imports,5,USD\nUGA,KEN,2010,imports,7,USD\n"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "reporter,partner,year,flow,value,currency\nRWA,TZA,2010,imports,5,USD\nRWA,XXX,2010,imports,5,USD\n"
    )
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception):  # noqa: B017
        call_command("import_trade_flows", str(bad), "--origin", "wto")
    queued.assert_not_called()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_trade_flows", str(good), "--origin", "cow", stdout=None)
    assert scopes(queued) == [[pair("KEN", "UGA")]]


def test_a_rate_import_queues_one_refresh_of_the_pairs_in_that_currency(
    db, tmp_path, queued, django_capture_on_commit_callbacks
):
    flows = tmp_path / "flows.csv"
    flows.write_text("reporter,partner,year,flow,value,currency\nTZA,RWA,2020,total,5000,TZS\n")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_trade_flows", str(flows), stdout=None)
    from django.core.cache import cache

    cache.clear()
    queued.reset_mock()
    rates = tmp_path / "rates.csv"
    rates.write_text("currency,year,units_per_usd\nTZS,2020,2300\n")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_exchange_rates", str(rates), stdout=None)
    assert scopes(queued) == [[pair("RWA", "TZA")]]
