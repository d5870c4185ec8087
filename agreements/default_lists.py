"""What every list of agreements shows by default, the one rule the agreement list's FilterSet
and the country, pair and corridor pages share: the agreements in the default lists
(``Agreement.in_default_lists``: no accession instrument nor consolidated version, their base
shows them), and the accession instruments by which one of the countries a list is about
joined (Rwanda's page and ``/agreements/?party=RWA`` show Rwanda's accession to the EAC,
not Burundi's).
"""

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from agreements.models import AgreementRelation, Country, Party


def acceded_by(country: Country | OuterRef, outer: str = "pk") -> Exists:
    """True for accession instruments (``outer`` names their id) by which ``country`` joined
    their base agreement: a party of the base that joined it on or after the instrument's
    signature (a country that joined earlier is a party of later accessions too)."""
    prefix = "" if outer == "pk" else outer.removesuffix("_id") + "__"
    return Exists(
        Party.objects.filter(
            Q(country=country),  # a Q: the type checker knows no OuterRef for a foreign key
            joined_on__gte=OuterRef(f"{prefix}signed_on"),
            agreement__inbound_relations__kind=AgreementRelation.Kind.ACCESSION_TO,
            agreement__inbound_relations__from_agreement=OuterRef(outer),
        )
    )


def shown_for(*countries: Country, outer: str = "pk") -> Q:
    """What a list about ``countries`` shows (``outer`` names the agreement's id): the default
    lists' agreements, and the accessions by which one of ``countries`` joined. With no
    country, the default lists' agreements alone."""
    prefix = "" if outer == "pk" else outer.removesuffix("_id") + "__"
    condition = Q(**{f"{prefix}in_default_lists": True})
    for country in countries:
        condition |= Q(acceded_by(country, outer))
    return condition


def listed_agreement_count() -> Coalesce:
    """For each country (the outer query's ``pk``): how many published agreements its list
    (``/agreements/?party=<ISO3>``) and its page show, as a subquery. Counting every party
    row of a published agreement counted the others' accession instruments too (Rwanda 33
    on /countries/, 20 on its page, with the registry loaded)."""
    own = Q(agreement__in_default_lists=True) | Q(acceded_by(OuterRef("country"), outer="agreement_id"))
    counts = (
        Party.objects.filter(country=OuterRef("pk"), agreement__is_published=True)
        .filter(own)
        .order_by()
        .values("country")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)
