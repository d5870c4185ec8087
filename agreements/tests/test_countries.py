"""The country list loaded by migration 0003 from pycountry, and its reloading."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from agreements.countries import sync_countries
from agreements.models import Country

pytestmark = pytest.mark.django_db

COLUMNS = ["iso3", "iso2", "numeric", "name", "official_name", "is_historic", "withdrawn_on"]


def all_rows() -> list[tuple]:
    return list(Country.objects.order_by("iso3").values_list(*COLUMNS))


def test_every_current_country_is_loaded_with_kosovo_and_historic_ones():
    assert Country.objects.filter(is_historic=False).count() == 250  # 249 in ISO 3166-1, and Kosovo
    assert Country.objects.count() > 249


@pytest.mark.parametrize(
    ("iso3", "iso2", "numeric", "name"),
    [
        ("KEN", "KE", "404", "Kenya"),
        ("XKX", "XK", "900", "Kosovo"),
        ("CIV", "CI", "384", "Côte d'Ivoire"),
        ("COD", "CD", "180", "DR Congo"),
    ],
)
def test_current_country(iso3, iso2, numeric, name):
    assert Country.objects.filter(iso3=iso3).values_list("iso2", "numeric", "name", "is_historic").get() == (
        iso2,
        numeric,
        name,
        False,
    )


def test_historic_country_zaire():
    zaire = Country.objects.get(iso3="ZAR")

    assert (zaire.numeric, zaire.is_historic, zaire.withdrawn_on) == ("180", True, dt.date(1997, 7, 14))


def test_reused_numeric_code_is_held_by_both_countries():
    assert sorted(Country.objects.filter(numeric="180").values_list("iso3", flat=True)) == ["COD", "ZAR"]


def test_sync_countries_again_changes_nothing():
    before = all_rows()

    count = sync_countries()

    assert count == len(before)
    assert all_rows() == before


def test_load_countries_command_changes_nothing():
    before = all_rows()

    out = io.StringIO()

    call_command("load_countries", stdout=out)

    assert all_rows() == before
    assert out.getvalue() == f"{len(before)} countries up to date.\n"


def test_sync_countries_restores_an_edited_country_without_a_duplicate():
    Country.objects.filter(iso3="KEN").update(name="Kenia", numeric="")

    sync_countries()

    assert Country.objects.filter(iso3="KEN").values_list("name", "numeric").get() == ("Kenya", "404")
    assert Country.objects.filter(iso3="KEN").count() == 1
