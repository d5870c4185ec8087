"""What every list of agreements shows by default, the one rule the agreement list's FilterSet
and the country, pair and corridor pages share: the agreements in the default lists
(``Agreement.in_default_lists``: no accession instrument nor consolidated version, their base
shows them), and the accession instruments by which one of the countries a list is about
joined (Rwanda's page and ``/agreements/?party=RWA`` show Rwanda's accession to the EAC,
not Burundi's).

The accessions are found by uncorrelated subqueries (``id IN (...)``), which PostgreSQL reads
once and hashes: a correlated EXISTS beside ``in_default_lists OR`` ran once per row, and made
``/agreements/?party=KEN``'s count 4x and its facets 2x slower on the 100,000-agreement bench.
"""

from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet

from agreements.models import AgreementRelation, Country, Party


def accession_joins(**party: Any) -> QuerySet:
    """Accession instruments with the parties of their base agreement that joined by them: a
    party of the base that joined it on or after the instrument's signature (a country that
    joined earlier is a party of later accessions too). ``party`` narrows those parties, in the
    same filter() so that it is the same party row."""
    return AgreementRelation.objects.filter(
        kind=AgreementRelation.Kind.ACCESSION_TO,
        # Those the default lists show already need no finding: few are left (an index finds them).
        from_agreement__in_default_lists=False,
        to_agreement__parties__joined_on__gte=F("from_agreement__signed_on"),
        **party,
    ).order_by()


def own_accessions(*countries: Country) -> QuerySet:
    """The ids of the accession instruments by which one of ``countries`` joined their base agreement."""
    return accession_joins(to_agreement__parties__country__in=countries).values("from_agreement_id")


def _own_accession(country: Country, outer: str, prefix: str) -> Exists:
    """``own_accessions`` for one agreement (``outer`` names its id), tested per row."""
    return Exists(
        Party.objects.filter(
            country=country,
            joined_on__gte=OuterRef(f"{prefix}signed_on"),
            agreement__inbound_relations__kind=AgreementRelation.Kind.ACCESSION_TO,
            agreement__inbound_relations__from_agreement=OuterRef(outer),
        )
    )


def shown_for(*countries: Country, outer: str = "pk", per_row: bool = False) -> Q:
    """What a list about ``countries`` shows (``outer`` names the agreement's id): the default
    lists' agreements, and the accessions by which one of ``countries`` joined. With no
    country, the default lists' agreements alone.

    The accessions are one set of ids, read once into a hash: the test of each of Kenya's 19,484
    agreements stays index-only. A pair's few hundred agreements, found from the two countries'
    parties first, are better tested one by one (``per_row``): with the set, the planner scans
    every published agreement instead (the pair's count took 38 ms instead of 18)."""
    prefix = "" if outer == "pk" else outer.removesuffix("_id") + "__"
    condition = Q(**{f"{prefix}in_default_lists": True})
    if countries and per_row:
        for country in countries:
            condition |= Q(_own_accession(country, outer, prefix))
    elif countries:
        condition |= Q(**{f"{outer}__in": own_accessions(*countries)})
    return condition


def listed_for(*countries: Country) -> Q:
    """``shown_for(*countries)`` for the agreement list, whose count and facets repeat it: the
    accessions' ids read first (one small query), and with none (most countries; every one on
    the synthetic bench) the plain ``in_default_lists`` its indexes serve. Even a hashed
    ``OR id IN (...)`` made PostgreSQL filter every published row instead of reading the index:
    ``?party=KEN``'s count 22 -> 34 ms, its facets 160 -> 230 ms on the 100,000-agreement bench."""
    ids = list(own_accessions(*countries).values_list("from_agreement_id", flat=True)) if countries else []
    return Q(in_default_lists=True) | Q(pk__in=ids) if ids else Q(in_default_lists=True)


# For Country rows: their parties in the default lists' published agreements (with own_accession_counts,
# what each country's list shows).
LISTED_PARTIES = Q(parties__agreement__is_published=True, parties__agreement__in_default_lists=True)


def own_accession_counts() -> dict[int, int]:
    """{country id: how many published accession instruments it joined its base by}, for every
    country in one query, from the few agreements the default lists leave out. With LISTED_PARTIES,
    how many agreements each country's list and page show: counting every party row of a published
    agreement counted the others' accession instruments too (Rwanda 33 on /countries/, 20 on its
    page, with the registry loaded). As one correlated subquery per country it took seconds."""
    rows = (
        Party.objects.filter(
            agreement__is_published=True,
            agreement__in_default_lists=False,
            agreement__relations__kind=AgreementRelation.Kind.ACCESSION_TO,
            agreement__relations__to_agreement__parties__country=F("country"),
            agreement__relations__to_agreement__parties__joined_on__gte=F("agreement__signed_on"),
        )
        .order_by()
        .values("country_id")
        .annotate(n=Count("agreement_id", distinct=True))
    )
    return {row["country_id"]: row["n"] for row in rows}
