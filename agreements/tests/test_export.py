"""/agreements/export.csv: the contract's columns, exactly the list's rows in
the list's order, streamed as UTF-8 with a BOM, no cell a spreadsheet would
run; an invalid filter is a 400 with the form's message, never an empty file."""

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from agreements.exports import HEADER, export_query
from agreements.exports_copy import copy_query
from agreements.filters import AgreementFilterSet
from agreements.models import Agreement, DatePrecision, Organisation, Signatory, Source
from agreements.search import reindex
from agreements.tests.export_helpers import read_export
from agreements.tests.factories import (
    AgreementFactory,
    AgreementSourceFactory,
    OrganisationFactory,
    PartyFactory,
    SignatoryFactory,
    SourceFactory,
    TopicFactory,
    bilateral,
    country,
)
from tradepacts.csv import complete_rows

pytestmark = pytest.mark.django_db

# Agreement's corridors come from the corridors app, which agreements never imports.
Corridor = Agreement._meta.get_field("corridors").related_model

CONTRACT_COLUMNS = [
    "id",
    "title",
    "kind",
    "status",
    "parties",
    "party_names",
    "institutions",
    "signed_on",
    "signed_place",
    "in_force_on",
    "ended_on",
    "topics",
    "corridors",
    "signatories",
    "sources",
    "url",
]
EXTRA_COLUMNS = [
    "announced_on",
    "scope",
    "binding",
    "summary",
    "desta_number",
    "wto_rta_name",
    "gptad_name",
    "signed_precision",
    "in_force_precision",
    "ended_precision",
    "announced_precision",
]
BOM = "\ufeff".encode()
FILENAME = re.compile(r'^attachment; filename="(tradepacts-agreements[A-Za-z0-9._-]*-\d{8}T\d{4}Z\.csv)"$')

TITLE = re.compile(r'<th scope="row" class="agreement-table__title"><a href="/agreements/([^/"]+)/">')


def download(client, query: str = "") -> tuple[list[str], list[list[str]], object, bytes]:
    """The header, the rows, the response and the raw bytes of an export."""
    response = client.get(f"/agreements/export.csv?{query}")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    header, rows = read_export(body)
    assert complete_rows(body) == len(rows)
    return header, rows, response, body


def list_order(client, query: str = "") -> list[str]:
    """The slugs the list page shows for ``query``, every page in turn."""
    slugs, page = [], 1
    while True:
        response = client.get(f"/agreements/?{query}&page={page}")
        if response.status_code == 404:
            return slugs
        assert response.status_code == 200
        slugs += [html.unescape(slug) for slug in TITLE.findall(response.content.decode())]
        page += 1


@pytest.fixture
def mou() -> Agreement:
    mininfra = OrganisationFactory(
        name="Ministry of Infrastructure", acronym="MININFRA", kind=Organisation.Kind.MINISTRY, country=country("RWA")
    )
    kpa = OrganisationFactory(name="Kenya Ports Authority", acronym="KPA", country=country("KEN"))
    agreement = AgreementFactory(
        title="Memorandum of Understanding establishing a Kenya Ports Authority liaison office in Kigali",
        slug="rwanda-kenya-kpa-liaison-office-kigali-mou-2026",
        scope=Agreement.Scope.BILATERAL,
        is_binding=False,
        summary="Establishes a KPA liaison office in Kigali.",
        announced_on=dt.date(2025, 12, 1),
        announced_precision=DatePrecision.MONTH,
        signed_on=dt.date(2026, 1, 22),
        place="Kigali",
        published=True,
    )
    PartyFactory(agreement=agreement, country=country("RWA"), institution=mininfra)
    PartyFactory(agreement=agreement, country=country("KEN"), institution=kpa)
    SignatoryFactory(
        agreement=agreement,
        name="Canoth Manishimwe",
        position="Permanent Secretary",
        country=country("RWA"),
        role=Signatory.Role.PRESIDED,
        order=1,
    )
    SignatoryFactory(
        agreement=agreement,
        name="Mohamed Daghar",
        honorific="CBS",
        position="Principal Secretary",
        country=country("KEN"),
        order=2,
    )
    agreement.topics.set(
        [
            TopicFactory(name="Trade facilitation", slug="trade-facilitation"),
            TopicFactory(name="Ports and logistics", slug="ports-and-logistics"),
        ]
    )
    agreement.corridors.add(Corridor.objects.create(name="Northern Corridor", slug="northern-corridor"))
    AgreementSourceFactory(
        agreement=agreement,
        source=SourceFactory(
            title="Rwanda and Kenya formalise agreement",
            url="https://example.org/kpa-liaison-office",
            kind=Source.Kind.NEWS_REPORT,
        ),
    )
    AgreementSourceFactory(agreement=agreement, source=SourceFactory(title="Ministry release", url=""))
    return agreement


