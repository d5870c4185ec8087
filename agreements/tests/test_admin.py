"""Curating an MoU in the admin, as a staff curator would: one page, inlines,
plain messages for mistakes, drafts until published, history with the user."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from agreements.models import Agreement, Country, Organisation, Party, Signatory, Source, Topic
from corridors.models import Corridor
from tradepacts.roles import EDITORS

INLINE_PREFIXES = ["parties", "signatories", "citations", "identifiers", "relations", "corridor_links"]


def inline_rows(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    """POST data for one inline formset, management form included."""
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{key}": value for key, value in row.items()})
    return data


@pytest.fixture
def reference(db):
    """What a curator finds already in the database before entering the MoU."""
    rwa, ken = Country.objects.get(iso3="RWA"), Country.objects.get(iso3="KEN")
    mininfra = Organisation.objects.create(
        name="Ministry of Infrastructure", acronym="MININFRA", slug="mininfra", kind="ministry", country=rwa
    )
    kpa = Organisation.objects.create(
        name="Kenya Ports Authority", acronym="KPA", slug="kpa", kind="port_authority", country=ken
    )
    transport = Organisation.objects.create(
        name="State Department for Transport", slug="sdt", kind="state_department", country=ken
    )
    release = Source.objects.create(
        title="MININFRA hosts signing of MoU on KPA liaison office in Kigali",
        publisher="Ministry of Infrastructure, Rwanda",
        kind="official_release",
        published_on=dt.date(2026, 1, 22),
    )
    topics = [
        Topic.objects.create(slug="ports-and-logistics", name="Ports and logistics"),
        Topic.objects.create(slug="trade-facilitation", name="Trade facilitation"),
    ]
    corridor = Corridor.objects.create(name="Northern Corridor", slug="northern-corridor", gateway_port="Mombasa")
    return {
        "rwa": rwa,
        "ken": ken,
        "mininfra": mininfra,
        "kpa": kpa,
        "transport": transport,
        "release": release,
        "topics": topics,
        "corridor": corridor,
    }


def kpa_mou_post(ref: dict, **overrides) -> dict:
    """The Rwanda–Kenya MoU of 22 January 2026 as the add form posts it."""
    data = {
        "title": "MoU establishing a Kenya Ports Authority liaison office in Kigali",
        "slug": "",
        "kind": "mou",
        "scope": "bilateral",
        "status": "signed",
        "summary": "Establishes a KPA liaison office in Kigali.",
        "announced_on": "",
        "signed_on": "2026-01-22",
        "place": "Kigali",
        "in_force_on": "",
        "ended_on": "",
        "topics": [str(t.pk) for t in ref["topics"]],
        "last_verified_on": "",
        **inline_rows(
            "parties",
            [
                {"country": ref["rwa"].pk, "institution": ref["mininfra"].pk},
                {"country": ref["ken"].pk, "institution": ref["kpa"].pk},
            ],
        ),
        **inline_rows(
            "signatories",
            [
                {
                    "name": "Canoth Manishimwe",
                    "position": "Permanent Secretary",
                    "role": "presided",
                    "country": ref["rwa"].pk,
                    "organisation": ref["mininfra"].pk,
                    "order": "1",
                },
                {
                    "name": "Mohamed Daghar",
                    "honorific": "CBS",
                    "position": "Principal Secretary",
                    "role": "presided",
                    "country": ref["ken"].pk,
                    "organisation": ref["transport"].pk,
                    "order": "2",
                },
            ],
        ),
        **inline_rows("citations", [{"source": ref["release"].pk, "note": "Ceremony account"}]),
        **inline_rows("identifiers", []),
        **inline_rows("relations", []),
        **inline_rows("corridor_links", [{"corridor": ref["corridor"].pk}]),
    }
    for prefix in INLINE_PREFIXES:  # an override of an inline replaces all its rows
        if f"{prefix}-TOTAL_FORMS" in overrides:
            data = {key: value for key, value in data.items() if not key.startswith(f"{prefix}-")}
    data.update(overrides)
    return data


ADD_MOU = reverse("admin:agreements_memorandum_add")


def test_add_page_uses_autocomplete_and_presets_the_kind(admin_client, reference):
    page = admin_client.get(ADD_MOU).content.decode()
    assert "data-autocomplete-light-url" not in page  # Django's own select2, not a third-party widget
    assert page.count("admin-autocomplete") >= 4  # countries, institutions, organisations, sources ...
    assert '<option value="mou" selected>' in page
    # Countries are not rendered as a 280-entry drop-down per row: one list the ISO3 boxes share.
    assert page.count('<datalist id="country-codes">') == 1
    assert page.split('<datalist id="country-codes">')[0].count('<option value="') < 150


def test_curator_enters_the_kpa_mou_on_one_page(admin_client, admin_user, reference):
    response = admin_client.post(ADD_MOU, kpa_mou_post(reference))

    assert response.status_code == 302, response.context and response.context["errors"]
    mou = Agreement.objects.get()
    assert (mou.kind, mou.status, mou.place) == ("mou", "signed", "Kigali")
    assert (mou.signed_on, mou.signed_precision) == (dt.date(2026, 1, 22), "day")
    assert not mou.is_published, "a new record stays a draft until published"
    assert mou.slug == "mou-establishing-a-kenya-ports-authority-liaison-2026"  # short: 50 characters and the year
    parties = {(p.country.iso3, p.institution.acronym) for p in mou.parties.all()}
    assert parties == {("RWA", "MININFRA"), ("KEN", "KPA")}
    signatories = [(s.name, s.position, s.country.iso3) for s in mou.signatories.all()]
    assert signatories == [
        ("Canoth Manishimwe", "Permanent Secretary", "RWA"),
        ("Mohamed Daghar", "Principal Secretary", "KEN"),
    ]
    assert {t.slug for t in mou.topics.all()} == {"ports-and-logistics", "trade-facilitation"}
    assert list(mou.sources.all()) == [reference["release"]]
    assert list(mou.corridors.all()) == [reference["corridor"]]

    record = mou.history.get()
    assert record.history_user == admin_user
    assert "Added party Rwanda acting through Ministry of Infrastructure (MININFRA)." in record.history_change_reason
    assert "Added signatory Mohamed Daghar." in record.history_change_reason


def test_year_only_dates_are_accepted(admin_client, reference):
    data = kpa_mou_post(reference, signed_on="2026")
    assert admin_client.post(ADD_MOU, data).status_code == 302
    assert Agreement.objects.values_list("signed_on", "signed_precision").get() == (dt.date(2026, 1, 1), "year")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"signed_on": "2026-02-30"}, "signed_on", "“2026-02-30” is not a real date."),
        ({"signed_on": "22/01/2026"}, "signed_on", "write a year (2026), a month (2026-01) or a day (2026-01-22)"),
        ({"status": "announced"}, "signed_on", "An agreement that is announced has no date signed yet"),
        ({"in_force_on": "2025-12-01"}, "in_force_on", "Must not be before the date signed (2026-01-22)."),
        ({"status": "in_force"}, "in_force_on", "needs its date of entry into force"),
        ({"title": ""}, "title", "This field is required."),
    ],
)
def test_a_mistake_is_shown_next_to_its_field_and_nothing_is_saved(admin_client, reference, overrides, field, message):
    response = admin_client.post(ADD_MOU, kpa_mou_post(reference, **overrides))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(message in error for error in errors[field]), errors
    assert not Agreement.objects.exists()
    assert not Party.objects.exists()
    assert not Signatory.objects.exists()


def test_a_signatory_from_a_country_that_is_not_a_party_is_refused(admin_client, reference):
    tza = Country.objects.get(iso3="TZA")
    data = kpa_mou_post(reference, **{"signatories-1-country": tza.pk, "signatories-1-organisation": ""})

    response = admin_client.post(ADD_MOU, data)

    assert response.status_code == 200
    signatory_formset = next(f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "signatories")
    assert "Tanzania is not a party to this agreement" in str(signatory_formset.formset.forms[1].errors["country"])
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    ("party_rows", "message"),
    [
        ([0], "exactly two parties, two different countries; this one has 1 parties and 1 countries"),
        ([0, 0], "Please correct the duplicate data for country."),
    ],
)
def test_bilateral_party_rules_are_explained(admin_client, reference, party_rows, message):
    countries = [reference["rwa"], reference["ken"]]
    rows = [{"country": countries[i].pk} for i in party_rows]
    data = kpa_mou_post(reference, **inline_rows("parties", rows), **inline_rows("signatories", []))

    response = admin_client.post(ADD_MOU, data)

    assert response.status_code == 200
    parties = next(f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "parties")
    errors = " ".join(parties.formset.non_form_errors()) + str([f.errors for f in parties.formset.forms])
    assert message in errors
    assert not Agreement.objects.exists()


def test_institution_of_another_country_is_refused(admin_client, reference):
    data = kpa_mou_post(reference, **{"parties-0-institution": reference["kpa"].pk, "parties-1-institution": ""})
    response = admin_client.post(ADD_MOU, data)
    assert response.status_code == 200
    assert not Agreement.objects.exists()


def test_publish_button_publishes_and_history_says_who(admin_client, admin_user, reference):
    admin_client.post(ADD_MOU, kpa_mou_post(reference))
    mou = Agreement.objects.get()
    change_url = reverse("admin:agreements_memorandum_change", args=[mou.pk])
    data = kpa_mou_post(
        reference,
        _publish="Save and publish",
        **inline_rows(
            "parties",
            [
                {"id": p.pk, "agreement": mou.pk, "country": p.country_id, "institution": p.institution_id}
                for p in mou.parties.all()
            ],
            initial=2,
        ),
        **inline_rows(
            "signatories",
            [
                {
                    "id": s.pk,
                    "agreement": mou.pk,
                    "name": s.name,
                    "position": s.position,
                    "role": s.role,
                    "country": s.country_id,
                    "organisation": s.organisation_id,
                    "order": s.order,
                }
                for s in mou.signatories.all()
            ],
            initial=2,
        ),
        **inline_rows(
            "citations",
            [{"id": c.pk, "agreement": mou.pk, "source": c.source_id} for c in mou.citations.all()],
            initial=1,
        ),
        **inline_rows(
            "corridor_links",
            [{"id": c.pk, "agreement": mou.pk, "corridor": c.corridor_id} for c in mou.corridor_links.all()],
            initial=1,
        ),
    )

    response = admin_client.post(change_url, data)

    assert response.status_code == 302
    mou.refresh_from_db()
    assert mou.is_published and mou.published_at is not None
    latest = mou.history.first()
    assert latest.history_user == admin_user
    assert "Published." in latest.history_change_reason
    history_page = admin_client.get(reverse("admin:agreements_memorandum_history", args=[mou.pk]))
    assert history_page.status_code == 200
    assert "Published." in history_page.content.decode()


def test_publish_action_publishes_drafts_only(admin_client, reference):
    admin_client.post(ADD_MOU, kpa_mou_post(reference))
    mou = Agreement.objects.get()
    response = admin_client.post(
        reverse("admin:agreements_agreement_changelist"),
        {"action": "publish_selected", "_selected_action": [mou.pk]},
    )
    assert response.status_code == 302
    assert Agreement.objects.published().count() == 1
    assert mou.history.first().history_change_reason == "Published."


@pytest.fixture
def editor_client(client, db):
    editor = User.objects.create_user("editor", password="x", is_staff=True)
    editor.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(editor)
    return client


def test_an_editor_can_curate_agreements_and_corridors_but_not_users(editor_client):
    assert editor_client.get(reverse("admin:agreements_memorandum_add")).status_code == 200
    assert editor_client.get(reverse("admin:corridors_corridor_add")).status_code == 200
    assert editor_client.get(reverse("admin:agreements_source_add")).status_code == 200
    assert editor_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_user_add")).status_code == 403
    assert editor_client.get(reverse("admin:auth_group_changelist")).status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        reverse("admin:index"),
        reverse("admin:agreements_agreement_changelist"),
        reverse("admin:agreements_memorandum_add"),
        reverse("admin:corridors_corridor_changelist"),
        reverse("admin:auth_user_changelist"),
    ],
)
def test_anonymous_users_cannot_reach_the_admin(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_changelist_queries_do_not_grow_with_rows(admin_client, reference, django_assert_max_num_queries):
    def add(n: int) -> None:
        for i in range(n):
            agreement = Agreement.objects.create(
                title=f"MoU {i}", kind="mou", status="signed", signed_on=dt.date(2026, 1, 1)
            )
            Party.objects.create(agreement=agreement, country=reference["rwa"])
            Party.objects.create(agreement=agreement, country=reference["ken"])

    url = reverse("admin:agreements_agreement_changelist")
    add(3)
    with django_assert_max_num_queries(12) as few:
        assert admin_client.get(url).status_code == 200
    add(40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = admin_client.get(url)
    assert "RWA KEN" in page.content.decode() or "KEN RWA" in page.content.decode()


def test_a_mangled_history_url_is_a_404_not_a_server_error(admin_client, db):
    assert admin_client.get("/admin/agreements/memorandum/2/change/history/").status_code == 404


def test_changelist_search_finds_by_party_code_and_identifier(admin_client, reference):
    agreement = Agreement.objects.create(
        title="Port cooperation", kind="mou", status="signed", signed_on=dt.date(2026, 1, 22)
    )
    Party.objects.create(agreement=agreement, country=reference["rwa"])
    Party.objects.create(agreement=agreement, country=reference["ken"])
    agreement.identifiers.create(scheme="desta", value="787")
    other = Agreement.objects.create(title="Unrelated", kind="mou", status="signed", signed_on=dt.date(2026, 1, 1))
    Party.objects.create(agreement=other, country=Country.objects.get(iso3="TZA"))
    Party.objects.create(agreement=other, country=Country.objects.get(iso3="UGA"))
    from agreements.search import reindex

    reindex([agreement.pk, other.pk])
    url = reverse("admin:agreements_agreement_changelist")
    for term in ["KEN", "787", "Port cooperation", "cooperat"]:
        page = admin_client.get(url, {"q": term}).content.decode()
        assert "Port cooperation" in page and "Unrelated" not in page, term
