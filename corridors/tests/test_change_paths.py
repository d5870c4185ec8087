"""Every path that changes an input of a derived statistic queues, when its transaction commits,
exactly one refresh of each kind of statistic whose inputs it touched, and none when it rolls back
(issue 14, item 4): each admin CSV upload, each import command, the bulk admin actions, publish and
unpublish, for the trade refresh (agreements.tasks) and the corridor refresh (corridors.tasks) alike.

The world: the Northern Corridor (Kenya, Uganda, Rwanda) concerns DESTA's EAC, and a published
Kenya–Rwanda agreement and a Kenya–Rwanda draft; Tanzania reports trade with Rwanda in shillings."""

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from agreements.imports.desta import import_desta
from agreements.models import Agreement, TradeFlow
from agreements.tasks import refresh_trade_statistics_task
from agreements.tests.admin_helpers import page_data
from agreements.tests.desta_helpers import ACCESSION, EAC
from agreements.tests.desta_helpers import desta_file as desta
from agreements.tests.factories import bilateral, country
from agreements.tests.import_helpers import csv_file, row
from agreements.tests.registry_helpers import EAC as WTO_EAC
from agreements.tests.registry_helpers import gptad_file, lines_of, wto_file
from agreements.tests.test_admin import ADD_MOU, kpa_mou_post, reference  # noqa: F401 (a fixture)
from corridors.models import CorridorAgreement
from corridors.tasks import refresh_corridor_statistics_task
from corridors.tests.factories import IndicatorFactory, cargo, corridor_through
from tradepacts.tests.upload_helpers import upload_and_confirm

pytestmark = pytest.mark.django_db


@dataclass
class Sent:
    trade: mock.Mock
    corridor: mock.Mock

    def counts(self) -> tuple[int, int]:
        return self.trade.call_count, self.corridor.call_count

    def reset(self) -> None:
        self.trade.reset_mock()
        self.corridor.reset_mock()
        cache.clear()  # the coalescing windows of what was sent


@pytest.fixture
def sent(monkeypatch):
    """Both refresh tasks' sends to the broker, replaced by mocks."""
    conf = refresh_trade_statistics_task.app.conf
    eager = conf.task_always_eager
    conf.task_always_eager = False  # (monkeypatch cannot restore a Celery setting)
    sends = Sent(mock.Mock(), mock.Mock())
    monkeypatch.setattr(refresh_trade_statistics_task, "apply_async", sends.trade)
    monkeypatch.setattr(refresh_corridor_statistics_task, "apply_async", sends.corridor)
    cache.clear()
    yield sends
    conf.task_always_eager = eager
    cache.clear()


@pytest.fixture
def world(sent, django_capture_on_commit_callbacks):
    """Set up and committed (what it queued sent and forgotten), so a path's batch is its own."""
    with django_capture_on_commit_callbacks(execute=True):
        corridor = corridor_through("KEN", "UGA", "RWA", name="Northern Corridor", slug="northern-corridor")
        cargo()
        IndicatorFactory(slug="transit-time", name="Transit time", unit="hours", additive=False)
        import_desta(desta(*EAC))
        eac = Agreement.objects.get(identifiers__scheme="desta", identifiers__value="787")
        CorridorAgreement.objects.create(corridor=corridor, agreement=eac)
        published = bilateral("KEN", "RWA", is_published=True, title="A published Kenya–Rwanda agreement")
        draft = bilateral("KEN", "RWA", is_published=False, title="A Kenya–Rwanda draft")
        for agreement in (published, draft):
            CorridorAgreement.objects.create(corridor=corridor, agreement=agreement)
        TradeFlow.objects.create(
            reporter=country("TZA"), partner=country("RWA"), year=2020, flow="total", value=5000, currency="TZS"
        )
    sent.reset()
    return {"published": published, "draft": draft}


# --- the files, and the two ways each is imported ------------------------------------------------