def test_header_is_the_contract_columns_in_order_then_the_extras(client, mou):
    header, _, _, _ = download(client)

    assert header == CONTRACT_COLUMNS + EXTRA_COLUMNS
    assert header == HEADER


def test_exact_row_for_a_known_agreement(client, mou):
    _, rows, _, _ = download(client)

    assert rows == [
        [
            str(mou.pk),
            "Memorandum of Understanding establishing a Kenya Ports Authority liaison office in Kigali",
            "mou",
            "signed",
            "RWA; KEN",
            "Rwanda; Kenya",
            "RWA: Ministry of Infrastructure; KEN: Kenya Ports Authority",
            "2026-01-22",
            "Kigali",
            "",
            "",
            "Ports and logistics; Trade facilitation",
            "Northern Corridor",
            "Canoth Manishimwe (Permanent Secretary, RWA); Mohamed Daghar, CBS (Principal Secretary, KEN)",
            "Rwanda and Kenya formalise agreement <https://example.org/kpa-liaison-office>; Ministry release",
            "http://testserver/agreements/rwanda-kenya-kpa-liaison-office-kigali-mou-2026/",
            "2025-12-01",
            "bilateral",
            "no",
            "Establishes a KPA liaison office in Kigali.",
            "",
            "",
            "",
            "day",
            "",
            "",
            "month",
        ]
    ]


def test_dates_keep_their_precision_and_end_dates_show(client):
    AgreementFactory(
        published=True,
        status=Agreement.Status.EXPIRED,
        signed_on=dt.date(1999, 1, 1),
        signed_precision=DatePrecision.YEAR,
        in_force_on=dt.date(2000, 7, 1),
        in_force_precision=DatePrecision.MONTH,
        ended_on=dt.date(2010, 12, 31),
    )

    header, rows, _, _ = download(client)
    row = dict(zip(header, rows[0], strict=True))

    # Full dates (the first day of a year or month known alone), each with its precision.
    assert (row["signed_on"], row["in_force_on"], row["ended_on"], row["announced_on"]) == (
        "1999-01-01",
        "2000-07-01",
        "2010-12-31",
        "",
    )
    assert (row["signed_precision"], row["in_force_precision"], row["ended_precision"]) == ("year", "month", "day")
    assert row["announced_precision"] == ""  # no date, no precision


def test_a_streamed_utf8_file_with_a_bom_and_a_filename_that_says_what_and_when(client, mou):
    _, _, response, body = download(client, "party=rwa&party=KEN&kind=mou&signed_from=2026")

    assert response.streaming
    assert body[:3] == b"\xef\xbb\xbf"
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    filename = FILENAME.match(response["Content-Disposition"]).group(1)
    assert filename.startswith("tradepacts-agreements-party-RWA-KEN_kind-mou_signed_from-2026-")
    assert len(filename) <= 150


def test_the_filename_of_everything_and_of_hostile_parameters(client, mou):
    _, _, everything, _ = download(client)
    assert re.fullmatch(
        r'attachment; filename="tradepacts-agreements-\d{8}T\d{4}Z\.csv"', everything["Content-Disposition"]
    )

    _, _, response, _ = download(client, "q=" + "%22%3B%0D%0AX-Evil%3A+1+" * 40 + "&sort=title")
    header = response["Content-Disposition"]
    filename = FILENAME.match(header).group(1)
    assert len(filename) <= 150
    assert "\r" not in header and "\n" not in header and header.count('"') == 2


@pytest.mark.parametrize(
    "query",
    [
        "",
        "sort=oldest",
        "sort=title",
        "sort=relevance",
        "kind=mou&kind=treaty",
        "party=KEN",
        "signed_from=2001&signed_to=2002-06-30",
        "topic=energy",
        "q=ports&sort=relevance",
        "q=ports&sort=relevance&topic=energy&kind=treaty",
    ],
)
def test_same_rows_in_the_same_order_as_the_list(client, query):
    energy = TopicFactory(slug="energy")
    for n in range(70):
        agreement = AgreementFactory(
            title=f"Agreement {(n * 37) % 70:02d}",
            kind=Agreement.Kind.TREATY if n % 3 else Agreement.Kind.MOU,
            # Many share a date: ties are broken the same way in both.
            signed_on=dt.date(2000 + n % 5, 1 + n % 12, 1) if n % 7 else None,
            status=Agreement.Status.SIGNED if n % 7 else Agreement.Status.ANNOUNCED,
            # Ranked differently by PostgreSQL's full-text search.
            summary="Ports, ports and more ports." if n % 3 == 0 else "Ports." if n % 3 == 1 else "Roads.",
            published=True,
        )
        PartyFactory(agreement=agreement, country=country("KEN" if n % 2 else "UGA"))
        if n % 4 == 0:
            agreement.topics.add(energy)
    AgreementFactory(title="A draft", published=False)
    reindex(Agreement.objects.values_list("pk", flat=True))

    header, rows, _, _ = download(client, query)
    exported = [row[header.index("url")].rsplit("/", 2)[1] for row in rows]

    assert exported == list_order(client, query)
    assert exported, "the fixture has rows for every query"


