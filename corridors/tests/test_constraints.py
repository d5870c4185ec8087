"""Every database rule of the corridors app, shown by trying to break it.

Rows are written with ``objects.create()``, which skips ``clean()``. A node's
country being a member of its corridor is checked by PostgreSQL only, at commit.
"""

import datetime as dt

import pytest

from agreements.tests.constraint_helpers import breaks, breaks_at_commit, check_deferred_constraints
from agreements.tests.factories import AgreementFactory, country
from corridors.models import (
    Corridor,
    CorridorAgreement,
    CorridorMember,
    Indicator,
    IndicatorObservation,
    Node,
    ObservationStatistic,
)
from corridors.tests.factories import CorridorFactory, NodeFactory, cargo, corridor_through, member, node

pytestmark = pytest.mark.django_db

NODE_RULE = "corridors_node_country_is_member"


def test_corridor_name_is_unique():
    CorridorFactory(name="Northern Corridor")

    with breaks("corridors_corridor_name_key", sqlite_unique="corridors_corridor.name"):
        CorridorFactory(name="Northern Corridor")


def test_corridor_slug_is_unique():
    CorridorFactory(slug="northern-corridor")

    with breaks("corridors_corridor_slug_key", sqlite_unique="corridors_corridor.slug"):
        CorridorFactory(slug="northern-corridor")


def test_member_country_once():
    corridor = corridor_through("KEN", "UGA")

    with breaks(
        "corridors_corridormember_country_once",
        sqlite_unique="corridors_corridormember.corridor_id, corridors_corridormember.country_id",
    ):
        CorridorMember.objects.create(corridor=corridor, country=country("KEN"), position=3)


def test_member_unique_position():
    corridor = corridor_through("KEN", "UGA")

    with breaks(
        "corridors_corridormember_unique_position",
        sqlite_unique="corridors_corridormember.corridor_id, corridors_corridormember.position",
    ):
        CorridorMember.objects.create(corridor=corridor, country=country("RWA"), position=2)


def test_a_country_may_be_a_member_of_several_corridors():
    corridor_through("KEN", "UGA")
    corridor_through("TZA", "UGA")

    assert CorridorMember.objects.filter(country__iso3="UGA").count() == 2


def test_node_unique_position():
    corridor = corridor_through("KEN", "UGA")
    node(corridor, "KEN", name="Mombasa", position=1)

    with breaks("corridors_node_unique_position", sqlite_unique="corridors_node.corridor_id, corridors_node.position"):
        Node.objects.create(corridor=corridor, name="Nairobi ICD", kind="icd", country=country("KEN"), position=1)


def test_node_unique_name():
    corridor = corridor_through("KEN", "UGA")
    node(corridor, "KEN", name="Mombasa", position=1)

    with breaks("corridors_node_unique_name", sqlite_unique="corridors_node.corridor_id, corridors_node.name"):
        Node.objects.create(corridor=corridor, name="Mombasa", kind="seaport", country=country("KEN"), position=2)


def test_node_name_may_repeat_on_another_corridor():
    node(CorridorFactory(), "KEN", name="Mombasa")
    node(CorridorFactory(), "KEN", name="Mombasa")

    assert Node.objects.filter(name="Mombasa").count() == 2


def test_corridor_agreement_unique():
    corridor, agreement = CorridorFactory(), AgreementFactory()
    CorridorAgreement.objects.create(corridor=corridor, agreement=agreement)

    with breaks(
        "corridors_corridoragreement_unique",
        sqlite_unique="corridors_corridoragreement.corridor_id, corridors_corridoragreement.agreement_id",
    ):
        CorridorAgreement.objects.create(corridor=corridor, agreement=agreement)


# PostgreSQL only: a node's country is a member of its corridor --------------------------


@pytest.mark.postgres
def test_node_in_a_member_country_commits():
    corridor = corridor_through("KEN", "UGA")
    NodeFactory(corridor=corridor, country=country("UGA"), name="Malaba")

    check_deferred_constraints()


@pytest.mark.postgres
def test_node_in_a_country_that_is_not_a_member():
    corridor = corridor_through("KEN", "UGA")
    check_deferred_constraints()

    with breaks_at_commit(NODE_RULE):
        NodeFactory(corridor=corridor, country=country("TZA"), name="Dar es Salaam")


