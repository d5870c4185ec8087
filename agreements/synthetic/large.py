"""One very large agreement, shaped like the Cotonou Agreement (106 parties): the
fixture the admin's change page is measured with (its tests and ``make bench``)."""

from __future__ import annotations

import datetime as dt

from django.utils.text import slugify

from agreements.models import Agreement, AgreementSource, Country, Organisation, Party, Signatory, Source, Topic


def build_large_agreement(parties: int = 106, title: str = "Cotonou Agreement (synthetic, large)") -> Agreement:
    """An agreement with ``parties`` country parties, each acting through a ministry
    of its own and with one signatory, plus a few sources and topics."""
    countries = list(Country.objects.filter(is_historic=False).order_by("iso3")[:parties])
    if len(countries) < parties:
        raise ValueError(f"Only {len(countries)} current countries: cannot make {parties} parties.")
    slug = slugify(title)[:50]
    agreement = Agreement.objects.create(
        title=title,
        slug=slug,
        kind=Agreement.Kind.EPA,
        scope=Agreement.Scope.PLURILATERAL,
        status=Agreement.Status.SIGNED,
        signed_on=dt.date(2000, 6, 23),
        place="Cotonou",
    )
    existing = {o.country_id: o for o in Organisation.objects.filter(name="Ministry of Trade", country__in=countries)}
    Organisation.objects.bulk_create(
        Organisation(
            name="Ministry of Trade",
            slug=f"ministry-of-trade-{c.iso3.lower()}",
            kind=Organisation.Kind.MINISTRY,
            country=c,
        )
        for c in countries
        if c.pk not in existing
    )
    by_country = {o.country_id: o for o in Organisation.objects.filter(name="Ministry of Trade", country__in=countries)}
    ministries = [by_country[c.pk] for c in countries]
    Party.objects.bulk_create(
        Party(agreement=agreement, country=c, institution=m, signed_on=dt.date(2000, 6, 23))
        for c, m in zip(countries, ministries, strict=True)
    )
    Signatory.objects.bulk_create(
        Signatory(
            agreement=agreement,
            name=f"Signatory for {c.name}"[:200],
            position="Minister of Trade",
            country=c,
            organisation=m,
            order=i,
        )
        for i, (c, m) in enumerate(zip(countries, ministries, strict=True))
    )
    for i in range(3):
        source, _ = Source.objects.get_or_create(
            url=f"https://example.org/{slug}/{i}", defaults={"title": f"{title}, source {i}"}
        )
        AgreementSource.objects.create(agreement=agreement, source=source)
    for name in ("Trade", "Development cooperation"):
        topic, _ = Topic.objects.get_or_create(name=name, defaults={"slug": slugify(name)})
        agreement.topics.add(topic)
    return agreement
