"""factory_boy factories for the agreements app.

Countries are reference data loaded by migration 0003: look them up with
``country("KEN")``, never create them. Factories save through
``Model.objects.create()``, so they bypass ``clean()`` on purpose: a test can
build a row the admin would refuse and see what the database does with it.

``AgreementFactory`` makes a signed, plurilateral draft. Plurilateral because
PostgreSQL checks at commit that a bilateral agreement has exactly two
countries as parties; use ``bilateral()`` for a valid bilateral one.
"""

import datetime as dt

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from agreements.models import (
    Agreement,
    AgreementRelation,
    AgreementSource,
    Bloc,
    BlocMembership,
    Country,
    ExternalIdentifier,
    Organisation,
    Party,
    RefreshRun,
    Signatory,
    Source,
    Topic,
)

# Countries the factories cycle through when a test names none.
DEFAULT_COUNTRIES = ["KEN", "UGA", "RWA", "TZA", "BDI", "SSD", "COD", "ETH"]


def country(iso3: str) -> Country:
    """A country loaded by migration, by its alpha-3 code."""
    return Country.objects.get(iso3=iso3)


def backdate(run: RefreshRun, **delta) -> RefreshRun:
    """The refresh run as if it had started ``delta`` (timedelta arguments) ago."""
    RefreshRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - dt.timedelta(**delta))
    run.refresh_from_db()
    return run


def _nth_country(n: int) -> Country:
    return country(DEFAULT_COUNTRIES[n % len(DEFAULT_COUNTRIES)])


class OrganisationFactory(DjangoModelFactory):
    """A Kenyan public agency unless told otherwise."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Authority {n}")
    slug = factory.Sequence(lambda n: f"authority-{n}")
    kind = Organisation.Kind.AGENCY
    country = factory.LazyFunction(lambda: country("KEN"))

    class Params:
        intergovernmental = factory.Trait(kind=Organisation.Kind.INTERGOVERNMENTAL, country=None)


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = Source

    title = factory.Sequence(lambda n: f"Press release {n}")
    publisher = "Ministry of Trade"
    url = factory.Sequence(lambda n: f"https://example.org/releases/{n}")
    kind = Source.Kind.OFFICIAL_RELEASE
    published_on = dt.date(2024, 3, 1)
    accessed_on = dt.date(2024, 3, 2)


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class AgreementFactory(DjangoModelFactory):
    """A signed plurilateral draft; ``AgreementFactory(published=True)`` publishes it."""

    class Meta:
        model = Agreement

    title = factory.Sequence(lambda n: f"Agreement on trade facilitation {n}")
    kind = Agreement.Kind.MOU
    scope = Agreement.Scope.PLURILATERAL
    status = Agreement.Status.SIGNED
    signed_on = dt.date(2024, 3, 1)
    is_published = False

    class Params:
        # Agreement.save() stamps published_at.
        published = factory.Trait(is_published=True)


class PartyFactory(DjangoModelFactory):
    """A country party; each new one takes the next country of DEFAULT_COUNTRIES."""

    class Meta:
        model = Party

    agreement = factory.SubFactory(AgreementFactory)
    country = factory.Sequence(_nth_country)


class SignatoryFactory(DjangoModelFactory):
    """A signatory with no country: give ``country=`` one of the agreement's parties."""

    class Meta:
        model = Signatory

    agreement = factory.SubFactory(AgreementFactory)
    name = factory.Sequence(lambda n: f"Signatory {n}")
    position = "Cabinet Secretary"
    role = Signatory.Role.SIGNED


class BlocFactory(DjangoModelFactory):
    class Meta:
        model = Bloc

    code = factory.Sequence(lambda n: f"BLOC{n}")
    name = factory.Sequence(lambda n: f"Economic Community {n}")


class BlocMembershipFactory(DjangoModelFactory):
    class Meta:
        model = BlocMembership

    bloc = factory.SubFactory(BlocFactory)
    country = factory.LazyFunction(lambda: country("KEN"))
    joined_on = dt.date(2000, 1, 1)


class AgreementSourceFactory(DjangoModelFactory):
    class Meta:
        model = AgreementSource

    agreement = factory.SubFactory(AgreementFactory)
    source = factory.SubFactory(SourceFactory)


class AgreementRelationFactory(DjangoModelFactory):
    class Meta:
        model = AgreementRelation

    from_agreement = factory.SubFactory(AgreementFactory)
    kind = AgreementRelation.Kind.AMENDS
    to_agreement = factory.SubFactory(AgreementFactory)


class ExternalIdentifierFactory(DjangoModelFactory):
    class Meta:
        model = ExternalIdentifier

    agreement = factory.SubFactory(AgreementFactory)
    scheme = ExternalIdentifier.Scheme.DESTA
    value = factory.Sequence(lambda n: str(1000 + n))


def bilateral(a: str = "RWA", b: str = "KEN", **kwargs) -> Agreement:
    """A bilateral agreement between countries ``a`` and ``b``, with its two parties."""
    agreement = AgreementFactory(scope=Agreement.Scope.BILATERAL, **kwargs)
    PartyFactory(agreement=agreement, country=country(a))
    PartyFactory(agreement=agreement, country=country(b))
    return agreement
