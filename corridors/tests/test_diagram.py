"""The route diagram's geometry (corridors/diagram.py) at 2 and 40 nodes:
in order, inside the view box, names that do not overlap, bands per country."""

import math
from itertools import pairwise

import pytest

from corridors.diagram import CHAR_WIDTH, FONT, route_map
from corridors.models import Node
from corridors.tests.factories import corridor_through, node

pytestmark = pytest.mark.django_db


def build(count: int):
    corridor = corridor_through("KEN", "UGA", "RWA")
    countries = ["KEN"] * (count // 2) + ["UGA"] * (count // 4) + ["RWA"] * (count - count // 2 - count // 4)
    for position, iso3 in enumerate(countries, start=1):
        node(corridor, iso3, name=f"Node number {position} with a long name", position=position)
    nodes = list(corridor.nodes.select_related("country").order_by("position"))
    members = list(corridor.memberships.select_related("country"))
    return nodes, route_map(nodes, members)


@pytest.mark.parametrize("count", [2, 3, 40])
def test_wide_drawing(count):
    nodes, drawn = build(count)
    wide = drawn.wide
    xs = [d.x for d in wide.nodes]
    assert [d.node for d in wide.nodes] == nodes
    assert xs == sorted(xs) and len(set(xs)) == count, "left to right in route order"
    angle = math.radians(wide.label_angle)
    # Neighbouring slanted names are at least a line apart.
    assert wide.step * math.sin(angle) >= FONT
    for d in wide.nodes:
        reach = len(d.label) * CHAR_WIDTH
        assert d.x - 11 >= 0 and d.x + 11 <= wide.width
        assert d.label_x + reach * math.cos(angle) <= wide.width, d.label
        assert d.label_y - reach * math.sin(angle) >= 0, d.label
    assert wide.band_y + wide.band_height <= wide.height
    assert [b.iso3 for b in wide.bands] == [
        iso3 for iso3 in ("KEN", "UGA", "RWA") if any(n.country.iso3 == iso3 for n in nodes)
    ]
    for band in wide.bands:
        assert 0 <= band.start < band.end <= wide.width


@pytest.mark.parametrize("count", [2, 40])
def test_tall_drawing_fits_a_phone(count):
    _, drawn = build(count)
    tall = drawn.tall
    ys = [d.y for d in tall.nodes]
    assert ys == sorted(ys) and len(set(ys)) == count
    assert tall.width <= 343, "a 375 px screen less the page's padding"
    assert min(b - a for a, b in pairwise(ys)) >= 2 * FONT + 16, "two lines of text per node"
    assert all(d.y + 11 <= tall.height for d in tall.nodes)
    for d in tall.nodes:
        assert d.label_x + len(d.label) * CHAR_WIDTH * 14 / 13 <= tall.width + 8, d.label  # 14 px names
    assert sum(b.size for b in tall.bands) <= tall.height


def test_long_names_are_shortened_with_an_ellipsis():
    corridor = corridor_through("KEN")
    node(corridor, "KEN", name="A very long node name that goes on and on beyond any reason", position=1)
    node(corridor, "KEN", name="Short", position=2)
    drawn = route_map(list(corridor.nodes.select_related("country")), list(corridor.memberships.all()))
    assert drawn.wide.nodes[0].label.endswith("…") and len(drawn.wide.nodes[0].label) == 30
    assert drawn.wide.nodes[1].label == "Short"


def test_no_nodes_no_drawing():
    assert route_map([], []) is None


def test_every_kind_has_a_letter():
    from corridors.diagram import KIND_LETTERS

    assert set(KIND_LETTERS) == set(Node.Kind.values)
    assert len(set(KIND_LETTERS.values())) == len(KIND_LETTERS)
