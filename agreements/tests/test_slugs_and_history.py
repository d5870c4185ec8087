"""Stable addresses: slugs made short from the title, kept when the title changes;
an old slug answers 301 to the current one. History names topic and corridor changes."""

import pytest
from django.urls import reverse

from agreements.models import Agreement, AgreementSlug, Country, Party, Topic
from agreements.models.slugs import SLUG_LENGTH
from agreements.tests.admin_helpers import page_data
from corridors.models import Corridor

pytestmark = pytest.mark.django_db

LONG_TITLE = (
    "Memorandum of Understanding between the Ministry of Infrastructure of the Republic of Rwanda and the "
    "Kenya Ports Authority establishing a liaison office in Kigali"
)


def test_a_slug_from_a_long_title_is_short():
    mou = Agreement.objects.create(title=LONG_TITLE, kind="mou", scope="institutional", status="announced")

    assert mou.slug.startswith("mou-between-the-ministry-of-infrastructure")
    assert len(mou.slug) <= SLUG_LENGTH


def test_the_slug_stays_when_the_title_changes():
    mou = Agreement.objects.create(title="KPA liaison office", kind="mou", scope="institutional", status="announced")
    mou.title = "KPA liaison office in Kigali"
    mou.save()

    assert Agreement.objects.get().slug == "kpa-liaison-office"


def test_an_old_slug_redirects_permanently(client):
    mou = Agreement.objects.create(
        title="KPA liaison office", kind="mou", scope="institutional", status="announced", is_published=True
    )
    mou.slug = "kpa-office"
    mou.save()

    response = client.get("/agreements/kpa-liaison-office/")

    assert response.status_code == 301
    assert response["Location"] == "/agreements/kpa-office/"
    assert client.get("/agreements/no-such-agreement/").status_code == 404


def test_a_slug_taken_again_is_nobodys_old_slug(client):
    first = Agreement.objects.create(title="Old", slug="kpa", kind="mou", scope="institutional", status="announced")
    first.slug = "kpa-old"
    first.save()
    second = Agreement.objects.create(
        title="New", slug="kpa", kind="mou", scope="institutional", status="announced", is_published=True
    )

    assert not AgreementSlug.objects.filter(slug="kpa").exists()
    assert client.get("/agreements/kpa/").context["agreement"] == second


def test_history_names_topic_and_corridor_changes(admin_client):
    ports = Topic.objects.create(name="Ports and logistics", slug="ports-and-logistics")
    trade = Topic.objects.create(name="Trade facilitation", slug="trade-facilitation")
    northern = Corridor.objects.create(name="Northern Corridor", slug="northern-corridor", gateway_port="Mombasa")
    mou = Agreement.objects.create(title="KPA liaison office", kind="mou", scope="plurilateral", status="announced")
    Party.objects.create(agreement=mou, country=Country.objects.get(iso3="KEN"))
    mou.topics.add(ports)
    url = reverse("admin:agreements_agreement_change", args=[mou.pk])
    data = page_data(admin_client.get(url))
    data |= {"topics": [str(trade.pk)], "corridor_links-TOTAL_FORMS": "1", "corridor_links-0-corridor": northern.pk}

    assert admin_client.post(url, data).status_code == 302

    reason = mou.history.order_by("-history_id").first().history_change_reason
    assert "Added topic Trade facilitation." in reason
    assert "Removed topic Ports and logistics." in reason
    assert "Added corridor Northern Corridor." in reason
    history = admin_client.get(reverse("admin:agreements_agreement_history", args=[mou.pk])).content.decode()
    assert "Removed topic Ports and logistics." in history
