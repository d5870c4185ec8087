"""The demo records as the three seed documents give them: topics, organisations, sources, blocs and
agreements (with their parties and signatories). ``agreements.demo.loading`` writes them."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from agreements.models import (
    Agreement,
    DatePrecision,
    Organisation,
    Signatory,
    Source,
)

DAY, YEAR = DatePrecision.DAY, DatePrecision.YEAR

TOPICS = {
    "trade-facilitation": "Trade facilitation",
    "ports-and-logistics": "Ports and logistics",
    "infrastructure": "Infrastructure",
    "energy": "Energy",
    "security": "Security",
    "investment": "Investment",
    "customs": "Customs",
    "transport": "Transport",
    "communications": "Communications",
    "regional-integration": "Regional integration",
}

# Organisation slugs, used by corridors.demo too.
MININFRA = "rwanda-ministry-of-infrastructure"
KPA = "kenya-ports-authority"
KENYA_TRANSPORT_MINISTRY = "kenya-ministry-of-roads-and-transport"
KENYA_TRANSPORT_DEPARTMENT = "kenya-state-department-for-transport"
NCTTCA = "ncttca"
CCTTFA = "ccttfa"

# Parents before children.
ORGANISATIONS: list[dict[str, Any]] = [
    {
        "slug": MININFRA,
        "name": "Ministry of Infrastructure",
        "acronym": "MININFRA",
        "kind": Organisation.Kind.MINISTRY,
        "country": "RWA",
    },
    {
        "slug": KPA,
        "name": "Kenya Ports Authority",
        "acronym": "KPA",
        "kind": Organisation.Kind.PORT_AUTHORITY,
        "country": "KEN",
    },
    {
        "slug": KENYA_TRANSPORT_MINISTRY,
        "name": "Ministry of Roads and Transport",
        "kind": Organisation.Kind.MINISTRY,
        "country": "KEN",
    },
    {
        "slug": KENYA_TRANSPORT_DEPARTMENT,
        "name": "State Department for Transport",
        "kind": Organisation.Kind.STATE_DEPARTMENT,
        "country": "KEN",
        "parent": KENYA_TRANSPORT_MINISTRY,
    },
    {
        "slug": NCTTCA,
        "name": "Northern Corridor Transit and Transport Coordination Authority",
        "acronym": "NCTTCA",
        "kind": Organisation.Kind.INTERGOVERNMENTAL,
    },
    {
        "slug": CCTTFA,
        "name": "Central Corridor Transit Transport Facilitation Agency",
        "acronym": "CCTTFA",
        "kind": Organisation.Kind.INTERGOVERNMENTAL,
    },
]

# Sources are keyed on their citation, which names the seed file: the seeds
# give no URL, the only other unique key a source has.
SEED_000 = "Seed document 000_b07fd40c718f813e.txt"
SEED_001 = "Seed document 001_6172554d1eeb85f0.txt"
SEED_002 = "Seed document 002_35638e2e9e8c7b3f.txt"

SOURCES: list[dict[str, Any]] = [
    {
        # The text has no headline and no date: the title is its first sentence, shortened.
        "citation": SEED_000,
        "title": "Rwanda and Tanzania agree to deepen cooperation in trade, infrastructure and security",
        "kind": Source.Kind.NEWS_REPORT,
        "published_on": None,
    },
    {
        # No headline either; dated in its dateline ("Kenya, 24 January 2026").
        "citation": SEED_001,
        "title": "Rwanda and Kenya formalise agreement to deepen cooperation on logistics and trade facilitation",
        "kind": Source.Kind.NEWS_REPORT,
        "published_on": dt.date(2026, 1, 24),
    },
    {
        # The Ministry's own account, under its headline; it does not say when it was published.
        "citation": SEED_002,
        "title": "Rwanda and Kenya Deepen Regional Trade Cooperation with Establishment of KPA Liaison Office in Kigali",
        "publisher": "Ministry of Infrastructure, Rwanda",
        "kind": Source.Kind.OFFICIAL_RELEASE,
        "published_on": None,
    },
]

EAC_TREATY_IN_FORCE = dt.date(2000, 7, 7)

BLOCS: list[dict[str, Any]] = [
    {
        "code": "EAC",
        "name": "East African Community",
        "founded_on": EAC_TREATY_IN_FORCE,
        # (country, joined, precision)
        "members": [
            ("KEN", EAC_TREATY_IN_FORCE, DAY),
            ("TZA", EAC_TREATY_IN_FORCE, DAY),
            ("UGA", EAC_TREATY_IN_FORCE, DAY),
            ("BDI", dt.date(2007, 7, 1), DAY),
            ("RWA", dt.date(2007, 7, 1), DAY),
            ("SSD", dt.date(2016, 1, 1), YEAR),
            ("COD", dt.date(2022, 1, 1), YEAR),
            ("SOM", dt.date(2024, 1, 1), YEAR),
        ],
    },
    # Named in seeds 001 and 002; its membership is out of the demo's scope.
    {"code": "AfCFTA", "name": "African Continental Free Trade Area", "founded_on": None, "members": []},
]

# Agreement slugs, used by corridors.demo too.
RWANDA_TANZANIA_TALKS = "rwanda-tanzania-cooperation-dar-es-salaam-2026"
KPA_LIAISON_OFFICE_MOU = "rwanda-kenya-kpa-liaison-office-kigali-mou-2026"
CORRIDOR_AGENCIES_MOC = "northern-central-corridor-agencies-moc"


@dataclass
class PartyData:
    country: str | None
    institution: str | None = None


@dataclass
class SignatoryData:
    name: str
    position: str
    country: str
    organisation: str | None = None
    honorific: str = ""
    role: str = Signatory.Role.PRESIDED


@dataclass
class AgreementData:
    slug: str
    fields: dict[str, Any]
    parties: list[PartyData]
    signatories: list[SignatoryData] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    # (source citation, what it supports)
    citations: list[tuple[str, str]] = field(default_factory=list)


AGREEMENTS = [
    AgreementData(
        slug=RWANDA_TANZANIA_TALKS,
        fields={
            # Seed 000 reports what the leaders agreed after talks, not a signed text.
            "title": "Rwanda–Tanzania agreement to deepen cooperation in trade, infrastructure and security",
            "kind": Agreement.Kind.COMMUNIQUE,
            "scope": Agreement.Scope.BILATERAL,
            "status": Agreement.Status.ANNOUNCED,
            "is_binding": False,
            # The report is undated; it gives bilateral trade for the whole of
            # 2025 as reached, so the talks were held in 2026: the year only.
            "announced_on": dt.date(2026, 1, 1),
            "announced_precision": YEAR,
            "place": "Dar es Salaam",
            "summary": (
                "Following talks in Dar es Salaam between President Paul Kagame and President Samia Suluhu "
                "Hassan, Rwanda and Tanzania agreed to deepen cooperation in trade, infrastructure and security: "
                "to remove non-tariff barriers, boost investment and accelerate the development of key "
                "infrastructure, including transport, energy and communications; to collaborate more closely on "
                "security and defence; and to coordinate more closely on regional and global issues, "
                "particularly within the East African Community."
            ),
        },
        parties=[PartyData("RWA"), PartyData("TZA")],
        signatories=[
            SignatoryData("Paul Kagame", "President of Rwanda", "RWA"),
            SignatoryData("Samia Suluhu Hassan", "President of Tanzania", "TZA"),
        ],
        topics=[
            "trade-facilitation",
            "infrastructure",
            "security",
            "investment",
            "energy",
            "transport",
            "communications",
        ],
        citations=[(SEED_000, "The talks, the leaders and the areas of cooperation agreed.")],
    ),
    AgreementData(
        slug=KPA_LIAISON_OFFICE_MOU,
        fields={
            "title": "Memorandum of Understanding establishing a Kenya Ports Authority liaison office in Kigali",
            "kind": Agreement.Kind.MOU,
            "scope": Agreement.Scope.BILATERAL,
            "status": Agreement.Status.SIGNED,
            "is_binding": False,
            "signed_on": dt.date(2026, 1, 22),
            "signed_precision": DAY,
            "place": "Kigali",
            "summary": (
                "Establishes a Kenya Ports Authority (KPA) liaison office in Kigali, a single interface between "
                "Rwanda's public and private sector stakeholders and KPA, bringing services at the Port of Mombasa "
                "closer to Rwandan businesses: better coordination and access to port services, cargo tracking "
                "and predictability, shorter transit times and lower logistics costs along the Northern Corridor. "
                "Signed between Rwanda's Ministry of Infrastructure (MININFRA) and KPA; MININFRA hosted the "
                "signing ceremony in Kigali."
            ),
        },
        parties=[PartyData("RWA", MININFRA), PartyData("KEN", KPA)],
        signatories=[
            SignatoryData("Canoth Manishimwe", "Permanent Secretary", "RWA", MININFRA),
            SignatoryData("Mohamed Daghar", "Principal Secretary", "KEN", KENYA_TRANSPORT_DEPARTMENT, honorific="CBS"),
        ],
        # Seed 002: "a focus on trade facilitation, logistics efficiency and regional integration".
        topics=["ports-and-logistics", "trade-facilitation", "regional-integration"],
        citations=[
            (SEED_001, "The parties (MININFRA and KPA), the liaison office and the Northern Corridor."),
            (SEED_002, "Date and place of the signing ceremony, the officials who presided, the MoU's aims."),
        ],
    ),
    AgreementData(
        slug=CORRIDOR_AGENCIES_MOC,
        fields={
            "title": "Memorandum of cooperation between the Northern and Central Corridor transport agencies",
            "kind": Agreement.Kind.MOC,
            "scope": Agreement.Scope.INSTITUTIONAL,
            # Seed 001 (24 January 2026) calls it "recently signed" and gives no
            # date, so even the year is unknown (it could be 2025): signed, undated.
            "status": Agreement.Status.SIGNED,
            "is_binding": False,
            "summary": (
                "A memorandum of cooperation between the Northern and Central Corridor transport agencies to "
                "streamline border operations, harmonise road and rail connections and align policies across "
                "transit networks. Reported on 24 January 2026 as recently signed; the date of signing is not given."
            ),
        },
        parties=[PartyData(None, NCTTCA), PartyData(None, CCTTFA)],
        topics=["transport", "trade-facilitation"],
        citations=[(SEED_001, "Reported as recently signed, with its aims; no date given.")],
    ),
]