@pytest.mark.postgres
def test_node_moved_to_a_corridor_its_country_is_not_a_member_of():
    northern = corridor_through("KEN", "UGA")
    central = corridor_through("TZA", "RWA")
    malaba = node(northern, "UGA", name="Malaba")
    check_deferred_constraints()

    with breaks_at_commit(NODE_RULE):
        Node.objects.filter(pk=malaba.pk).update(corridor=central)


@pytest.mark.postgres
def test_removing_a_member_whose_country_has_a_node():
    corridor = corridor_through("KEN", "UGA")
    node(corridor, "UGA", name="Malaba")
    check_deferred_constraints()

    with breaks_at_commit(NODE_RULE):
        corridor.memberships.get(country__iso3="UGA").delete()


@pytest.mark.postgres
def test_removing_a_member_without_nodes_commits():
    corridor = corridor_through("KEN", "UGA")
    node(corridor, "KEN", name="Mombasa")
    check_deferred_constraints()

    corridor.memberships.get(country__iso3="UGA").delete()
    check_deferred_constraints()


@pytest.mark.postgres
def test_deleting_a_corridor_with_members_and_nodes_commits():
    corridor = corridor_through("KEN", "UGA")
    node(corridor, "KEN", name="Mombasa")
    node(corridor, "UGA", name="Malaba")
    check_deferred_constraints()

    corridor.delete()
    check_deferred_constraints()

    assert not Corridor.objects.exists()


def test_node_helper_makes_its_country_a_member():
    corridor = CorridorFactory()

    node(corridor, "UGA")

    assert list(corridor.members.values_list("iso3", flat=True)) == ["UGA"]


def test_member_helper_appends_to_the_route():
    corridor = corridor_through("KEN")

    member(corridor, "UGA")

    assert list(corridor.memberships.values_list("country__iso3", "position")) == [("KEN", 1), ("UGA", 2)]


# --- indicator figures ----------------------------------------------------------------------


def _figure(corridor, **kwargs) -> IndicatorObservation:
    values = {"indicator": cargo(), "destination": country("RWA"), "period_kind": "year", "value": 1}
    values.update(kwargs)
    values.setdefault("period_start", dt.date(2024, 1, 1))
    return IndicatorObservation.objects.create(corridor=corridor, **values)


def test_one_figure_per_corridor_indicator_destination_and_period():
    corridor = corridor_through("KEN", "RWA")
    _figure(corridor)
    _figure(corridor, period_kind="quarter")  # another kind of period: another figure
    _figure(corridor, destination=None)

    with breaks(
        "corridors_indicatorobservation_one_per_destination",
        sqlite_unique="corridors_indicatorobservation.corridor_id, corridors_indicatorobservation.indicator_id, "
        "corridors_indicatorobservation.destination_id, corridors_indicatorobservation.period_kind, "
        "corridors_indicatorobservation.period_start",
    ):
        _figure(corridor, value=2)


def test_one_figure_for_all_destinations_per_period():
    corridor = corridor_through("KEN", "RWA")
    _figure(corridor, destination=None)

    with breaks(
        "corridors_indicatorobservation_one_for_all_destinations",
        sqlite_unique="corridors_indicatorobservation.corridor_id, corridors_indicatorobservation.indicator_id, "
        "corridors_indicatorobservation.period_kind, corridors_indicatorobservation.period_start",
    ):
        _figure(corridor, destination=None, value=2)


@pytest.mark.parametrize(
    ("kind", "start"),
    [("year", (2024, 7, 1)), ("quarter", (2024, 2, 1)), ("month", (2024, 7, 2))],
)
def test_a_period_starts_on_its_first_day(kind, start):
    corridor = corridor_through("KEN", "RWA")
    with breaks("corridors_indicatorobservation_period_start_valid"):
        _figure(corridor, period_kind=kind, period_start=dt.date(*start))


def test_a_figure_is_not_negative():
    with breaks("corridors_indicatorobservation_value_not_negative"):
        _figure(corridor_through("KEN", "RWA"), value=-1)


def test_a_share_is_between_zero_and_one():
    observation = _figure(corridor_through("KEN", "RWA"))
    with breaks("corridors_observationstatistic_share_range"):
        ObservationStatistic.objects.create(observation=observation, share=2)


def test_an_indicator_says_which_way_is_better():
    with breaks("corridors_indicator_better_valid"):
        Indicator.objects.create(name="Dwell", slug="dwell", unit="hours", better="worse")
