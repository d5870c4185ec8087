"""A corridor's route as two server-drawn SVG diagrams of the same nodes: a wide
one (nodes left to right along a line, names slanted above it, country bands
below) and a tall one for phones (nodes top to bottom, name and facts beside
each, country bands on the left). corridors.css shows the one that fits.

Each node is a circle with a letter for its kind (P port, I inland container
depot ...) and a ring for its status (solid: operational; dashed: under
construction; dotted: planned; grey: closed); each country band is a run of
consecutive nodes in one country, shaded by the country's role on the corridor.
The geometry is computed here, so it is unit-tested (corridors/tests/
test_diagram.py at 2 and 40 nodes): at any number of nodes the wide drawing
keeps neighbouring slanted names at least a line apart, and nothing leaves
the view box.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from corridors.models import CorridorMember, Node

KIND_LETTERS: dict[str, str] = {
    Node.Kind.SEAPORT: "P",
    Node.Kind.ICD: "I",
    Node.Kind.DRY_PORT: "D",
    Node.Kind.LOGISTICS_PLATFORM: "L",
    Node.Kind.OIL_TERMINAL: "O",
    Node.Kind.BORDER_POST: "B",
    Node.Kind.RAIL_LINE: "R",
    Node.Kind.CITY: "C",
}

# The wide drawing (desktop): the page is 60rem wide.
WIDE_WIDTH = 920
WIDE_MARGIN = 40  # room for the first and last markers and the slanted names' feet
MAX_STEP = 150
LABEL_ANGLE = 60  # degrees above the horizontal
FONT = 13
LABEL_CHARS = 30  # longer names are cut with "…" (the full name is in the table and the tooltip)
CHAR_WIDTH = 0.58 * FONT  # an average character of a sans-serif face
RADIUS = 11
LINE_Y_OFFSET = 16  # between the slanted names' feet and the line

# The tall drawing (phones): fits a 375 px screen less the page's padding.
TALL_WIDTH = 340
ROW = 52
TALL_TOP = 16
BAND_WIDTH = 40
LINE_X = 62
TEXT_X = 84
TALL_CHARS = 30


@dataclass(frozen=True)
class DrawnNode:
    node: Node
    x: float
    y: float
    letter: str
    label: str  # possibly shortened
    label_x: float = 0
    label_y: float = 0

    @property
    def facts_y(self) -> float:
        """The tall drawing's second line (kind and status)."""
        return self.label_y + 17

    @property
    def status_class(self) -> str:
        return f"route-map__node--{self.node.status}"


@dataclass(frozen=True)
class Band:
    """A run of consecutive nodes in one country."""

    iso3: str
    name: str
    role: str
    start: float  # x (wide) or y (tall) where it begins
    end: float
    text: str  # what fits: the name, the ISO3 code, or nothing
    text_x: float
    text_y: float

    @property
    def size(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Diagram:
    width: float
    height: float
    line_start: tuple[float, float]
    line_end: tuple[float, float]
    nodes: list[DrawnNode]
    bands: list[Band]
    band_y: float = 0  # wide: the bands' top
    band_height: float = 0
    step: float = 0  # between neighbouring nodes
    label_angle: float = 0  # wide: degrees the names slant up

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:g} {self.height:g}"


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _runs(nodes: list[Node]) -> list[tuple[int, int]]:
    """[first, last] indexes of each run of consecutive nodes in the same country."""
    runs: list[tuple[int, int]] = []
    for i, node in enumerate(nodes):
        if runs and nodes[runs[-1][0]].country_id == node.country_id:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _roles(members: list[CorridorMember]) -> dict[int, str]:
    return {m.country_id: m.role for m in members}