def test_formula_like_cells_are_neutralised_numbers_stay_numbers(client):
    agreement = AgreementFactory(
        title='=HYPERLINK("http://evil.example","click")',
        summary="+1 555 0100",
        place="@Kigali",
        published=True,
    )
    # The agreements importer keeps a leading space; a semicolon-locale spreadsheet splits at ";".
    AgreementFactory(title="Later", summary=" =cmd|' /C calc'!A0", place=";=2+2", signed_on=None, published=True)
    PartyFactory(agreement=agreement, country=country("KEN"), institution=OrganisationFactory(name="-Minus Authority"))
    SignatoryFactory(agreement=agreement, name="\tTabbed", position="", country=country("KEN"))

    header, rows, _, body = download(client)
    row, later = (dict(zip(header, r, strict=True)) for r in rows)

    assert later["summary"] == "' =cmd|' /C calc'!A0" and later["signed_place"] == "';=2+2"
    assert b'"\';=2+2"' in body  # quoted too: no separator inside it can start a cell
    assert row["title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["summary"] == "'+1 555 0100"
    assert row["signed_place"] == "'@Kigali"
    # Cells that merely contain such text further on are left alone.
    assert row["institutions"] == "KEN: -Minus Authority"
    assert row["signatories"] == "'\tTabbed (KEN)"
    assert row["id"] == str(agreement.pk) and row["id"].isdigit()


def test_accents_are_intact(client):
    agreement = AgreementFactory(title="Accord de coopération", published=True)
    PartyFactory(agreement=agreement, country=country("CIV"))
    PartyFactory(agreement=agreement, country=country("TUR"))

    header, rows, _, body = download(client)
    row = dict(zip(header, rows[0], strict=True))

    assert row["party_names"] == "Côte d'Ivoire; Türkiye"
    assert row["title"] == "Accord de coopération"
    assert "Côte d'Ivoire".encode() in body


def test_no_match_is_a_header_only_file(client, mou):
    header, rows, _, _ = download(client, "kind=treaty")
    assert header == HEADER and rows == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("party=XYZ", "party: Unknown country code: XYZ."),
        ("signed_from=2026&signed_to=2025", "signed_to: Must not be before “Signed from”."),
        ("signed_from=2026-02-30", "signed_from: “2026-02-30” is not a real date."),
        ("kind=nope", "kind: Select a valid choice. nope is not one of the available choices."),
        ("topic=no-such-topic", "topic: Select a valid choice. no-such-topic is not one of the available choices."),
    ],
)
def test_an_invalid_filter_is_a_400_with_the_message_never_an_empty_file(client, mou, query, message):
    response = client.get(f"/agreements/export.csv?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert not response.streaming
    assert "Content-Disposition" not in response
    text = response.content.decode()
    assert text.startswith("The filters are not valid; nothing was exported.\n")
    assert message in text.splitlines()


def export_sql(query: str) -> str:
    """The one query that reads the export's rows: the COPY on PostgreSQL, else the query
    whose rows are written here."""
    filterset = AgreementFilterSet(QueryDict(query), queryset=Agreement.objects.published())
    assert filterset.is_valid()
    copied = copy_query(filterset.qs, "http://testserver/agreements/") if connection.vendor == "postgresql" else None
    return copied[0] if copied else export_query(filterset.qs)[0]


def test_one_query_reads_every_row_whatever_their_number(client):
    """Country choices and the party filter's check, then one query (no literal id list) for
    every row and every child table, each aggregated once."""
    topic = TopicFactory()
    corridor = Corridor.objects.create(name="Northern Corridor", slug="northern-corridor")

    def make(n: int) -> None:
        for _ in range(n):
            agreement = bilateral("RWA", "KEN", published=True)
            agreement.topics.add(topic)
            agreement.corridors.add(corridor)
            SignatoryFactory(agreement=agreement, country=country("KEN"))
            AgreementSourceFactory(agreement=agreement)

    def django_queries() -> tuple[int, list[list[str]]]:
        with CaptureQueriesContext(connection) as queries:
            _, rows, _, _ = download(client, "party=KEN")
        return len([q for q in queries.captured_queries if "agreements_" in q["sql"]]), rows

    make(3)
    few_queries, few = django_queries()
    make(27)
    many_queries, many = django_queries()

    assert len(few) == 3 and len(many) == 30
    assert few_queries == many_queries
    export = export_sql("party=KEN")
    # parties, topics, corridors, signatories, sources: each read once, for the selection.
    assert export.count("GROUP BY") == 6
    assert export.count("export_selection") >= 1 + 6  # the selection, and each child restricted to it
    assert not re.search(r"IN \(\d+(, \d+)+\)", export)
