"""Whatever a reader types into the search box (?q=) is parsed safely on both databases:
words, "phrases", -exclusions and "or" work; operators alone, punctuation and runs of
hyphens (33 or more once overflowed PostgreSQL's tsquery stack) never break the list or
the export. Fuzzed with hypothesis against the database of the run (SQLite or PostgreSQL)."""

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from agreements.models import Agreement
from agreements.search import MAX_QUERY_WORDS, Term, parse_query, reindex, websearch_text
from agreements.tests.factories import AgreementFactory
from tradepacts.csv import complete_rows

PATHOLOGICAL = [
    "-" * 33,
    "-" * 200 + "ports",
    "ports " + "-" * 40,
    "- " * 50,
    '"' * 41,
    '-"-"-"-"',
    "!!! && || <-> :* ( ) ' \\",
    "or or or",
    " or ".join(["-x"] * 60),
    "-".join(["w"] * 300),
    "ports " * 500,
    "\u0000\u200b\ufeff",
]
fuzzed = st.one_of(
    st.sampled_from(PATHOLOGICAL),
    st.text(max_size=60),
    st.text(alphabet="-\"!&|():*<> or\\'", max_size=80),
)


@pytest.fixture
def corpus(db):
    ports = AgreementFactory(
        title="Port of Mombasa logistics cooperation", summary="free trade in ports", published=True
    )
    rail = AgreementFactory(title="Standard gauge railway protocol", summary="rail freight", published=True)
    reindex([ports.pk, rail.pk])
    return ports, rail


def titles(text: str) -> set[str]:
    return set(Agreement.objects.published().search(text).values_list("title", flat=True))


def test_words_phrases_exclusions_and_or_on_either_database(corpus):
    ports, rail = corpus
    assert titles("Mombasa") == {ports.title}
    assert titles('"free trade"') == {ports.title}
    assert titles("-railway") == {ports.title}
    assert titles("Mombasa or railway") == {ports.title, rail.title}
    assert titles("-" * 33) == {ports.title, rail.title}  # no words: no filter


def test_the_parse_keeps_words_and_drops_operators():
    assert parse_query('ports -rail "free trade" or customs') == [
        [Term(("ports",))],
        [Term(("rail",), excluded=True)],
        [Term(("free", "trade")), Term(("customs",))],
    ]
    assert parse_query("-" * 40) == parse_query("!!! && ||") == parse_query("or") == []
    # Folded, and a word joined by punctuation is a phrase: PostgreSQL's parser gets plain words only.
    assert websearch_text(parse_query("e-commerce Côte d'Ivoire")) == '"e commerce" cote "d ivoire"'
    assert sum(len(t.words) for g in parse_query("w " * 100) for t in g) == MAX_QUERY_WORDS


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=fuzzed)
@example(text="-" * 33)
def test_no_search_text_breaks_the_query(corpus, text):
    list(Agreement.objects.published().search(text).values_list("pk", flat=True))


@pytest.mark.parametrize("text", PATHOLOGICAL[:-1])
def test_pathological_searches_give_a_page_and_a_complete_file(client, corpus, text):
    page = client.get("/agreements/", {"q": text})
    assert page.status_code == 200
    export = client.get("/agreements/export.csv", {"q": text})
    assert export.status_code == 200
    body = b"".join(export.streaming_content)
    assert complete_rows(body) is not None


def test_a_nul_character_is_the_form_s_message_not_a_server_error(client, corpus):
    assert client.get("/agreements/", {"q": "ports\x00"}).status_code == 400
    assert client.get("/agreements/export.csv", {"q": "ports\x00"}).status_code == 400
