"""Staff curating corridors, nodes, indicators and figures in the admin; the
derived tables are read-only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from agreements.tests.factories import country
from agreements.tests.test_admin import editor_client  # noqa: F401 (a fixture)
from corridors.models import IndicatorObservation, Node, ObservationStatistic
from corridors.stats import refresh_corridor_statistics
from corridors.tests.factories import cargo, corridor_through, figure

pytestmark = pytest.mark.django_db


def test_an_editor_adds_a_figure_with_its_period_as_written(editor_client):  # noqa: F811
    corridor = corridor_through("KEN", "RWA")
    indicator = cargo()
    url = reverse("admin:corridors_indicatorobservation_add")
    post = {
        "corridor": corridor.pk,
        "indicator": indicator.pk,
        "destination": country("RWA").pk,
        "period": "2025-Q3",
        "value": "210000",
        "qualifier": "about",
        "note": "",
    }

    response = editor_client.post(url, post)

    assert response.status_code == 302, response.content.decode()[:2000]
    saved = IndicatorObservation.objects.get()
    assert (str(saved.period), saved.value, saved.qualifier) == ("2025-Q3", Decimal("210000"), "about")
    change = editor_client.get(reverse("admin:corridors_indicatorobservation_change", args=[saved.pk])).content.decode()
    assert 'value="2025-Q3"' in change

    again = editor_client.post(url, {**post, "value": "1"})
    assert again.status_code == 200
    assert "already exists" in again.content.decode() or "one_per_destination" in again.content.decode()
    assert IndicatorObservation.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"period": "Q3 2025"}, "is not a period"),
        ({"value": "-5"}, "never below zero"),
        ({"destination": "TZA"}, "Not a member country of this corridor."),
    ],
)
def test_a_bad_figure_is_refused_with_a_message(editor_client, changes, message):  # noqa: F811
    corridor = corridor_through("KEN", "RWA")
    post = {
        "corridor": corridor.pk,
        "indicator": cargo().pk,
        "destination": country("RWA").pk,
        "period": "2025",
        "value": "1",
        "qualifier": "",
        "note": "",
    }
    if "destination" in changes:
        changes = {"destination": country(changes["destination"]).pk}
    response = editor_client.post(reverse("admin:corridors_indicatorobservation_add"), {**post, **changes})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not IndicatorObservation.objects.exists()


def test_a_node_in_a_country_that_is_not_a_member_is_refused(editor_client):  # noqa: F811
    corridor = corridor_through("KEN", "UGA")
    post = {"corridor": corridor.pk, "position": 1, "name": "Dar es Salaam", "kind": "seaport", "status": "operational"}

    refused = editor_client.post(reverse("admin:corridors_node_add"), {**post, "country": country("TZA").pk})
    assert refused.status_code == 200
    assert "Tanzania is not a member country of" in refused.content.decode()
    assert not Node.objects.exists()

    accepted = editor_client.post(
        reverse("admin:corridors_node_add"), {**post, "name": "Malaba", "country": country("UGA").pk}
    )
    assert accepted.status_code == 302


def test_lists_filter_and_search(editor_client):  # noqa: F811
    corridor = corridor_through("KEN", "RWA", name="Northern Corridor")
    figure(corridor, "2024", 600000)
    refresh_corridor_statistics()
    base = reverse("admin:corridors_indicatorobservation_changelist")
    for query in ["", "?q=Northern", "?q=RWA", f"?corridor__id__exact={corridor.pk}", "?period_kind__exact=year"]:
        response = editor_client.get(base + query)
        assert response.status_code == 200 and "600000" in response.content.decode(), query
    assert "600000" not in editor_client.get(base + "?q=Central").content.decode()
    for name in ["indicator", "observationstatistic", "agreementindicatorchange"]:
        assert editor_client.get(reverse(f"admin:corridors_{name}_changelist")).status_code == 200


def test_derived_rows_are_read_only(admin_client):
    corridor = corridor_through("KEN", "RWA")
    figure(corridor, "2024", 1)
    refresh_corridor_statistics()
    row = ObservationStatistic.objects.get()
    assert admin_client.get(reverse("admin:corridors_observationstatistic_add")).status_code == 403
    assert admin_client.get(reverse("admin:corridors_observationstatistic_delete", args=[row.pk])).status_code == 403
    page = admin_client.get(reverse("admin:corridors_observationstatistic_change", args=[row.pk])).content.decode()
    assert 'name="_save"' not in page