AGREEMENT_ROW = row(title="A Kenya–Rwanda MoU on the Northern Corridor", url="", corridors="Northern Corridor")
FILES: dict[str, tuple[str, bytes]] = {
    "agreements": ("agreements.csv", csv_file(AGREEMENT_ROW)),
    "desta": ("desta.csv", desta(*EAC, *ACCESSION)),  # the accession is new, the EAC as it was
    "wto_rta": ("rta.csv", wto_file(WTO_EAC)),  # the WTO's full dates on DESTA's years: the EAC changes
    "gptad": ("gptad.csv", gptad_file(lines_of("gptad")[123])),  # the EAC's claims
    "trade": ("trade.csv", b"reporter,partner,year,flow,value,currency\nKEN,UGA,2010,exports,5,USD\n"),
    "rates": ("rates.csv", b"currency,year,units_per_usd\nTZS,2020,2300\n"),
    "indicators": (
        "figures.csv",
        b"corridor,indicator,country,period,value,unit,source\nnorthern-corridor,cargo,RWA,2024,600000,t,\n",
    ),
}
COMMANDS = {
    "agreements": ["import_agreements", "--create-topics"],
    "desta": ["import_desta"],
    "wto_rta": ["import_wto_rta"],
    "gptad": ["import_gptad"],
    "trade": ["import_trade_flows", "--origin", "wto"],
    "rates": ["import_exchange_rates"],
    "indicators": ["import_corridor_indicators"],
}
UPLOADS = {
    "agreements": ("admin:agreements_agreement_import", {"publish": "on", "create_topics": "on"}),
    "desta": ("admin:agreements_agreement_import_desta", {}),
    "wto_rta": ("admin:agreements_agreement_import_wtorta", {}),
    "gptad": ("admin:agreements_agreement_import_gptad", {}),
    "trade": ("admin:agreements_tradeflow_import", {"source": "Bank of Tanzania"}),
    "rates": ("admin:agreements_exchangerate_import", {}),
    "indicators": ("admin:corridors_indicatorobservation_import", {}),
}
# (trade refreshes, corridor refreshes) each import queues. The trade statistics count published
# agreements in force and convert flows at the year's rate; the corridor statistics read indicator
# figures and the dates of the agreements concerning a corridor. GPTAD adds claims only (the WTO's
# more trusted values stay); its import still queues a full trade refresh, which finds nothing changed.
EXPECTED = {
    "agreements": (1, 1),  # a new agreement, linked to the corridor
    "desta": (1, 0),  # the accession: on no corridor
    "wto_rta": (1, 1),  # the EAC's dates, and it concerns the corridor
    "gptad": (1, 0),
    "trade": (1, 0),
    "rates": (1, 0),  # the shilling figure's pair
    "indicators": (0, 1),
}


def by_command(admin_client: Any, tmp_path: Path, name: str) -> None:
    filename, data = FILES[name]
    path = tmp_path / filename
    path.write_bytes(data)
    command, *options = COMMANDS[name]
    call_command(command, str(path), *options, stdout=None)


def by_upload(admin_client: Any, tmp_path: Path, name: str) -> None:
    filename, data = FILES[name]
    url, form = UPLOADS[name]
    response = upload_and_confirm(
        admin_client, reverse(url), {"file": SimpleUploadedFile(filename, data, "text/csv"), **form}
    )
    assert "Imported " in response.content.decode(), "the file was imported"


