"""The rows synthetic agreements point to (countries and their activity, institutions, topics,
linked groups, the marker and dataset sources), loaded or created once per run, and the marks
every synthetic row carries."""

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.utils.text import slugify

from agreements.demo.seeds import TOPICS
from agreements.exports import LINKED_COLUMN
from agreements.extensions import linked_by_column
from agreements.models import (
    Agreement,
    Country,
    Organisation,
    Source,
    Topic,
)

SLUG_PREFIX = "syn-"
SYNTHETIC_URL = "https://example.org/synthetic/"
# Nothing synthetic happens after this day, so a seed gives the same data on any day.
END = dt.date(2026, 10, 31)
FIRST_YEAR = 1950
BATCH = 5000

TopicLink = Agreement.topics.through


# The most active countries, most active first; the others follow in a seeded order.
HUBS = [
    *("KEN", "CHN", "DEU", "RWA", "FRA", "USA", "TZA", "GBR", "UGA", "IND", "JPN", "TUR", "ZAF", "ARE", "NLD"),
    *("ETH", "ITA", "EGY", "BRA", "KOR", "BDI", "COD", "ESP", "CHE", "NGA", "SGP", "CAN", "SSD", "MAR", "AUS"),
]


EXTRA_TOPICS = {"agriculture": "Agriculture", "tourism": "Tourism", "digital-trade": "Digital trade"}
# (name, kind, the topic it handles): every current country gets these institutions.
INSTITUTIONS = [
    ("Ministry of Trade and Industry", Organisation.Kind.MINISTRY, "trade"),
    ("Ministry of Foreign Affairs", Organisation.Kind.MINISTRY, "foreign"),
    ("Ministry of Transport", Organisation.Kind.MINISTRY, "transport"),
    ("Investment Promotion Agency", Organisation.Kind.AGENCY, "investment"),
]


DATASETS = [
    ("regional-trade-instruments", "Regional Trade Instruments Register (synthetic)"),
    ("investment-treaties", "Bilateral Investment Treaties Compendium (synthetic)"),
    ("communiques", "Joint Communiqués Archive (synthetic)"),
    ("corridor-agreements", "Corridor Agreements Inventory (synthetic)"),
    ("customs-cooperation", "Customs Cooperation Instruments Database (synthetic)"),
]


@dataclass
class Reference:
    """The rows synthetic agreements point to, loaded or created once per run."""

    countries: list[Country]
    weights: list[float]
    institutions: dict[tuple[int, str], Organisation]
    topics: dict[str, Topic]
    # Another app's records agreements may be linked to, with their member countries (agreements.extensions).
    groups: list[tuple[Any, list[int]]]
    marker: Source
    datasets: dict[str, Source]

    def __post_init__(self) -> None:
        self.by_id = {c.pk: c for c in self.countries}
        self.ids = list(self.by_id)
        self.organisations = {o.pk: o for o in self.institutions.values()}
        total, self.cumulative = 0.0, []
        for weight in self.weights:
            total += weight
            self.cumulative.append(total)


def marker_title(seed: int) -> str:
    return f"Synthetic data (generate_synthetic, seed {seed})"


def _source(url: str, **values: Any) -> Source:
    """The source with this URL, created if missing."""
    source = Source.objects.filter(url=url).first()
    return source or Source.objects.create(url=url, **values)


def load_reference(seed: int) -> Reference:
    """Countries with their activity weights, topics, institutions, linked groups and sources."""
    rng = random.Random(f"reference-{seed}")
    countries = list(Country.objects.filter(is_historic=False).order_by("iso3"))
    others = [c.iso3 for c in countries if c.iso3 not in HUBS]
    rng.shuffle(others)
    rank = {iso3: i for i, iso3 in enumerate([h for h in HUBS if any(c.iso3 == h for c in countries)] + others)}
    weights = [1 / (rank[c.iso3] + 3) ** 0.85 for c in countries]

    Topic.objects.bulk_create(
        [Topic(slug=slug, name=name) for slug, name in (TOPICS | EXTRA_TOPICS).items()], ignore_conflicts=True
    )
    topics = {t.slug: t for t in Topic.objects.all()}

    existing = {(o.country_id, o.name): o for o in Organisation.objects.filter(name__in=[i[0] for i in INSTITUTIONS])}
    Organisation.objects.bulk_create(
        [
            Organisation(name=name, kind=kind, country=c, slug=f"{SLUG_PREFIX}{c.iso3.lower()}-{slugify(name)}")
            for c in countries
            for name, kind, _ in INSTITUTIONS
            if (c.pk, name) not in existing
        ],
        ignore_conflicts=True,
    )
    by_name = {(o.country_id, o.name): o for o in Organisation.objects.filter(name__in=[i[0] for i in INSTITUTIONS])}
    institutions = {(c.pk, role): by_name[(c.pk, name)] for c in countries for name, _, role in INSTITUTIONS}

    records = linked_by_column(LINKED_COLUMN)
    groups = records.groups(SLUG_PREFIX) if records and records.groups else []

    publisher = "tradepacts generate_synthetic"
    marker = _source(
        f"{SYNTHETIC_URL}generate_synthetic/seed-{seed}",
        title=marker_title(seed),
        kind=Source.Kind.DATASET,
        publisher=publisher,
        citation=f"Generated by `manage.py generate_synthetic --seed {seed}`: not real agreements.",
    )
    datasets = {
        key: _source(f"{SYNTHETIC_URL}datasets/{key}", title=title, kind=Source.Kind.DATASET, publisher=publisher)
        for key, title in DATASETS
    }
    return Reference(countries, weights, institutions, topics, groups, marker, datasets)
