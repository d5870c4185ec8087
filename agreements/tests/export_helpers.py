"""A fixture with a value in every column of the agreements CSV, and the export
of it as the code before the set-based export wrote it (``data/export_reference.csv``),
so the test can check the rows and cells are the same, column by column."""

import csv
import datetime as dt
import io
from pathlib import Path

from django.core.management import call_command

from agreements.models import Agreement, DatePrecision, Signatory, Source
from agreements.tests.factories import (
    AgreementFactory,
    AgreementSourceFactory,
    OrganisationFactory,
    PartyFactory,
    SignatoryFactory,
    SourceFactory,
    TopicFactory,
    country,
)
from tradepacts.csv import BOM, TRAILER_PREFIX

REFERENCE = Path(__file__).parent / "data" / "export_reference.csv"
# The id column differs between databases and runs: the file names the agreement by slug.
ID_PLACEHOLDER = "id-of:"


def build_export_fixture() -> None:
    """The demo data (corridors, sources, signatories, institutions), and agreements
    that exercise what the demo does not: an institution acting alone, every date
    precision, an end date, several topics and corridors (their order), signatories
    with and without honorific, position and country, a source without a URL, a
    binding agreement, accents, formula-like text, a draft (never exported)."""
    call_command("load_demo", verbosity=0)
    corridor_model = Agreement._meta.get_field("corridors").related_model
    corridors = list(corridor_model.objects.order_by("name"))
    au = OrganisationFactory(name="African Union Commission", acronym="AUC", country=None)
    kra = OrganisationFactory(name="Kenya Revenue Authority", acronym="KRA", country=country("KEN"))
    customs = AgreementFactory(
        title="Protocol on customs cooperation (Côte d'Ivoire, Türkiye, Kenya)",
        slug="fixture-customs-protocol",
        kind=Agreement.Kind.PROTOCOL,
        scope=Agreement.Scope.PLURILATERAL,
        status=Agreement.Status.TERMINATED,
        is_binding=True,
        summary='Customs cooperation, with a "quoted" word, a comma, and a second line.\nEnds here.',
        place="Abidjan",
        announced_on=dt.date(2009, 1, 1),
        announced_precision=DatePrecision.YEAR,
        signed_on=dt.date(2010, 5, 1),
        signed_precision=DatePrecision.MONTH,
        in_force_on=dt.date(2011, 2, 14),
        ended_on=dt.date(2020, 12, 31),
        published=True,
    )
    PartyFactory(agreement=customs, country=country("CIV"))
    PartyFactory(agreement=customs, country=country("TUR"))
    PartyFactory(agreement=customs, country=country("KEN"), institution=kra)
    PartyFactory(agreement=customs, country=None, institution=au)
    customs.topics.set(
        [
            TopicFactory(name="Zoning rules", slug="zoning-rules"),
            TopicFactory(name="Customs cooperation", slug="customs-cooperation"),
            TopicFactory(name="Tariffs", slug="tariffs"),
        ]
    )
    customs.corridors.set(corridors[::-1])
    SignatoryFactory(agreement=customs, name="Second Signer", honorific="", position="", country=None, order=2)
    SignatoryFactory(
        agreement=customs,
        name="First Signer",
        honorific="EGH",
        position="Commissioner General",
        country=country("KEN"),
        role=Signatory.Role.PRESIDED,
        order=1,
    )
    SignatoryFactory(agreement=customs, name="No Position", position="", country=country("TUR"), order=3)
    AgreementSourceFactory(
        agreement=customs,
        source=SourceFactory(title="Gazette notice", url="https://example.org/gazette", kind=Source.Kind.NEWS_REPORT),
    )
    AgreementSourceFactory(agreement=customs, source=SourceFactory(title="Unpublished minutes", url=""))
    AgreementFactory(
        title="=1+1 formula-like title",
        slug="fixture-formula",
        kind=Agreement.Kind.MOU,
        status=Agreement.Status.ANNOUNCED,
        signed_on=None,
        announced_on=dt.date(2025, 3, 4),
        summary="@SUM(A1) and -2 and +3",
        place="-Kigali",
        published=True,
    )
    AgreementFactory(title="A draft nobody may see", slug="fixture-draft")


def read_export(body: bytes) -> tuple[list[str], list[list[str]]]:
    """The header and rows of an agreements CSV, without the BOM and the completion trailer."""
    assert body.startswith(BOM.encode())
    text = body[len(BOM.encode()) :].decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if rows and rows[-1] and rows[-1][0].startswith(TRAILER_PREFIX):
        rows.pop()
    return rows[0], rows[1:]


def with_id_placeholders(header: list[str], rows: list[list[str]]) -> list[list[str]]:
    """Rows with each id replaced by the slug it belongs to (read from the url column)."""
    id_at, url_at = header.index("id"), header.index("url")
    result = []
    for row in rows:
        row = list(row)
        row[id_at] = ID_PLACEHOLDER + row[url_at].rstrip("/").rsplit("/", 1)[1]
        result.append(row)
    return result
