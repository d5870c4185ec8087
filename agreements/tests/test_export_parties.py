"""/agreements/export.csv?shape=parties: one row per party of exactly the agreements the
list's filters select, in the list's order, with each party's own dates and precisions;
the same trailer, formula rule and per-client cap as the agreements shape; a bad shape is
a 400 that says which shapes there are."""

import io

import pandas as pd
import pytest
from django.core.cache import cache
from django.core.signals import request_finished
from django.db import close_old_connections
from django.http import QueryDict

from agreements.filters import AgreementFilterSet
from agreements.models import Agreement, Party
from agreements.party_export import PARTY_HEADER, party_rows
from agreements.tests.export_helpers import read_export
from agreements.tests.format_helpers import build_format_fixture
from tradepacts.csv import complete_rows, csv_lines

pytestmark = pytest.mark.django_db

PARTY_DATES = ["signed", "ratified", "joined", "withdrew"]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # the per-client export places live there
    yield
    cache.clear()


def download(client, query: str) -> tuple[list[str], list[list[str]], bytes]:
    response = client.get(f"/agreements/export.csv?{query}")
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content)
    header, rows = read_export(body)
    assert complete_rows(body) == len(rows)
    return header, rows, body


def expected_rows(agreement_ids: list[int]) -> list[list[str]]:
    """Each agreement's parties as the database holds them, in the agreements' order, by id."""
    rows = []
    for agreement_id in agreement_ids:
        for party in Party.objects.filter(agreement_id=agreement_id).select_related("agreement").order_by("id"):
            title = party.agreement.title
            cells = [
                str(agreement_id),
                "'" + title if title.startswith("=") else title,
                f"http://testserver/agreements/{party.agreement.slug}/",
                party.country.iso3 if party.country else "",
                party.country.name if party.country else "",
                party.institution.name if party.institution else "",
            ]
            for name in PARTY_DATES:
                value = getattr(party, f"{name}_on")
                cells += [value.isoformat(), getattr(party, f"{name}_precision")] if value else ["", ""]
            rows.append(cells)
    return rows


@pytest.mark.parametrize(
    "query",
    ["", "party=KEN", "party=RWA&sort=title", "party=KEN&party=RWA&match=any&sort=oldest", "kind=protocol"],
)
def test_the_rows_are_the_parties_of_the_agreements_the_same_filter_exports(client, query):
    build_format_fixture()
    agreements_header, agreements, _ = download(client, query)
    header, rows, _ = download(client, f"{query}&shape=parties")

    assert header == PARTY_HEADER
    ids = [int(row[agreements_header.index("id")]) for row in agreements]
    assert ids  # every query selects something
    assert rows == expected_rows(ids)


def test_the_header_names_each_party_date_and_its_precision():
    assert PARTY_HEADER == [
        "agreement_id",
        "agreement_title",
        "agreement_url",
        "party",
        "party_name",
        "institution",
        "signed_on",
        "signed_precision",
        "ratified_on",
        "ratified_precision",
        "joined_on",
        "joined_precision",
        "withdrew_on",
        "withdrew_precision",
    ]


def test_per_party_dates_institutions_and_drafts(client):
    fixture = build_format_fixture()
    header, rows, _ = download(client, "shape=parties")
    cells = [dict(zip(header, row, strict=True)) for row in rows]

    assert {c["agreement_id"] for c in cells} == {
        str(a.pk) for a in (fixture.kigali, fixture.customs, fixture.corridor)
    }
    uganda = next(c for c in cells if c["party"] == "UGA")
    assert (uganda["joined_on"], uganda["joined_precision"]) == ("2003-01-01", "year")
    assert (uganda["withdrew_on"], uganda["withdrew_precision"]) == ("2008-06-30", "day")
    kenya = next(c for c in cells if c["agreement_id"] == str(fixture.kigali.pk) and c["party"] == "KEN")
    assert (kenya["institution"], kenya["ratified_on"], kenya["ratified_precision"]) == (
        "Kenya Ports Authority",
        "2026-03-01",
        "month",
    )
    alone = next(c for c in cells if c["institution"] == "Northern Corridor Authority #2")
    assert (alone["party"], alone["party_name"]) == ("", "")


def test_pandas_reads_the_party_shape_with_dates_as_dates(client):
    build_format_fixture()
    _, _, body = download(client, "shape=parties")
    dates = [f"{name}_on" for name in PARTY_DATES]
    frame = pd.read_csv(io.BytesIO(body), comment="#", parse_dates=dates)

    assert len(frame) == 7
    assert frame["agreement_id"].dtype.kind == "i"
    for column in dates:
        assert pd.api.types.is_datetime64_any_dtype(frame[column]), column
    assert frame["joined_on"].notna().sum() == frame["joined_precision"].notna().sum() == 1
    assert "Northern Corridor Authority #2" in set(frame["institution"])  # "#" inside a quoted cell


def test_the_file_is_named_for_its_shape_and_filters(client):
    build_format_fixture()
    response = client.get("/agreements/export.csv?party=KEN&shape=parties")

    assert response["Content-Disposition"].startswith('attachment; filename="tradepacts-agreement-parties-party-KEN-')


@pytest.mark.parametrize("shape", ["party", "PARTIES", "<script>"])
def test_an_unknown_shape_is_a_400_that_names_the_shapes(client, shape):
    response = client.get("/agreements/export.csv", {"shape": shape})

    assert response.status_code == 400
    text = response.content.decode()
    assert f"Unknown shape “{shape}”" in text and "agreements" in text and "parties" in text
    assert response["Content-Type"].startswith("text/plain")


def test_invalid_filters_are_a_400_in_this_shape_too(client):
    response = client.get("/agreements/export.csv?shape=parties&party=XXX")

    assert response.status_code == 400
    assert "Unknown country code: XXX" in response.content.decode()


def test_the_per_client_cap_counts_this_shape(client, settings):
    build_format_fixture()
    settings.EXPORTS_PER_CLIENT = 1
    first = client.get("/agreements/export.csv?shape=parties")  # streaming: holds its place until closed
    refused = client.get("/agreements/export.csv?shape=parties")

    assert refused.status_code == 429 and refused["Retry-After"]
    request_finished.disconnect(close_old_connections)  # as a WSGI server closes it, keeping the test's connection
    try:
        first.close()
    finally:
        request_finished.connect(close_old_connections)
    assert client.get("/agreements/export.csv?shape=parties").status_code == 200


@pytest.mark.postgres
def test_postgresql_writes_the_same_cells_as_the_python_path(client):
    """PostgreSQL writes this shape itself (COPY: LF line ends); its cells are party_rows'."""
    build_format_fixture()
    for query in ("", "party=KEN&sort=title"):
        _, copied, body = download(client, f"{query}&shape=parties")
        queryset = AgreementFilterSet(QueryDict(query), queryset=Agreement.objects.published()).qs
        python_body = b"".join(csv_lines(PARTY_HEADER, party_rows(queryset, "http://testserver/agreements/")))

        assert b"\r\n" not in body and b"\r\n" in python_body  # two paths indeed
        assert copied == read_export(python_body)[1]
