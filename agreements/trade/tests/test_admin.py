"""The trade tables in the admin: figures and rates that staff list, edit and
upload; derived statistics and refresh runs that nobody edits, superusers
included."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse, reverse_lazy

from agreements.models import (
    AgreementTradeStatistic,
    ExchangeRate,
    PairYearStatistic,
    RefreshRun,
    Source,
    TradeFlow,
)
from agreements.tests.factories import AgreementFactory, country
from tradepacts.roles import EDITORS
from tradepacts.tests.upload_helpers import upload_and_confirm

# Imports and admin changes ask for refreshes: record them instead (conftest.refresh).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("refresh")]

FLOWS_IMPORT = reverse_lazy("admin:agreements_tradeflow_import")
FLOWS_LIST = reverse_lazy("admin:agreements_tradeflow_changelist")
RATES_IMPORT = reverse_lazy("admin:agreements_exchangerate_import")
RATES_LIST = reverse_lazy("admin:agreements_exchangerate_changelist")

GOOD = b"reporter,partner,year,flow,value,currency\r\nTZA,RWA,2025,total,644000000000,TZS\r\nRWA,KEN,2024,exports,1,USD\r\n"
BAD = b"reporter,partner,year,flow,value,currency\r\nTZA,RWA,2025,total,644000000000,TZS\r\nXYZ,KEN,2024,exports,-1,USD\r\n"


def upload(data: bytes, name: str = "trade.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def pair(a: str, b: str) -> tuple[int, int]:
    ids = sorted([country(a).pk, country(b).pk])
    return ids[0], ids[1]


@pytest.fixture
def editor(client, django_user_model):
    """A curator of the Editors group, whose permissions post_migrate keeps up to date."""
    user = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=EDITORS))
    client.force_login(user)
    return client


@pytest.fixture
def derived(db):
    """One row of each derived table, as the refresh would write them."""
    ken, rwa = country("KEN"), country("RWA")
    a, b = sorted([ken, rwa], key=lambda c: c.pk)
    statistic = PairYearStatistic.objects.create(
        country_a=a, country_b=b, year=2024, a_to_b_usd=Decimal("10.00"), a_to_b_basis="reported", total_usd=10
    )
    agreement = AgreementFactory()
    by_agreement = AgreementTradeStatistic.objects.create(
        agreement=agreement, reference_year=2020, reference_event="in_force", average_before_usd=5
    )
    run = RefreshRun.objects.create(status="failed", rows_written=3, error="could not serialize access\nDETAIL: ...")
    return {"pairyearstatistic": statistic, "agreementtradestatistic": by_agreement, "refreshrun": run}


# --- uploads ----------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(client):
    for url in (FLOWS_IMPORT, RATES_IMPORT):
        response = client.post(url, {"file": upload(GOOD)})

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert not TradeFlow.objects.exists()


def test_staff_without_the_add_permission_are_forbidden(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_tradeflow", "view_exchangerate"]))
    client.force_login(viewer)

    assert client.get(FLOWS_IMPORT).status_code == 403
    assert client.post(FLOWS_IMPORT, {"file": upload(GOOD)}).status_code == 403
    assert (
        client.post(RATES_IMPORT, {"file": upload(b"currency,year,units_per_usd\r\nTZS,2025,1\r\n")}).status_code == 403
    )
    assert "Import CSV" not in client.get(FLOWS_LIST).content.decode()
    assert not TradeFlow.objects.exists() and not ExchangeRate.objects.exists()


def test_staff_who_may_add_but_not_change_import_new_figures_only(client, django_user_model):
    curator = django_user_model.objects.create_user("adder", password="x", is_staff=True)
    curator.user_permissions.add(*Permission.objects.filter(codename__in=["view_tradeflow", "add_tradeflow"]))
    client.force_login(curator)

    assert "2 created" in upload_and_confirm(client, FLOWS_IMPORT, {"file": upload(GOOD)}).content.decode()
    again = upload_and_confirm(client, FLOWS_IMPORT, {"file": upload(GOOD)}).content.decode()
    assert "0 created, 0 updated, 2 unchanged" in again, "the same figures again change nothing"
    changed = GOOD.replace(b"644000000000", b"650000000000") + b"KEN,UGA,2024,exports,1,USD\r\n"
    response = upload_and_confirm(client, FLOWS_IMPORT, {"file": upload(changed)})

    assert (
        "<li>file: 1 figure(s) of this file would change figure(s) already stored, and you may add them but not "
        "change them.</li>" in response.content.decode()
    )
    assert TradeFlow.objects.get(flow="total").value == Decimal("644000000000.00")
    assert not TradeFlow.objects.filter(reporter__iso3="KEN").exists(), "nothing of the file was written"


def test_the_lists_have_an_import_button(admin_client):
    assert f'<a href="{FLOWS_IMPORT}">Import CSV</a>' in admin_client.get(FLOWS_LIST).content.decode()
    assert f'<a href="{RATES_IMPORT}">Import CSV</a>' in admin_client.get(RATES_LIST).content.decode()


def test_a_bad_upload_lists_the_errors_and_saves_nothing(admin_client, refresh):
    sources = Source.objects.count()

    response = upload_and_confirm(admin_client, FLOWS_IMPORT, {"file": upload(BAD), "source": "Bank of Tanzania"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "The file has 2 errors: nothing of it was imported." in page
    assert "<li>line 3, column reporter: Unknown country code “XYZ”: use ISO 3166 alpha-3 codes, e.g. KEN.</li>" in page
    assert "<li>line 3, column value: -1 is negative: a value is never below zero.</li>" in page
    assert not TradeFlow.objects.exists()
    assert Source.objects.count() == sources, "not even the source is created"
    assert refresh == []


def test_a_good_upload_imports_and_returns_to_the_list_with_the_counts(editor, refresh):
    response = upload_and_confirm(editor, FLOWS_IMPORT, {"file": upload(GOOD, "tz.csv"), "source": "Bank of Tanzania"})

    assert response.redirect_chain[-1][0].startswith(f"{FLOWS_IMPORT}?job=")
    assert (
        "Imported tz.csv: 2 trade figure(s) (plain layout): 2 created, 0 updated, 0 unchanged. "
        "The statistics of the pairs concerned will be refreshed." in response.content.decode()
    )
    figure = TradeFlow.objects.get(flow="total")
    assert (figure.value, figure.currency, figure.source.title) == (
        Decimal("644000000000.00"),
        "TZS",
        "Bank of Tanzania",
    )
    # The preview asked too (the real queue waits for a commit, which a preview never makes).
    assert refresh[-1] == sorted([pair("RWA", "TZA"), pair("KEN", "RWA")])


def test_a_comtrade_file_is_recognised_by_its_header(admin_client):
    data = b"refYear,reporterISO,partnerISO,flowCode,primaryValue\r\n2023,RWA,TZA,X,41234567.891\r\n"

    response = upload_and_confirm(admin_client, FLOWS_IMPORT, {"file": upload(data, "comtrade.csv")})

    assert "(UN Comtrade layout): 1 created" in response.content.decode()
    assert TradeFlow.objects.get().source.title == "UN Comtrade Database"


def test_rates_are_uploaded_on_their_own_page(admin_client):
    data = b"currency,year,units_per_usd\r\nTZS,2025,2550\r\n"

    assert (
        "import it as exchange rates"
        in upload_and_confirm(admin_client, FLOWS_IMPORT, {"file": upload(data)}).content.decode()
    )
    response = upload_and_confirm(admin_client, RATES_IMPORT, {"file": upload(data, "rates.csv")})

    assert response.redirect_chain[-1][0].startswith(f"{RATES_IMPORT}?job=")
    assert "Imported rates.csv: 1 exchange rate(s) (exchange rates layout): 1 created" in response.content.decode()
    assert ExchangeRate.objects.get().units_per_usd == Decimal("2550")


def test_a_bad_source_is_a_form_error(admin_client):
    response = admin_client.post(FLOWS_IMPORT, {"file": upload(GOOD), "source": "https://exa mple.org"})

    assert response.status_code == 200
    assert "“https://exa mple.org” is not a valid URL." in response.content.decode()
    assert not TradeFlow.objects.exists()


# --- figures and rates --------------------------------------------------------------------


def test_the_figures_list_shows_the_world_and_is_searched_by_iso3(admin_client):
    source = Source.objects.create(title="Tanzania Revenue Authority", kind="dataset")
    TradeFlow.objects.create(
        reporter=country("TZA"), partner=country("RWA"), year=2025, flow="total", value=1, currency="TZS", source=source
    )
    TradeFlow.objects.create(reporter=country("KEN"), partner=None, year=2024, flow="exports", value=2)

    page = admin_client.get(FLOWS_LIST).content.decode()
    found = admin_client.get(FLOWS_LIST, {"q": "rwa"}).context["cl"].result_list

    assert '<td class="field-partner_or_world">World</td>' in page and "Tanzania Revenue Authority" in page
    assert [(f.reporter.iso3, f.partner.iso3) for f in found] == [("TZA", "RWA")]


def test_the_figures_list_does_not_query_per_row(admin_client, django_assert_max_num_queries):
    source = Source.objects.create(title="Source", kind="dataset")
    partners = ["UGA", "TZA", "BDI", "COD", "SSD", "ETH", "SOM", "ZMB"]
    for year in range(2010, 2020):
        for iso3 in partners:
            TradeFlow.objects.create(
                reporter=country("RWA"), partner=country(iso3), year=year, flow="exports", value=1, source=source
            )

    with django_assert_max_num_queries(12):
        assert admin_client.get(FLOWS_LIST).status_code == 200


def test_an_edited_figure_refreshes_its_pair(admin_client, refresh):
    flow = TradeFlow.objects.create(reporter=country("TZA"), partner=country("RWA"), year=2025, flow="total", value=1)
    url = reverse("admin:agreements_tradeflow_change", args=[flow.pk])
    data = {
        "reporter": flow.reporter_id,
        "partner": country("KEN").pk,
        "year": 2025,
        "flow": "total",
        "value": "2",
        "currency": "USD",
        "source": "",
    }

    assert admin_client.post(url, data).status_code == 302
    assert refresh == [sorted([pair("RWA", "TZA"), pair("KEN", "TZA")])], "the pair it left and the one it joined"


def test_the_admin_refuses_a_country_trading_with_itself(admin_client):
    data = {"reporter": country("KEN").pk, "partner": country("KEN").pk, "year": 2025, "flow": "exports"}

    response = admin_client.post(reverse("admin:agreements_tradeflow_add"), {**data, "value": "1", "currency": "USD"})

    assert "A country does not trade with itself." in response.content.decode()
    assert not TradeFlow.objects.exists()


def test_an_edited_rate_refreshes_the_pairs_it_converts(admin_client, refresh):
    TradeFlow.objects.create(
        reporter=country("TZA"), partner=country("RWA"), year=2025, flow="total", value=1, currency="TZS"
    )

    response = admin_client.post(
        reverse("admin:agreements_exchangerate_add"),
        {"currency": "TZS", "year": 2025, "units_per_usd": "2550", "source": ""},
    )

    assert response.status_code == 302
    assert refresh == [[pair("RWA", "TZA")]]


# --- derived tables: read only, for everyone ----------------------------------------------


@pytest.mark.parametrize("model", ["pairyearstatistic", "agreementtradestatistic", "refreshrun"])
def test_derived_rows_are_never_edited_in_the_admin(admin_client, derived, model):
    obj = derived[model]
    changelist = admin_client.get(reverse(f"admin:agreements_{model}_changelist"))
    change = reverse(f"admin:agreements_{model}_change", args=[obj.pk])
    before = list(type(obj).objects.values_list())

    assert changelist.status_code == 200
    assert reverse(f"admin:agreements_{model}_add") not in changelist.content.decode(), "no Add button"
    assert 'value="delete_selected"' not in changelist.content.decode(), "no delete action"
    assert admin_client.get(reverse(f"admin:agreements_{model}_add")).status_code == 403
    page = admin_client.get(change)
    assert page.status_code == 200, "staff may look"
    assert 'name="_save"' not in page.content.decode() and "deletelink" not in page.content.decode()
    assert admin_client.post(change, {}).status_code == 403
    assert (
        admin_client.post(reverse(f"admin:agreements_{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert list(type(obj).objects.values_list()) == before


def test_deleting_an_agreement_still_deletes_its_derived_figures(admin_client, derived):
    agreement = derived["agreementtradestatistic"].agreement

    response = admin_client.post(reverse("admin:agreements_agreement_delete", args=[agreement.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not AgreementTradeStatistic.objects.exists()


def test_editors_may_look_at_derived_rows(editor, derived):
    page = editor.get(reverse("admin:agreements_refreshrun_changelist")).content.decode()

    assert "could not serialize access" in page and "DETAIL" not in page, "the error's first line"
    assert editor.get(reverse("admin:agreements_pairyearstatistic_changelist")).status_code == 200