@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("way", [by_command, by_upload], ids=["command", "upload"])
def test_each_import_queues_one_refresh_of_what_it_touched_after_commit(
    world, sent, admin_client, tmp_path, django_capture_on_commit_callbacks, name, way
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        way(admin_client, tmp_path, name)
        assert sent.counts() == (0, 0), "nothing before the commit"
    assert sent.counts() == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("way", [by_command, by_upload], ids=["command", "upload"])
def test_a_rolled_back_import_queues_nothing(
    world, sent, admin_client, tmp_path, django_capture_on_commit_callbacks, name, way
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        way(admin_client, tmp_path, name)
        raise RuntimeError("rolled back")
    assert sent.counts() == (0, 0)


def test_the_same_agreements_file_again_queues_nothing(world, sent, tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        by_command(None, tmp_path, "agreements")
    sent.reset()
    exported = Agreement.objects.get(title=AGREEMENT_ROW["title"])
    path = tmp_path / "again.csv"
    path.write_bytes(csv_file({**AGREEMENT_ROW, "id": str(exported.pk)}))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_agreements", str(path), stdout=None)
    assert sent.counts() == (0, 0), "nothing changed, nothing to refresh"


def test_an_agreements_file_changing_a_corridors_agreement_refreshes_both(
    world, sent, tmp_path, django_capture_on_commit_callbacks
):
    published = world["published"]
    changed = row(
        id=str(published.pk),
        title=published.title,
        url="",
        status="in_force",
        in_force_on="2026-03-01",
        parties="KEN; RWA",
        party_names="Kenya; Rwanda",
        institutions="",
        signatories="",
        corridors="Northern Corridor",
    )
    path = tmp_path / "changed.csv"
    path.write_bytes(csv_file(changed))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_agreements", str(path), "--create-topics", stdout=None)
    published.refresh_from_db()
    assert str(published.in_force_on) == "2026-03-01"
    assert sent.counts() == (1, 1)
    ken, rwa = sorted([country("KEN").pk, country("RWA").pk])
    assert sent.trade.call_args.kwargs["args"] == [[[ken, rwa]]]


# --- the bulk admin actions, publish and unpublish ---------------------------------------------------


@pytest.mark.parametrize(("action", "agreement"), [("publish_selected", "draft"), ("unpublish_selected", "published")])
def test_the_bulk_actions_queue_one_refresh_of_each_kind(
    world, sent, admin_client, django_capture_on_commit_callbacks, action, agreement
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:agreements_agreement_changelist"),
            {"action": action, "_selected_action": [world[agreement].pk]},
        )
    assert response.status_code == 302
    assert sent.counts() == (1, 1)


@pytest.mark.parametrize(("method", "agreement"), [("publish", "draft"), ("unpublish", "published")])
def test_publish_and_unpublish_queue_one_refresh_of_each_kind_and_none_on_rollback(
    world, sent, django_capture_on_commit_callbacks, method, agreement
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        getattr(world[agreement], method)()
        raise RuntimeError("rolled back")
    assert sent.counts() == (0, 0)
    world[agreement].refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        getattr(world[agreement], method)()
    assert sent.counts() == (1, 1)


def test_an_indicator_figure_saved_in_the_admin_queues_one_corridor_refresh(
    world, sent, admin_client, django_capture_on_commit_callbacks
):
    corridor = CorridorAgreement.objects.first().corridor
    data = {
        "corridor": corridor.pk,
        "indicator": cargo().pk,
        "destination": country("RWA").pk,
        "period": "2024",
        "value": "600000",
        "qualifier": "",
        "note": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:corridors_indicatorobservation_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert sent.counts() == (0, 1)
    assert corridor.observations.get().value == Decimal("600000")


def test_an_agreement_saved_in_the_admin_queues_one_refresh_of_each_kind(
    reference,  # noqa: F811
    sent,
    admin_client,
    django_capture_on_commit_callbacks,
):
    """The MoU of the seeds, on the Northern Corridor, in force: its pair's figures and the corridor's."""
    data = kpa_mou_post(reference, status="in_force", in_force_on="2026-02-01", _publish="Save and publish")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(ADD_MOU, data)
        assert sent.counts() == (0, 0), "nothing before the commit"
    assert response.status_code == 302
    assert sent.counts() == (1, 1)
    sent.reset()
    mou = Agreement.objects.get()
    change = reverse("admin:agreements_memorandum_change", args=[mou.pk])
    data = {**page_data(admin_client.get(change)), "in_force_on": "2026-03-01"}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(change, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    mou.refresh_from_db()
    assert str(mou.in_force_on) == "2026-03-01"
    assert sent.counts() == (1, 1)
