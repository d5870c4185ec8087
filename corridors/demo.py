"""The corridors of the demo data: the Northern Corridor from Mombasa and the
Central Corridor from Dar es Salaam, their member countries and nodes in route
order, the demo agreements that concern them, and their indicator figures.

Figures from the seeds, each citing its seed document and keeping its hedge:
Rwandan cargo through the Port of Mombasa, "approximately 600,000 metric
tonnes in 2024" and "more than 800,000 metric tonnes in 2025" (seed 002); and
"about 70% of Rwandan imports and exports" passing through Tanzania's ports
(seed 000), a share of trade (not of tonnes) stated at the 2026 talks without
a period, recorded on the Central Corridor (gateway Dar es Salaam) for 2026.

Synthetic figures, flagged ``is_synthetic`` and cited to a source titled
"Synthetic corridor figures (not observed)", so that the charts and the
split between corridors have periods to show: Rwandan cargo via the Northern
Corridor 2019-2023 and via the Central Corridor 2019-2025, and both by quarter
from 2025-Q1 to 2026-Q3 (around the January 2026 MoU). Pages mark them.

Runs after ``agreements.demo.load_demo()``, whose organisations, sources and
agreements it links to; re-running changes nothing (see ``agreements.demo``).
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from agreements import demo as agreements_demo
from agreements.demo import countries, prune, upsert
from agreements.models import Agreement, Organisation, Source
from corridors.models import Corridor, CorridorAgreement, CorridorMember, Indicator, IndicatorObservation, Node
from corridors.periods import Period

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


# --- indicators and figures -----------------------------------------------------------------

CARGO, TRANSIT_TIME, DWELL_TIME, TRADE_SHARE = "cargo-throughput", "transit-time", "port-dwell-time", "trade-share"
INDICATORS = [
    {
        "slug": CARGO,
        "name": "Cargo throughput",
        "unit": "t",
        "better": Indicator.Better.HIGHER,
        "additive": True,
        "description": "Cargo through the corridor's gateway port bound for (or from) the destination country, in "
        "metric tonnes.",
    },
    {
        "slug": TRANSIT_TIME,
        "name": "Transit time",
        "unit": "hours",
        "better": Indicator.Better.LOWER,
        "additive": False,
        "description": "From the gateway port to the destination country's border or inland depot.",
    },
    {
        "slug": DWELL_TIME,
        "name": "Port dwell time",
        "unit": "hours",
        "better": Indicator.Better.LOWER,
        "additive": False,
        "description": "How long cargo waits in the gateway port before it leaves.",
    },
    {
        "slug": TRADE_SHARE,
        "name": "Share of the destination's trade through the gateway",
        "unit": "%",
        "better": Indicator.Better.HIGHER,
        "additive": False,
        "description": "The part of the destination country's imports and exports (by value or volume, as the "
        "source says) passing through the corridor's gateway ports.",
    },
]

SYNTHETIC_SOURCE = {
    "citation": (
        "Generated by tradepacts' demo loader (corridors/demo.py) so that the corridor charts have periods to "
        "show. Not observed cargo: do not cite these figures."
    ),
    "title": "Synthetic corridor figures (not observed)",
    "kind": Source.Kind.DATASET,
}

# (corridor, indicator, destination, period, value, qualifier, seed citation, note)
SEED_FIGURES = [
    (
        "northern-corridor",
        CARGO,
        "RWA",
        "2024",
        "600000",
        IndicatorObservation.Qualifier.ABOUT,
        agreements_demo.SEED_002,
        "Rwandan cargo transiting through the Port of Mombasa: “approximately 600,000 metric tonnes in 2024”, "
        "as the Kenyan delegation said at the MoU signing in Kigali on 22 January 2026.",
    ),
    (
        "northern-corridor",
        CARGO,
        "RWA",
        "2025",
        "800000",
        IndicatorObservation.Qualifier.MORE_THAN,
        agreements_demo.SEED_002,
        "“More than 800,000 metric tonnes in 2025”, with “potential to reach one million metric tonnes in the "
        "near term”.",
    ),
    (
        "central-corridor",
        TRADE_SHARE,
        "RWA",
        "2026",
        "70",
        IndicatorObservation.Qualifier.ABOUT,
        agreements_demo.SEED_000,
        "“About 70% of Rwandan imports and exports passing through [Tanzania's] ports”, stated at the talks in "
        "Dar es Salaam (2026) without a period. Tanzania's ports as a whole, recorded on the Central Corridor "
        "(gateway: Dar es Salaam); a share of trade, not of tonnes.",
    ),
]

# Rwandan cargo in tonnes, synthetic: (corridor, period, value).
SYNTHETIC_FIGURES = [
    *(
        ("northern-corridor", str(year), value)
        for year, value in [(2019, 420000), (2020, 380000), (2021, 450000), (2022, 510000), (2023, 540000)]
    ),
    *(
        ("central-corridor", str(year), value)
        for year, value in [
            (2019, 1350000),
            (2020, 1240000),
            (2021, 1420000),
            (2022, 1510000),
            (2023, 1560000),
            (2024, 1580000),
            (2025, 1640000),
        ]
    ),
    *(
        ("northern-corridor", period, value)
        for period, value in [
            ("2025-Q1", 195000),
            ("2025-Q2", 200000),
            ("2025-Q3", 208000),
            ("2025-Q4", 217000),
            ("2026-Q1", 226000),
            ("2026-Q2", 238000),
            ("2026-Q3", 245000),
        ]
    ),
    *(
        ("central-corridor", period, value)
        for period, value in [
            ("2025-Q1", 405000),
            ("2025-Q2", 410000),
            ("2025-Q3", 410000),
            ("2025-Q4", 415000),
            ("2026-Q1", 412000),
            ("2026-Q2", 405000),
            ("2026-Q3", 410000),
        ]
    ),
]


@transaction.atomic
def load_indicator_demo() -> dict[str, int]:
    """The demo's indicators and figures (after ``load_demo``, whose corridors they belong to)."""
    indicators = {data["slug"]: upsert(Indicator, {"slug": data["slug"]}, data) for data in INDICATORS}
    corridors = Corridor.objects.in_bulk([data.slug for data in CORRIDORS], field_name="slug")
    country = countries({"RWA"})
    sources = {s.citation: s for s in Source.objects.filter(citation__in={f[6] for f in SEED_FIGURES})}
    synthetic = upsert(Source, {"citation": SYNTHETIC_SOURCE["citation"]}, SYNTHETIC_SOURCE)

    rows = [
        (corridor, indicator, iso3, period, Decimal(value), qualifier, sources[citation], note, False)
        for corridor, indicator, iso3, period, value, qualifier, citation, note in SEED_FIGURES
    ]
    rows += [
        (corridor, CARGO, "RWA", period, Decimal(value), "", synthetic, "", True)
        for corridor, period, value in SYNTHETIC_FIGURES
    ]
    kept = []
    for corridor, indicator, iso3, text, value, qualifier, source, note, is_synthetic in rows:
        period = Period.parse(text)
        kept.append(
            upsert(
                IndicatorObservation,
                {
                    "corridor": corridors[corridor],
                    "indicator": indicators[indicator],
                    "destination": country[iso3],
                    "period_kind": period.kind,
                    "period_start": period.start,
                },
                {
                    "value": value,
                    "qualifier": qualifier,
                    "source": source,
                    "note": note,
                    "is_synthetic": is_synthetic,
                },
            )
        )
    # Synthetic figures the demo no longer makes go; figures curators entered stay.
    prune(IndicatorObservation.objects.filter(is_synthetic=True, source=synthetic), kept)
    return {"indicators": len(indicators), "indicator figures": len(kept)}
