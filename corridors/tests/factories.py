"""factory_boy factories for the corridors app.

A node's country must be a member of its corridor (checked by PostgreSQL at
commit): build nodes with ``node()``, which adds the membership when missing,
or give ``NodeFactory`` a country you have made a member with ``member()``.
"""

import factory
from factory.django import DjangoModelFactory

from agreements.tests.factories import country
from corridors.models import Corridor, CorridorAgreement, CorridorMember, Indicator, IndicatorObservation, Node
from corridors.periods import Period


class CorridorFactory(DjangoModelFactory):
    class Meta:
        model = Corridor

    name = factory.Sequence(lambda n: f"Corridor {n}")
    slug = factory.Sequence(lambda n: f"corridor-{n}")
    gateway_port = "Mombasa"


class CorridorMemberFactory(DjangoModelFactory):
    class Meta:
        model = CorridorMember

    corridor = factory.SubFactory(CorridorFactory)
    country = factory.LazyFunction(lambda: country("KEN"))
    position = factory.Sequence(lambda n: n + 1)
    role = CorridorMember.Role.TRANSIT


class NodeFactory(DjangoModelFactory):
    """A Kenyan seaport; the corridor must have Kenya as a member (see ``node()``)."""

    class Meta:
        model = Node

    corridor = factory.SubFactory(CorridorFactory)
    name = factory.Sequence(lambda n: f"Node {n}")
    kind = Node.Kind.SEAPORT
    country = factory.LazyFunction(lambda: country("KEN"))
    position = factory.Sequence(lambda n: n + 1)


class CorridorAgreementFactory(DjangoModelFactory):
    class Meta:
        model = CorridorAgreement

    corridor = factory.SubFactory(CorridorFactory)
    agreement = factory.SubFactory("agreements.tests.factories.AgreementFactory")


def member(corridor: Corridor, iso3: str, **kwargs) -> CorridorMember:
    """Make country ``iso3`` a member of ``corridor``, after the existing ones."""
    kwargs.setdefault("position", corridor.memberships.count() + 1)
    return CorridorMemberFactory(corridor=corridor, country=country(iso3), **kwargs)


def node(corridor: Corridor, iso3: str, **kwargs) -> Node:
    """A node of ``corridor`` in country ``iso3``, which becomes a member if it is not one."""
    if not corridor.memberships.filter(country__iso3=iso3).exists():
        member(corridor, iso3)
    return NodeFactory(corridor=corridor, country=country(iso3), **kwargs)


def corridor_through(*iso3s: str, **kwargs) -> Corridor:
    """A corridor whose members are ``iso3s`` in route order, the first as gateway."""
    corridor = CorridorFactory(**kwargs)
    for position, iso3 in enumerate(iso3s, start=1):
        role = CorridorMember.Role.GATEWAY if position == 1 else CorridorMember.Role.TRANSIT
        member(corridor, iso3, position=position, role=role)
    return corridor


class IndicatorFactory(DjangoModelFactory):
    """Cargo in tonnes, additive (shares are derived for it)."""

    class Meta:
        model = Indicator
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Indicator {n}")
    slug = factory.Sequence(lambda n: f"indicator-{n}")
    unit = "t"
    additive = True


def cargo() -> Indicator:
    return IndicatorFactory(slug="cargo", name="Cargo throughput", unit="t", additive=True)


def figure(corridor: Corridor, period: str, value, destination: str | None = "RWA", **kwargs) -> IndicatorObservation:
    """A figure of ``corridor`` for ``period`` ("2024", "2024-Q3"), by default Rwandan cargo.

    The destination becomes a member of the corridor when it is not one.
    """
    kwargs.setdefault("indicator", cargo())
    parsed = Period.parse(period)
    destination_country = None
    if destination:
        destination_country = country(destination)
        if not corridor.memberships.filter(country=destination_country).exists():
            member(corridor, destination)
    return IndicatorObservation.objects.create(
        corridor=corridor,
        destination=destination_country,
        period_kind=parsed.kind,
        period_start=parsed.start,
        value=value,
        **kwargs,
    )