def wide(nodes: list[Node], members: list[CorridorMember]) -> Diagram:
    """Left to right; names slanted up and to the right of their node."""
    n = len(nodes)
    labels = [shorten(node.name, LABEL_CHARS) for node in nodes]
    longest = max((len(label) for label in labels), default=0) * CHAR_WIDTH
    angle = math.radians(LABEL_ANGLE)
    # The last name reaches right of its node by its length's horizontal part.
    right_margin = max(WIDE_MARGIN, longest * math.cos(angle) + 12)
    step = min(MAX_STEP, (WIDE_WIDTH - WIDE_MARGIN - right_margin) / (n - 1)) if n > 1 else 0
    span = step * (n - 1)
    left = WIDE_MARGIN + (WIDE_WIDTH - WIDE_MARGIN - right_margin - span) / 2
    top = 8 + longest * math.sin(angle) + FONT
    line_y = top + LINE_Y_OFFSET
    roles = _roles(members)
    drawn = [
        DrawnNode(
            node,
            left + i * step,
            line_y,
            KIND_LETTERS.get(node.kind, "?"),
            labels[i],
            label_x=left + i * step + 4,
            label_y=line_y - RADIUS - 6,
        )
        for i, node in enumerate(nodes)
    ]
    band_y = line_y + RADIUS + 8
    band_height = 24
    bands = []
    for first, last in _runs(nodes):
        half = step / 2 if n > 1 else 40
        start = max(4, drawn[first].x - half + 1)
        end = min(WIDE_WIDTH - 4, drawn[last].x + half - 1)
        country = nodes[first].country
        width = end - start
        if len(country.name) * CHAR_WIDTH * 0.9 + 8 <= width:
            text = country.name
        elif width >= 3 * CHAR_WIDTH * 0.9 + 4:
            text = country.iso3
        else:
            text = ""
        bands.append(
            Band(
                country.iso3,
                country.name,
                roles.get(country.pk, ""),
                start,
                end,
                text,
                (start + end) / 2,
                band_y + band_height / 2,
            )
        )
    return Diagram(
        width=WIDE_WIDTH,
        height=band_y + band_height + 8,
        line_start=(max(4, left - 20), line_y),
        line_end=(min(WIDE_WIDTH - 4, left + span + 20), line_y),
        nodes=drawn,
        bands=bands,
        band_y=band_y,
        band_height=band_height,
        step=step,
        label_angle=LABEL_ANGLE,
    )


def tall(nodes: list[Node], members: list[CorridorMember]) -> Diagram:
    """Top to bottom; each node's name and facts beside it, its country's band on the left."""
    roles = _roles(members)
    drawn = [
        DrawnNode(
            node,
            LINE_X,
            TALL_TOP + ROW / 2 + i * ROW,
            KIND_LETTERS.get(node.kind, "?"),
            shorten(node.name, TALL_CHARS),
            label_x=TEXT_X,
            label_y=TALL_TOP + ROW / 2 + i * ROW - 4,
        )
        for i, node in enumerate(nodes)
    ]
    bands = []
    for first, last in _runs(nodes):
        start = TALL_TOP + first * ROW + 2
        end = TALL_TOP + (last + 1) * ROW - 2
        country = nodes[first].country
        bands.append(
            Band(
                country.iso3,
                country.name,
                roles.get(country.pk, ""),
                start,
                end,
                country.iso3,
                BAND_WIDTH / 2,
                (start + end) / 2,
            )
        )
    height = TALL_TOP * 2 + ROW * len(nodes)
    return Diagram(
        width=TALL_WIDTH,
        height=height,
        line_start=(LINE_X, TALL_TOP + ROW / 2),
        line_end=(LINE_X, height - TALL_TOP - ROW / 2),
        nodes=drawn,
        bands=bands,
        step=ROW,
    )


@dataclass(frozen=True)
class RouteMap:
    wide: Diagram
    tall: Diagram
    kinds: list[tuple[str, str]]  # (letter, label) of the kinds on this route
    statuses: list[tuple[str, str]]  # (value, label) of the statuses on this route
    roles: list[tuple[str, str]]  # (value, label) of the roles of the countries drawn
    # Members with no node recorded, in route order: named under the drawing.
    without_nodes: list[CorridorMember]


def route_map(nodes: list[Node], members: list[CorridorMember]) -> RouteMap | None:
    """Both drawings of ``nodes`` (in route order, with their countries loaded); None without nodes."""
    if not nodes:
        return None
    kinds = {node.kind for node in nodes}
    statuses = {node.status for node in nodes}
    drawn_countries = {node.country_id for node in nodes}
    roles = {m.role for m in members if m.country_id in drawn_countries}
    return RouteMap(
        wide(nodes, members),
        tall(nodes, members),
        [(KIND_LETTERS[k], label) for k, label in Node.Kind.choices if k in kinds],
        [(s, label) for s, label in Node.Status.choices if s in statuses],
        [(r, label) for r, label in CorridorMember.Role.choices if r in roles],
        [m for m in members if m.country_id not in drawn_countries],
    )
