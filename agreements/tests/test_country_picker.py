"""The Parties filter's control as the server sends it (agreements/country_picker.py): a checkbox
per country, the chosen ones first, then the current countries, then the historic ones marked;
the form folded under "Filter agreements (n active)"; the script that enhances it loaded from a
file. What the script does is tested in a real browser: test_journey_country_picker.py."""

import re

import pytest

from agreements.country_picker import CountryChoice, CountryPickerWidget, country_choices, folded
from agreements.models import Country
from agreements.tests.factories import bilateral

pytestmark = pytest.mark.django_db

BOX = re.compile(r'<input type="checkbox" id="id_party_([A-Z]{3})" name="party" value="\1" data-name="[^"]*"([^>]*)>')


def groups(page: str) -> dict[str, list[tuple[str, bool]]]:
    """Each fieldset of the picker by its legend: (code, ticked) in the order shown."""
    picker = page.split('<div class="country-picker"', 1)[1].split("</div></div>", 1)[0]
    found = {}
    for legend, body in re.findall(r"<legend>([^<]+)</legend><ul>(.*?)</ul>", picker):
        found[legend] = [(code, " checked" in rest) for code, rest in BOX.findall(body)]
    return found


def test_current_countries_come_first_and_historic_ones_are_grouped_and_marked(client):
    page = client.get("/agreements/").content.decode()

    shown = groups(page)
    assert list(shown) == ["Chosen", "Current countries", "Historic countries and territories (no longer exist)"]
    current, historic = shown["Current countries"], shown["Historic countries and territories (no longer exist)"]
    assert {code for code, _ in current} == set(
        Country.objects.filter(is_historic=False).values_list("iso3", flat=True)
    )
    assert {code for code, _ in historic} == set(
        Country.objects.filter(is_historic=True).values_list("iso3", flat=True)
    )
    assert "DDR" in dict(historic) and "XKX" in dict(current)  # Kosovo is current; not ISO's, but DESTA's
    assert '<label for="id_party_DDR"><input' in page and "> German Democratic Republic (historic)</label>" in page
    assert "> Kenya</label>" in page and "Kenya (historic)" not in page
    assert not any(ticked for _, ticked in current + historic)


def test_names_are_in_order_with_accents_folded():
    rows = [Country(iso3="ZWE", name="Zimbabwe"), Country(iso3="ALA", name="Åland Islands")]
    rows += [Country(iso3="YUG", name="Yugoslavia", is_historic=True), Country(iso3="AFG", name="Afghanistan")]

    assert [c.iso3 for c in country_choices(rows)] == ["AFG", "ALA", "ZWE", "YUG"]
    assert folded("Côte d'Ivoire") == "cote d'ivoire"


def test_every_name_and_code_is_escaped():
    widget = CountryPickerWidget(
        choices=[CountryChoice("CIV", "Côte d'Ivoire", False), CountryChoice("X<Y", '<b>"B"</b>', True)]
    )

    html = widget.render("party", ["X<Y"], {"id": 'id_"party'})

    assert (
        '<input type="checkbox" id="id_&quot;party_CIV" name="party" value="CIV" data-name="Côte d&#x27;Ivoire">'
        in html
    )
    assert 'value="X&lt;Y" data-name="&lt;b&gt;&quot;B&quot;&lt;/b&gt;" data-historic checked>' in html
    assert "<b>" not in html


def test_the_chosen_countries_come_first_ticked_in_the_order_of_the_url(client):
    page = client.get("/agreements/?party=rwa&party=KEN&party=DDR").content.decode()

    shown = groups(page)
    assert shown["Chosen"] == [("RWA", True), ("KEN", True), ("DDR", True)]
    assert "RWA" not in dict(shown["Current countries"]) and "DDR" not in dict(shown[list(shown)[2]])
    # Nothing to hold down: a click on a box adds a country and keeps the others.
    assert "Hold Ctrl" not in page and "<select" not in page.split('id="id_party"', 1)[1].split("</fieldset></div>")[0]


def test_an_unknown_code_is_not_a_box_but_the_message_says_it(client):
    page = client.get("/agreements/?party=RWA&party=XYZ").content.decode()

    assert groups(page)["Chosen"] == [("RWA", True)]
    assert '<a href="#id_party">Parties: Unknown country code: XYZ.</a>' in page
    assert re.search(r'<div class="country-picker" aria-invalid="true"[^>]* id="id_party"', page)


def test_the_script_is_a_deferred_file_and_the_form_folds_under_its_count(client):
    bilateral("RWA", "KEN", published=True)

    page = client.get("/agreements/?party=RWA&party=KEN&kind=mou&sort=oldest&match=any").content.decode()

    assert '<script src="/static/js/filter-form.js" defer></script>' in page
    assert '<link href="/static/css/filter-form.css" media="all" rel="stylesheet">' in page
    # Two filters (the parties, the kind); the sort and the match mode narrow nothing alone.
    assert '<details class="filters__fold" data-active>' in page  # served folded: the results first
    assert 'Filter agreements <span class="filters__active">(2 active)</span></h2></summary>' in page
    assert "active)" not in client.get("/agreements/?sort=oldest").content.decode()
    # A group of radio buttons has one value: no "(3 chosen)" for the three letters of "any".
    assert "<summary>Parties match</summary>" in page
    assert '<summary>Kind <span class="filters__chosen">(1 chosen)</span></summary>' in page


def test_a_form_with_errors_is_marked_never_to_be_folded(client):
    page = client.get("/agreements/?signed_from=2026&signed_to=2025").content.decode()

    assert '<details class="filters__fold" open data-errors>' in page
    assert "(2 active)" in page
