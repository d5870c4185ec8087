"""The demo corridors along their routes: the Northern Corridor from Mombasa and the Central Corridor
from Dar es Salaam, their member countries and nodes in route order, their coordinating authorities
and the demo agreements that concern them."""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from agreements import demo as agreements_demo
from agreements.demo import countries, prune, upsert
from agreements.models import Agreement, Organisation, Source
from corridors.models import Corridor, CorridorAgreement, CorridorMember, Node

GATEWAY, TRANSIT, DESTINATION = (
    CorridorMember.Role.GATEWAY,
    CorridorMember.Role.TRANSIT,
    CorridorMember.Role.DESTINATION,
)
OPERATIONAL = Node.Status.OPERATIONAL


@dataclass
class NodeData:
    name: str
    kind: str
    country: str
    status: str = OPERATIONAL
    description: str = ""


@dataclass
class CorridorData:
    slug: str
    fields: dict[str, Any]
    authority: str
    # (country, role), in route order from the gateway
    members: list[tuple[str, str]]
    # in route order from the gateway
    nodes: list[NodeData]
    agreements: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


CORRIDORS = [
    CorridorData(
        slug="northern-corridor",
        fields={
            "name": "Northern Corridor",
            "gateway_port": "Mombasa",
            "description": (
                "The principal artery linking the Port of Mombasa to inland markets such as Uganda, Rwanda, "
                "Burundi and parts of the Democratic Republic of Congo."
            ),
        },
        authority=agreements_demo.NCTTCA,
        members=[
            ("KEN", GATEWAY),
            ("UGA", TRANSIT),
            ("RWA", DESTINATION),
            ("BDI", DESTINATION),
            ("COD", DESTINATION),
            ("SSD", DESTINATION),
        ],
        nodes=[
            NodeData("Port of Mombasa", Node.Kind.SEAPORT, "KEN", description="One of the region's busiest gateways."),
            NodeData(
                "Kipevu Oil Terminal",
                Node.Kind.OIL_TERMINAL,
                "KEN",
                description=(
                    "Its completion was presented at the signing of the KPA liaison office MoU in Kigali on "
                    "22 January 2026; expected to improve efficiency in the handling of petroleum products."
                ),
            ),
            NodeData(
                "Standard Gauge Railway (SGR)",
                Node.Kind.RAIL_LINE,
                "KEN",
                description="Its expansions aim to lower costs and improve turnaround times for cargo bound inland.",
            ),
            # Seed 001 speaks of Mombasa's "inland container depots" without
            # naming one; Nairobi's is the best known of them.
            NodeData(
                "Nairobi Inland Container Depot",
                Node.Kind.ICD,
                "KEN",
                description="One of the inland container depots that extend the Port of Mombasa's capacity.",
            ),
            # The seeds name no border post; these are the corridor's main crossings on the way to Kigali.
            NodeData(
                "Malaba one-stop border post",
                Node.Kind.BORDER_POST,
                "KEN",
                description="The Kenya-Uganda crossing (not named in the seed documents).",
            ),
            NodeData(
                "Gatuna one-stop border post",
                Node.Kind.BORDER_POST,
                "RWA",
                description="The Uganda-Rwanda crossing at Gatuna/Katuna (not named in the seed documents).",
            ),
            NodeData(
                "Kigali Logistics Platform",
                Node.Kind.LOGISTICS_PLATFORM,
                "RWA",
                description="Significantly cut turnaround times for trucks handling cargo.",
            ),
            NodeData(
                "Masaka dry port",
                Node.Kind.DRY_PORT,
                "RWA",
                description="Significantly cut turnaround times for trucks handling cargo.",
            ),
        ],
        agreements=[agreements_demo.KPA_LIAISON_OFFICE_MOU, agreements_demo.CORRIDOR_AGENCIES_MOC],
        sources=[agreements_demo.SEED_001, agreements_demo.SEED_002],
    ),
    CorridorData(
        slug="central-corridor",
        fields={
            "name": "Central Corridor",
            "gateway_port": "Dar es Salaam",
            "description": (
                "From Tanzania's Port of Dar es Salaam, through which a majority of Rwandan imports have "
                "historically passed."
            ),
        },
        authority=agreements_demo.CCTTFA,
        members=[
            ("TZA", GATEWAY),
            ("RWA", DESTINATION),
            ("BDI", DESTINATION),
            ("UGA", DESTINATION),
            ("COD", DESTINATION),
        ],
        nodes=[
            NodeData(
                "Port of Dar es Salaam",
                Node.Kind.SEAPORT,
                "TZA",
                description="Tanzania's ports carry about 70% of Rwanda's imports and exports (seed 000).",
            ),
            # The seeds name no other node of this corridor; its crossing into Rwanda:
            NodeData(
                "Rusumo one-stop border post",
                Node.Kind.BORDER_POST,
                "RWA",
                description="The Tanzania-Rwanda crossing (not named in the seed documents).",
            ),
        ],
        agreements=[agreements_demo.RWANDA_TANZANIA_TALKS, agreements_demo.CORRIDOR_AGENCIES_MOC],
        sources=[agreements_demo.SEED_000, agreements_demo.SEED_001],
    ),
]


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Load or refresh the demo corridors; returns how many rows of each kind the demo holds."""
    country = countries({iso3 for data in CORRIDORS for iso3, _ in data.members})
    authorities = Organisation.objects.in_bulk([data.authority for data in CORRIDORS], field_name="slug")
    agreements = Agreement.objects.in_bulk([s for data in CORRIDORS for s in data.agreements], field_name="slug")
    citations = {c for data in CORRIDORS for c in data.sources}
    sources = {s.citation: s for s in Source.objects.filter(citation__in=citations)}

    counts = {"corridors": 0, "corridor members": 0, "nodes": 0, "corridor agreements": 0}
    for data in CORRIDORS:
        corridor = upsert(
            Corridor, {"slug": data.slug}, {**data.fields, "coordinating_authority": authorities[data.authority]}
        )

        # Removed rows go first, so their route positions are free again.
        member_countries = [country[iso3] for iso3, _ in data.members]
        prune(corridor.nodes.all(), list(corridor.nodes.filter(name__in=[n.name for n in data.nodes])))
        prune(corridor.memberships.all(), list(corridor.memberships.filter(country__in=member_countries)))

        for position, (iso3, role) in enumerate(data.members, start=1):
            upsert(
                CorridorMember, {"corridor": corridor, "country": country[iso3]}, {"position": position, "role": role}
            )
        for position, node in enumerate(data.nodes, start=1):
            upsert(
                Node,
                {"corridor": corridor, "name": node.name},
                {
                    "kind": node.kind,
                    "country": country[node.country],
                    "position": position,
                    "status": node.status,
                    "description": node.description,
                },
            )

        kept_links = [
            upsert(CorridorAgreement, {"corridor": corridor, "agreement": agreements[slug]}, {})
            for slug in data.agreements
        ]
        prune(corridor.agreement_links.all(), kept_links)
        corridor.sources.set([sources[citation] for citation in data.sources])

        counts["corridors"] += 1
        counts["corridor members"] += len(data.members)
        counts["nodes"] += len(data.nodes)
        counts["corridor agreements"] += len(kept_links)
    return counts
