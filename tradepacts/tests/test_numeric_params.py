"""Every number read from a GET parameter is bounded before int(): 4,400 digits (past
Python's own limit) or any other junk gives the page with a notice, its first page or
a 4xx, never a server error."""

import pytest
from django.core.management import call_command

from tradepacts.params import bounded_int

HUGE = "9" * 4400

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2024", 2024), (" 7 ", 7), ("0", None), ("-1", None), ("1e3", None), ("١٢", None), ("", None), (None, None),
     (HUGE, None), ("10000", None), ("0002024", None)],
)  # fmt: skip
def test_bounded_int_reads_only_short_ascii_numbers_in_range(text, expected):
    assert bounded_int(text, 1, 9999) == expected


@pytest.fixture
def demo():
    call_command("load_demo", synthetic=True, verbosity=0)  # years of trade figures to choose from
    call_command("refresh_trade_statistics", verbosity=0)


def test_a_trade_year_of_4400_digits_is_the_page_with_its_notice(client, demo):
    response = client.get(f"/countries/RWA/?trade_year={HUGE}")
    assert response.status_code == 200
    assert f"in “{'9' * 20}”; showing" in response.content.decode()


def test_a_known_trade_year_is_still_read(client, demo):
    response = client.get("/countries/RWA/?trade_year=2020")
    assert response.status_code == 200
    assert "No trade figures for" not in response.content.decode()


@pytest.mark.parametrize("number", [HUGE, "-3", "1e9", "last", "١"])
def test_page_numbers_of_any_shape_never_break_a_page(client, demo, number):
    assert client.get(f"/countries/RWA/KEN/?page={number}").status_code == 200
    assert client.get(f"/agreements/?page={number}").status_code in (200, 404)
    assert client.get(f"/corridors/northern-corridor/?page={number}").status_code == 200


def test_the_lists_page_number_is_bounded_before_conversion(client, demo, monkeypatch):
    import django.views.generic.list as generic_list

    converted = []
    monkeypatch.setattr(generic_list, "int", lambda text: converted.append(text) or int(text), raising=False)
    assert client.get(f"/agreements/?page={HUGE}").status_code == 404
    assert client.get("/agreements/?page=1").status_code == 200
    assert converted == ["1"]
