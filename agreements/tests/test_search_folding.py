"""Search as an analyst types it, the same on SQLite and PostgreSQL: accents and case
do not matter ("Lomé" = "Lome" = "LOMÉ"), an acronym is a whole word ("EAC" is not
inside "CEEAC"), phrases and exclusions still work, and "sorted by relevance" is
said only where the rows are so sorted."""

import csv
import datetime as dt
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from agreements.search import parse_query, reindex, searchable
from agreements.tests.factories import OrganisationFactory
from agreements.tests.list_helpers import plurilateral, shown
from tradepacts.csv import without_trailer

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    lome = plurilateral("Lomé Convention", "TGO", "FRA", summary="Signed in Lomé.", signed_on=dt.date(1975, 2, 28))
    ivory = plurilateral("Côte d'Ivoire–Ghana trade protocol", "CIV", "GHA", signed_on=dt.date(2001, 1, 1))
    eac = plurilateral("EAC customs union protocol", "KEN", "TZA", signed_on=dt.date(2004, 3, 2))
    eccas = plurilateral("ECCAS (CEEAC) customs protocol", "CMR", "GAB", signed_on=dt.date(2005, 1, 1))
    reindex([lome.pk, ivory.pk, eac.pk, eccas.pk])
    return lome, ivory, eac, eccas


@pytest.mark.parametrize("query", ["Lomé", "Lome", "LOMÉ", "lome", "LOME", "Lomé convention"])
def test_accents_and_case_do_not_matter(client, registry, query):
    assert shown(client, f"q={query}") == ["Lomé Convention"]


@pytest.mark.parametrize("query", ["Côte d'Ivoire", "Cote d'Ivoire", "COTE D’IVOIRE", "cote divoire ghana"])
def test_a_name_with_an_accent_and_an_apostrophe(client, registry, query):
    expected = [] if query == "cote divoire ghana" else ["Côte d'Ivoire–Ghana trade protocol"]
    assert shown(client, f"q={query}") == expected  # "divoire" is not a word of it


def test_an_acronym_is_a_whole_word(client, registry):
    assert shown(client, "q=EAC") == ["EAC customs union protocol"]
    assert shown(client, "q=eac") == ["EAC customs union protocol"]
    assert shown(client, "q=CEEAC") == ["ECCAS (CEEAC) customs protocol"]
    assert shown(client, "q=customs+-EAC") == ["ECCAS (CEEAC) customs protocol"]
    assert shown(client, "q=customs+-CEEAC") == ["EAC customs union protocol"]


def test_an_institution_s_acronym_is_a_whole_word_too(client):
    eac = plurilateral("Customs union", "KEN", "TZA")
    eac.parties.filter(country__iso3="KEN").update(institution=OrganisationFactory(name="Secretariat", acronym="EAC"))
    other = plurilateral("Central African protocol", "CMR", "GAB", summary="Under the CEEAC treaty.")
    reindex([eac.pk, other.pk])

    assert shown(client, "q=EAC") == ["Customs union"]


def test_phrases_need_their_words_together_and_in_order(client, registry):
    assert shown(client, 'q="customs union"') == ["EAC customs union protocol"]
    assert shown(client, 'q="union customs"') == []
    assert shown(client, "q=customs+protocol&sort=title") == [
        "EAC customs union protocol",
        "ECCAS (CEEAC) customs protocol",
    ]
    assert shown(client, 'q="customs protocol"') == ["ECCAS (CEEAC) customs protocol"]
    assert shown(client, 'q=-"customs union"+protocol&sort=title') == [
        "Côte d'Ivoire–Ghana trade protocol",
        "ECCAS (CEEAC) customs protocol",
    ]


def test_a_word_finds_its_plural_and_the_plural_the_word(client):
    ports = plurilateral("Kenya Ports Authority liaison", "KEN", "RWA")
    port = plurilateral("Port of Mombasa", "KEN", "UGA", signed_on=dt.date(2000, 1, 1))
    reindex([ports.pk, port.pk])

    assert shown(client, "q=port") == ["Kenya Ports Authority liaison", "Port of Mombasa"]
    assert shown(client, "q=ports") == ["Kenya Ports Authority liaison", "Port of Mombasa"]
    assert shown(client, "q=portal") == []


def test_relevance_orders_by_how_much_matches_and_says_so(client):
    once = plurilateral("Energy accord", "RWA", "KEN", summary="Mentions Mombasa once.", signed_on=dt.date(2027, 1, 1))
    often = plurilateral("Port of Mombasa liaison", "RWA", "KEN", summary="Mombasa port, Mombasa services.")
    reindex([once.pk, often.pk])

    response = client.get("/agreements/?q=Mombasa&sort=relevance")
    assert "sorted by relevance" in response.content.decode()
    assert shown(client, "q=Mombasa&sort=relevance") == ["Port of Mombasa liaison", "Energy accord"]
    assert shown(client, "q=MOMBASA+or+railway&sort=relevance") == ["Port of Mombasa liaison", "Energy accord"]
    assert shown(client, "q=Mombasa&sort=newest") == ["Energy accord", "Port of Mombasa liaison"]


@pytest.mark.parametrize("query", ["sort=relevance", "q=-railway&sort=relevance", "q=---&sort=relevance"])
def test_relevance_with_nothing_to_rank_says_newest_first(client, query):
    plurilateral("Old", "RWA", "KEN", signed_on=dt.date(2000, 1, 1))
    plurilateral("New", "RWA", "KEN", signed_on=dt.date(2020, 1, 1))

    page = client.get(f"/agreements/?{query}").content.decode()
    assert "sorted by newest first" in page and "relevance." not in page
    assert shown(client, query) == ["New", "Old"]


def test_the_stored_text_is_folded_and_padded(registry):
    lome = registry[0]
    lome.refresh_from_db()
    assert lome.search_text.startswith(" lome convention signed in lome ")
    assert lome.search_text.endswith(" ") and "é" not in lome.search_text


@given(st.text(max_size=60))
def test_folding_twice_changes_nothing(text):
    assert searchable(searchable(text)) == searchable(text)


@given(st.text(max_size=60))
def test_every_word_typed_is_found_in_the_text_it_was_typed_from(text):
    """Query and stored text are folded by one function: a reader who types a record's
    own words (accents, case, punctuation and all) finds it."""
    stored = searchable(text)
    for group in parse_query(text):
        for term in group:
            assert f" {' '.join(term.words)} " in stored


def test_the_export_follows_the_relevance_order(client):
    once = plurilateral("Energy accord", "RWA", "KEN", summary="Mentions Mombasa once.", signed_on=dt.date(2027, 1, 1))
    often = plurilateral("Port of Mombasa liaison", "RWA", "KEN", summary="Mombasa port, Mombasa services.")
    reindex([once.pk, often.pk])

    response = client.get("/agreements/export.csv", {"q": "mombasa", "sort": "relevance"})
    text = without_trailer(b"".join(response.streaming_content).decode("utf-8-sig"))
    assert [row["title"] for row in csv.DictReader(io.StringIO(text))] == ["Port of Mombasa liaison", "Energy accord"]
