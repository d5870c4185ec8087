from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agreements.models import Agreement, Country, Party
from agreements.models.dates import ShownDate
from agreements.models.ordering import PRINCIPAL_DATES, newest_first
from corridors.models import Corridor
from tradepacts.pagecache import derived

NEWEST = 10


@dataclass(frozen=True)
class AgreementRow:
    """One line of the home page's newest agreements."""

    agreement: Agreement
    parties: list[str]
    date: ShownDate | None


@dataclass(frozen=True)
class KindCount:
    label: str
    count: int


def _newest_agreements() -> list[AgreementRow]:
    """The newest published agreements (agreements.models.ordering), with their principal date.

    Two queries whatever the number of rows: the agreements, then their parties.
    """
    parties = Party.objects.select_related("country", "institution").order_by("id")
    agreements = (
        Agreement.objects.published()
        .listed()
        .prefetch_related(Prefetch("parties", queryset=parties))
        .order_by(*newest_first())[:NEWEST]
    )
    rows = []
    for agreement in agreements:
        field, label = next(((f, label) for f, label in PRINCIPAL_DATES if getattr(agreement, f)), ("", ""))
        rows.append(
            AgreementRow(
                agreement=agreement,
                # ISO3 codes; an institution acting alone (an intergovernmental body) by its acronym.
                # (A party has a country or an institution: a constraint of the table.)
                parties=[
                    p.country.iso3
                    if p.country
                    else (p.institution.acronym or p.institution.name)
                    if p.institution
                    else ""
                    for p in agreement.parties.all()
                ],
                date=ShownDate.of_field(agreement, field, label) if field else None,
            )
        )
    return rows


def _kind_and_status_counts() -> tuple[list[KindCount], list[KindCount]]:
    """Published agreements per kind and per status, in the order they are declared; those with
    none left out. One query. As the agreement list counts them (``listed``): an accession
    instrument or a consolidated version is counted with its base agreement, not again."""
    rows = Agreement.objects.published().listed().values_list("kind", "status").annotate(n=Count("id")).order_by()
    kinds: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    for kind, status, n in rows:
        kinds[kind] += n
        statuses[status] += n
    return (
        [KindCount(label, kinds[value]) for value, label in Agreement.Kind.choices if kinds[value]],
        [KindCount(label, statuses[value]) for value, label in Agreement.Status.choices if statuses[value]],
    )


def _counts() -> tuple[list[KindCount], list[KindCount], int]:
    """The home page's counts: by kind, by status, and the countries party to a published agreement."""
    published_party = Party.objects.filter(country=OuterRef("pk"), agreement__is_published=True)
    kinds, statuses = _kind_and_status_counts()
    return kinds, statuses, Country.objects.filter(Exists(published_party)).count()


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitors: the app answers and its database does."""
    Agreement.objects.exists()
    return HttpResponse("ok", content_type="text/plain")


def home(request: HttpRequest) -> HttpResponse:
    """What the tracker holds, its newest published agreements, and the corridors. Drafts never show."""
    # Counts over every published agreement (a third of a second at 100,000): kept until
    # the next write, so / stays quick while exports or anything else load the database.
    kinds, statuses, countries = derived("home-counts", _counts)
    corridors = list(Corridor.objects.only("name", "slug"))
    return render(
        request,
        "home.html",
        {
            "agreement_count": sum(k.count for k in kinds),
            "kind_counts": kinds,
            "status_counts": statuses,
            "country_count": countries,
            "corridors": corridors,
            "newest": _newest_agreements(),
        },
    )
