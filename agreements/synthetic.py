"""Synthetic agreements for load tests and the benchmark (``manage.py generate_synthetic``).

Seeded: the same seed over the same reference data (countries, corridors) gives
the same agreements, parties, signatories and titles, whatever day it runs.
Realistic in shape: every current country takes part, a few far more often than
the rest; 60% are bilateral, the others have 3 to 60 parties; some parties
accede later; protocols amend earlier agreements and accession instruments point
to the agreement they join; dates from 1950 to 2026, many known only to the year,
always agreeing with the status; 5% are drafts.

Every synthetic agreement is marked twice: its slug starts with ``syn-`` and it
cites the dataset source "Synthetic data (generate_synthetic, seed N)".
``clear()`` removes them by the slug prefix.

Written for speed: rows are bulk-inserted, one transaction per batch, with no
history rows (bulk_create bypasses simple-history's signals). ``search_text``
is filled while generating, by ``agreements.search.search_document`` itself over
the generated rows, so search works at once and ``reindex`` would change nothing.
"""

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.utils.text import slugify

from agreements.demo import TOPICS
from agreements.models import (
    Agreement,
    AgreementRelation,
    AgreementSource,
    Country,
    DatePrecision,
    Organisation,
    Party,
    Signatory,
    Source,
    Topic,
)
from agreements.models.dates import truncate
from agreements.search import search_document

SLUG_PREFIX = "syn-"
SYNTHETIC_URL = "https://example.org/synthetic/"
# Nothing synthetic happens after this day, so a seed gives the same data on any day.
END = dt.date(2026, 10, 31)
FIRST_YEAR = 1950
BATCH = 5000

# Agreement's corridors live in the corridors app, which agreements never imports.
Corridor = Agreement._meta.get_field("corridors").related_model
CorridorLink = Agreement._meta.get_field("corridors").through
CorridorMember = Corridor._meta.get_field("members").remote_field.through
TopicLink = Agreement.topics.through

K, S, SC = Agreement.Kind, Agreement.Status, Agreement.Scope
YEAR, MONTH, DAY = DatePrecision.YEAR, DatePrecision.MONTH, DatePrecision.DAY

# The most active countries, most active first; the others follow in a seeded order.
HUBS = [
    *("KEN", "CHN", "DEU", "RWA", "FRA", "USA", "TZA", "GBR", "UGA", "IND", "JPN", "TUR", "ZAF", "ARE", "NLD"),
    *("ETH", "ITA", "EGY", "BRA", "KOR", "BDI", "COD", "ESP", "CHE", "NGA", "SGP", "CAN", "SSD", "MAR", "AUS"),
]
CAPITALS = {
    **{"KEN": "Nairobi", "RWA": "Kigali", "TZA": "Dar es Salaam", "UGA": "Kampala", "BDI": "Gitega"},
    **{"COD": "Kinshasa", "SSD": "Juba", "ETH": "Addis Ababa", "SOM": "Mogadishu", "DJI": "Djibouti"},
    **{"ZAF": "Pretoria", "NGA": "Abuja", "EGY": "Cairo", "MAR": "Rabat", "GHA": "Accra", "SEN": "Dakar"},
    **{"ZMB": "Lusaka", "MOZ": "Maputo", "AGO": "Luanda", "ZWE": "Harare", "MWI": "Lilongwe", "CIV": "Abidjan"},
    **{"CHN": "Beijing", "USA": "Washington", "DEU": "Berlin", "FRA": "Paris", "GBR": "London", "IND": "New Delhi"},
    **{"JPN": "Tokyo", "TUR": "Ankara", "ARE": "Abu Dhabi", "NLD": "The Hague", "ITA": "Rome", "BRA": "Brasília"},
    **{"KOR": "Seoul", "ESP": "Madrid", "CHE": "Geneva", "SGP": "Singapore", "CAN": "Ottawa", "AUS": "Canberra"},
    **{"BEL": "Brussels", "QAT": "Doha", "SAU": "Riyadh", "RUS": "Moscow", "IDN": "Jakarta", "MYS": "Kuala Lumpur"},
}
REGIONS = [
    *("Great Lakes", "Indian Ocean Rim", "Lake Victoria Basin", "Horn of Africa", "Gulf of Guinea", "Sahel"),
    *("Southern African", "Nile Basin", "Mekong", "Andean", "Baltic", "Black Sea", "Caspian", "Danube"),
    *("Pacific Islands", "Caribbean", "Central American", "Maghreb", "Central Asian", "South Asian"),
    *("Bay of Bengal", "Eastern Mediterranean", "Amazon", "Trans-Saharan", "Red Sea", "Zambezi Valley"),
    *("Western Balkans", "Nordic", "Tripartite", "Atlantic", "Arabian Gulf", "Lake Tanganyika"),
]
EXTRA_TOPICS = {"agriculture": "Agriculture", "tourism": "Tourism", "digital-trade": "Digital trade"}
# (name, kind, the topic it handles): every current country gets these institutions.
INSTITUTIONS = [
    ("Ministry of Trade and Industry", Organisation.Kind.MINISTRY, "trade"),
    ("Ministry of Foreign Affairs", Organisation.Kind.MINISTRY, "foreign"),
    ("Ministry of Transport", Organisation.Kind.MINISTRY, "transport"),
    ("Investment Promotion Agency", Organisation.Kind.AGENCY, "investment"),
]
# (position, the institution it belongs to, or None)
POSITIONS = [
    ("Minister of Trade and Industry", "trade"),
    ("Minister of Foreign Affairs", "foreign"),
    ("Permanent Secretary, Ministry of Transport", "transport"),
    ("Minister of Transport", "transport"),
    ("Director General, Investment Promotion Agency", "investment"),
    ("Ambassador", "foreign"),
    ("President", None),
    ("Prime Minister", None),
]
GIVEN_NAMES = [
    *("Amina", "James", "Grace", "Jean", "Fatuma", "David", "Aline", "Peter", "Wanjiru", "Claude", "Mary", "Ali"),
    *("Esther", "Joseph", "Chen", "Hanna", "Kenji", "Priya", "Ahmed", "Sofia", "Carlos", "Olga", "Thomas", "Leila"),
    *("Samuel", "Yuki", "Ibrahim", "Marie", "Daniel", "Nadia", "Emmanuel", "Ana", "Musa", "Ingrid", "Ravi", "Zainab"),
]
FAMILY_NAMES = [
    *("Mwangi", "Uwimana", "Ochieng", "Nkurunziza", "Mushi", "Okello", "Habimana", "Kamau", "Njoroge", "Bizimana"),
    *("Wang", "Schmidt", "Dubois", "Smith", "Sato", "Sharma", "Hassan", "Rossi", "Garcia", "Ivanova", "Mensah"),
    *("Adeyemi", "Tesfaye", "Kariuki", "Mutesi", "Lindqvist", "Kowalski", "Nakamura", "Silva", "Haddad", "Banda"),
]
OUTLETS = ["The Continental Trade Review", "Regional Business Daily", "Corridor Post", "Harbour and Border Weekly"]
DATASETS = [
    ("regional-trade-instruments", "Regional Trade Instruments Register (synthetic)"),
    ("investment-treaties", "Bilateral Investment Treaties Compendium (synthetic)"),
    ("communiques", "Joint Communiqués Archive (synthetic)"),
    ("corridor-agreements", "Corridor Agreements Inventory (synthetic)"),
    ("customs-cooperation", "Customs Cooperation Instruments Database (synthetic)"),
]
SYNTHETIC_CORRIDORS = [  # created only where there are no corridors at all
    ("Lobito Corridor", "Lobito", ["AGO", "COD", "ZMB"]),
    ("Maputo Development Corridor", "Maputo", ["MOZ", "ZAF", "SWZ"]),
    ("Abidjan–Lagos Corridor", "Abidjan", ["CIV", "GHA", "TGO", "BEN", "NGA"]),
]

BILATERAL_KINDS = {K.MOU: 30, K.BIT: 13, K.COMMUNIQUE: 12, K.MOC: 9, K.TREATY: 9, K.FTA: 8, K.FRAMEWORK: 8}
BILATERAL_KINDS |= {K.PROTOCOL: 6, K.EPA: 3, K.CUSTOMS_UNION: 2}
PLURILATERAL_KINDS = {K.FTA: 22, K.TREATY: 18, K.PROTOCOL: 14, K.FRAMEWORK: 11, K.COMMUNIQUE: 10, K.MOU: 9}
PLURILATERAL_KINDS |= {K.EPA: 7, K.CUSTOMS_UNION: 5, K.MOC: 4}
SCOPES = {SC.BILATERAL: 60, SC.PLURILATERAL: 32, SC.BLOC: 5, SC.INSTITUTIONAL: 3}
STATUSES = {S.IN_FORCE: 44, S.SIGNED: 13, S.EXPIRED: 7, S.TERMINATED: 6, S.SUPERSEDED: 6, S.SUSPENDED: 2}
STATUSES |= {S.ANNOUNCED: 5, S.NEGOTIATING: 7}
STATUSES_BY_KIND = {
    K.COMMUNIQUE: {S.SIGNED: 60, S.ANNOUNCED: 25, S.IN_FORCE: 15},
    K.MOU: {S.IN_FORCE: 45, S.SIGNED: 25, S.EXPIRED: 12, S.TERMINATED: 4, S.ANNOUNCED: 6, S.NEGOTIATING: 6},
}
NOT_BINDING = {K.MOU, K.MOC, K.COMMUNIQUE}
ENDED = {S.TERMINATED, S.EXPIRED, S.SUPERSEDED}
TOPICS_BY_KIND = {
    K.BIT: ["investment"],
    K.FTA: ["trade-facilitation", "customs", "regional-integration"],
    K.CUSTOMS_UNION: ["customs", "regional-integration"],
    K.EPA: ["trade-facilitation", "investment", "customs"],
}
CORRIDOR_TOPICS = ["ports-and-logistics", "transport", "trade-facilitation", "infrastructure"]
KIND_SENTENCES = {
    K.MOU: "The memorandum sets up a joint technical committee that meets once a year.",
    K.MOC: "The parties will exchange experts and share data through named focal points.",
    K.BIT: "It provides for fair and equitable treatment, free transfer of returns and investor–state arbitration.",
    K.FTA: "It removes tariffs on most goods over a transition period and sets common rules of origin.",
    K.CUSTOMS_UNION: "It sets a common external tariff and a single customs territory.",
    K.EPA: "It opens markets asymmetrically and adds chapters on development cooperation.",
    K.TREATY: "It is ratified by each party and deposited with a designated depositary.",
    K.PROTOCOL: "It adds detailed commitments and a schedule of implementation.",
    K.FRAMEWORK: "It names the areas of cooperation and leaves the details to later instruments.",
    K.COMMUNIQUE: "The leaders directed their ministers to report back within six months.",
    K.ACCESSION: "The acceding state takes on the rights and obligations of the original parties.",
}
SMALL_WORDS = {"and", "of", "the", "on", "in", "for", "to"}


def headline(text: str) -> str:
    """'ports and logistics' -> 'Ports and Logistics'."""
    return " ".join(w if w in SMALL_WORDS else w[:1].upper() + w[1:] for w in text.lower().split())


def weighted(rng: random.Random, table: dict) -> Any:
    return rng.choices(list(table), weights=list(table.values()))[0]


class _Related(list):
    """A list that answers ``.all()``, so ``search_document`` reads generated rows."""

    def all(self) -> "_Related":
        return self


@dataclass
class Reference:
    """The rows synthetic agreements point to, loaded or created once per run."""

    countries: list[Country]
    weights: list[float]
    institutions: dict[tuple[int, str], Organisation]
    topics: dict[str, Topic]
    corridors: list[tuple[Any, list[int]]]
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


@dataclass
class Planned:
    """One agreement before it is written: its row and its relations."""

    n: int
    agreement: Agreement
    # Party and Signatory rows as {attname: value}: model instances cost more than the insert.
    parties: list[dict[str, Any]] = field(default_factory=list)
    signatories: list[dict[str, Any]] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    corridor: Any = None
    datasets: list[Source] = field(default_factory=list)
    own_source: Source | None = None
    relation: tuple[str, int] | None = None  # (kind, index of the target)


@dataclass
class Target:
    """What a later protocol or accession needs to know of an earlier agreement."""

    n: int
    title: str
    scope: str
    countries: tuple[int, ...]
    signed_on: dt.date
    ended_on: dt.date | None


def marker_title(seed: int) -> str:
    return f"Synthetic data (generate_synthetic, seed {seed})"


def _source(url: str, **values: Any) -> Source:
    """The source with this URL, created if missing."""
    source = Source.objects.filter(url=url).first()
    return source or Source.objects.create(url=url, **values)


def load_reference(seed: int) -> Reference:
    """Countries with their activity weights, topics, institutions, corridors and sources."""
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

    if not Corridor.objects.exists():
        iso = {c.iso3: c for c in countries}
        for name, port, members in SYNTHETIC_CORRIDORS:
            corridor = Corridor.objects.create(
                name=name, slug=f"{SLUG_PREFIX}{slugify(name)}", gateway_port=port, description="Synthetic corridor."
            )
            CorridorMember.objects.bulk_create(
                CorridorMember(corridor=corridor, country=iso[code], position=i, role="transit")
                for i, code in enumerate(members, start=1)
                if code in iso
            )
    members: dict[int, list[int]] = {}
    for corridor_id, country_id in CorridorMember.objects.order_by("corridor", "position").values_list(
        "corridor_id", "country_id"
    ):
        members.setdefault(corridor_id, []).append(country_id)
    corridors = [(c, members.get(c.pk, [])) for c in Corridor.objects.order_by("slug")]

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
    return Reference(countries, weights, institutions, topics, corridors, marker, datasets)


class Generator:
    """Plans agreement after agreement from one random stream: the order is the seed's."""

    def __init__(self, seed: int, ref: Reference) -> None:
        self.seed, self.ref = seed, ref
        self.rng = random.Random(seed)
        self.targets: list[Target] = []  # earlier agreements a protocol may amend
        self.plurilateral: list[Target] = []  # earlier ones a state may accede to
        self.published_from = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

    # --- countries and dates ---------------------------------------------

    def countries(self, k: int, given: list[int] = ()) -> list[int]:
        """``k`` distinct country ids, the active ones more often; ``given`` first."""
        chosen = list(dict.fromkeys(given))[:k]
        while len(chosen) < k:
            pick = self.rng.choices(self.ref.ids, cum_weights=self.ref.cumulative, k=k - len(chosen))
            chosen += [c for c in dict.fromkeys(pick) if c not in chosen][: k - len(chosen)]
        return chosen

    def precision(self, year: int) -> str:
        r = self.rng.random()
        year_only, month_only = (0.6, 0.75) if year < 1980 else (0.35, 0.5)
        return YEAR if r < year_only else MONTH if r < month_only else DAY

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randrange(max((end - start).days, 0) + 1))

    def partial(self, value: dt.date, floor: tuple[dt.date, str] | None = None) -> tuple[dt.date, str]:
        """``value`` as stored at a random precision, never before ``floor`` (a stored date)."""
        precision = self.precision(value.year)
        stored = truncate(value, precision)
        if floor and stored < floor[0]:
            return floor
        return stored, precision

    def dates(self, kind: str, not_before: dt.date | None) -> dict[str, Any]:
        """Status and dates that agree with each other and with every constraint."""
        rng = self.rng
        status = weighted(rng, STATUSES_BY_KIND.get(kind, STATUSES))
        values: dict[str, Any] = {"status": status}
        if status in (S.ANNOUNCED, S.NEGOTIATING):
            start = max(not_before or dt.date(2012, 1, 1), dt.date(2012, 1, 1))
            values["announced_on"], values["announced_precision"] = self.partial(self.day_between(start, END))
            return values
        latest = dt.date(2018, 12, 31) if status in ENDED else END
        if not_before:
            signed = self.day_between(not_before, max(latest, not_before))
        else:
            year = min(FIRST_YEAR + int((END.year - FIRST_YEAR + 1) * rng.random() ** 0.55), latest.year)
            signed = self.day_between(dt.date(year, 1, 1), min(dt.date(year, 12, 31), latest))
        if status == S.SIGNED and rng.random() < 0.05:
            return values  # "a recently signed memorandum": signed, date unknown
        stored = self.partial(signed)
        values["signed_on"], values["signed_precision"] = stored
        if rng.random() < 0.25:
            announced = signed - dt.timedelta(days=rng.randrange(20, 400))
            precision = rng.choice([DAY, MONTH])
            if truncate(announced, precision) <= stored[0]:
                values["announced_on"], values["announced_precision"] = truncate(announced, precision), precision
        if status == S.SIGNED:
            return values
        if kind in NOT_BINDING and rng.random() < 0.8:
            in_force, in_force_stored = signed, stored
        else:
            in_force = signed + dt.timedelta(days=rng.randrange(0, 5 * 365))
            if in_force > END:
                values["status"] = S.SIGNED  # not yet in force
                return values
            in_force_stored = self.partial(in_force, floor=stored)
        values["in_force_on"], values["in_force_precision"] = in_force_stored
        if status in ENDED:
            ended = min(in_force + dt.timedelta(days=rng.randrange(365, 30 * 365)), END)
            values["ended_on"], values["ended_precision"] = self.partial(ended, floor=in_force_stored)
        return values

    # --- one agreement ---------------------------------------------------

    def plan(self, n: int) -> Planned:
        rng, ref = self.rng, self.ref
        relation: tuple[str, int] | None = None
        corridor, corridor_members = (None, [])
        target: Target | None = None
        r = rng.random()
        if r < 0.04 and self.targets:
            target = rng.choice(self.targets)
            relation = (AgreementRelation.Kind.AMENDS, target.n)
            scope, kind, countries = target.scope, K.PROTOCOL, list(target.countries)
        elif r < 0.06 and self.plurilateral:
            target = rng.choice(self.plurilateral)
            relation = (AgreementRelation.Kind.ACCESSION_TO, target.n)
            joining = self.countries(len(target.countries) + 1, target.countries)[-1]
            scope, kind, countries = SC.PLURILATERAL, K.ACCESSION, [*target.countries[:59], joining]
        else:
            scope = weighted(rng, SCOPES)
            two = scope in (SC.BILATERAL, SC.INSTITUTIONAL)
            kind = weighted(rng, BILATERAL_KINDS if two else PLURILATERAL_KINDS)
            if ref.corridors and rng.random() < 0.05:
                corridor, corridor_members = rng.choice(ref.corridors)
            if two:
                given = rng.sample(corridor_members, min(2, len(corridor_members)))
                countries = self.countries(2, given)
            else:
                r = rng.random()
                k = rng.randint(3, 8) if r < 0.7 else rng.randint(9, 25) if r < 0.92 else rng.randint(26, 60)
                countries = self.countries(k, corridor_members)
        if target and kind == K.ACCESSION:
            floor = dt.date(target.signed_on.year + 1, 1, 1)
            values = self.dates(kind, min(floor, END))
        else:
            values = self.dates(kind, target.signed_on if target else None)

        topic_slugs = CORRIDOR_TOPICS if corridor else TOPICS_BY_KIND.get(kind, list(TOPICS | EXTRA_TOPICS))
        topic_slugs = [s for s in topic_slugs if s in ref.topics] or list(ref.topics)
        topics = rng.sample(topic_slugs, min(len(topic_slugs), rng.choice([1, 1, 2, 2, 3])))
        subject = ref.topics[topics[0]].name
        names = [ref.by_id[c].name for c in countries]
        title, summary = self.words(kind, scope, names, subject, target, countries)
        place = ""
        if values.get("signed_precision") == DAY and rng.random() < 0.6:
            place = CAPITALS.get(ref.by_id[countries[0]].iso3, "")
        published = rng.random() >= 0.05
        agreement = Agreement(
            title=title[:500],
            slug=f"{SLUG_PREFIX}{slugify(title)[:150].rstrip('-')}-s{self.seed}-{n}",
            kind=kind,
            scope=scope,
            is_binding=kind not in NOT_BINDING and not (kind == K.FRAMEWORK and rng.random() < 0.5),
            summary=summary,
            place=place,
            is_published=published,
            published_at=self.published_from + dt.timedelta(minutes=rng.randrange(600_000)) if published else None,
            last_verified_on=self.day_between(dt.date(2025, 1, 1), END) if rng.random() < 0.3 else None,
            **values,
        )
        planned = Planned(n, agreement, topics=sorted((ref.topics[s] for s in topics), key=lambda t: t.name))
        planned.corridor, planned.relation = corridor, relation
        self.add_parties(planned, countries, joining=countries[-1] if kind == K.ACCESSION else None)
        self.add_signatories(planned)
        self.add_sources(planned, names, subject)

        if agreement.signed_on and agreement.status not in (S.ANNOUNCED, S.NEGOTIATING) and kind != K.ACCESSION:
            entry = Target(n, title, scope, tuple(countries), agreement.signed_on, agreement.ended_on)
            self.targets.append(entry)
            if scope == SC.PLURILATERAL and agreement.status not in ENDED:
                self.plurilateral.append(entry)
        return planned

    def words(
        self, kind: str, scope: str, names: list[str], subject: str, target: Target | None, countries: list[int]
    ) -> tuple[str, str]:
        """A title and a summary of one or two sentences."""
        topic, lower = headline(subject), subject.lower()
        if target and kind == K.PROTOCOL:
            return f"Protocol amending the {target.title}", f"The parties amend the {target.title}. " + KIND_SENTENCES[
                kind
            ]
        if target:
            return (
                f"Instrument of Accession of {names[-1]} to the {target.title}",
                f"{names[-1]} accedes to the {target.title}. " + KIND_SENTENCES[kind],
            )
        if scope in (SC.BILATERAL, SC.INSTITUTIONAL):
            a, b = sorted(names[:2])
            titles = {
                K.MOU: f"{a}–{b} Memorandum of Understanding on {topic} Cooperation",
                K.MOC: f"Memorandum of Cooperation between {a} and {b} on {topic}",
                K.BIT: f"Agreement between the Government of {a} and the Government of {b} for the Promotion and Reciprocal Protection of Investments",
                K.FTA: f"{a}–{b} Free Trade Agreement",
                K.EPA: f"{a}–{b} Economic Partnership Agreement",
                K.CUSTOMS_UNION: f"{a}–{b} Customs Union Agreement",
                K.TREATY: f"Agreement between {a} and {b} on {topic}",
                K.PROTOCOL: f"Protocol between {a} and {b} on {topic}",
                K.FRAMEWORK: f"Framework Agreement on {topic} Cooperation between {a} and {b}",
                K.COMMUNIQUE: f"Joint Communiqué of {a} and {b} on {topic}",
            }
            first = f"{names[0]} and {names[1]} agree to deepen cooperation on {lower}."
            return titles[kind], f"{first} {KIND_SENTENCES[kind]}"
        region = self.rng.choice(REGIONS)
        titles = {
            K.FTA: f"Agreement establishing the {region} Free Trade Area",
            K.TREATY: f"Treaty establishing the {region} Economic Community",
            K.CUSTOMS_UNION: f"Protocol on the Establishment of the {region} Customs Union",
            K.EPA: f"{region} Economic Partnership Agreement",
            K.PROTOCOL: f"{region} Protocol on {topic}",
            K.FRAMEWORK: f"{region} Framework Agreement on {topic}",
            K.COMMUNIQUE: f"Declaration of the {region} Summit on {topic}",
            K.MOU: f"Memorandum of Understanding on {topic} among the {region} States",
            K.MOC: f"Memorandum of Cooperation on {topic} among the {region} States",
        }
        first = f"{len(countries)} states of the {region} region commit to cooperate on {lower}."
        return titles[kind], f"{first} {KIND_SENTENCES[kind]}"

    def add_parties(self, planned: Planned, countries: list[int], joining: int | None) -> None:
        rng, a = self.rng, planned.agreement
        institutional = a.scope == SC.INSTITUTIONAL
        role = "transport" if planned.corridor else "investment" if a.kind == K.BIT else "trade"
        joiners = set()
        if not joining and a.scope != SC.BILATERAL and not institutional and a.in_force_on and rng.random() < 0.2:
            joiners.update(rng.sample(countries[1:], min(rng.randint(1, 3), len(countries) - 1)))
        for country_id in countries:
            party: dict[str, Any] = {"country_id": country_id, "institution_id": None}
            if institutional or rng.random() < 0.25:
                party["institution_id"] = self.ref.institutions[(country_id, role)].pk
            joined = None
            if country_id == joining and a.signed_on:
                joined = a.signed_on.year
            elif country_id in joiners:
                first, last = a.signed_on.year + 1, (a.ended_on or END).year
                joined = rng.randint(min(first, last), last)
            elif a.signed_on and rng.random() < 0.4:
                party["signed_on"], party["signed_precision"] = a.signed_on, a.signed_precision
                if a.is_binding and a.in_force_on and rng.random() < 0.5:
                    party["ratified_on"], party["ratified_precision"] = (
                        self.day_between(a.signed_on, a.in_force_on),
                        DAY,
                    )
            if joined:
                party["joined_on"], party["joined_precision"] = dt.date(joined, 1, 1), YEAR
            since = max(a.signed_on.year if a.signed_on else END.year, joined or 0)
            if a.scope == SC.PLURILATERAL and a.status == S.IN_FORCE and since < END.year and rng.random() < 0.01:
                party["withdrew_on"], party["withdrew_precision"] = (
                    dt.date(rng.randint(since + 1, END.year), 1, 1),
                    YEAR,
                )
            planned.parties.append(party)

    def add_signatories(self, planned: Planned) -> None:
        rng, a = self.rng, planned.agreement
        if a.status in (S.ANNOUNCED, S.NEGOTIATING):
            return
        parties = [p for p in planned.parties if "joined_on" not in p]
        if a.scope in (SC.BILATERAL, SC.INSTITUTIONAL):
            r = rng.random()
            signing = parties if r < 0.65 else parties[:1] if r < 0.8 else []
        else:
            signing = rng.sample(parties, min(len(parties), rng.randint(1, 4))) if rng.random() < 0.25 else []
        presided = a.kind == K.COMMUNIQUE
        for order, party in enumerate(signing):
            position, role = rng.choice(POSITIONS)
            organisation = self.ref.institutions[(party["country_id"], role)].pk if role else None
            planned.signatories.append(
                {
                    "name": f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}",
                    "position": position,
                    "role": Signatory.Role.PRESIDED if presided else Signatory.Role.SIGNED,
                    "country_id": party["country_id"],
                    "organisation_id": party["institution_id"] or organisation,
                    "order": order,
                }
            )

    def add_sources(self, planned: Planned, names: list[str], subject: str) -> None:
        rng, a, ref = self.rng, planned.agreement, self.ref
        key = {K.BIT: "investment-treaties", K.COMMUNIQUE: "communiques", K.CUSTOMS_UNION: "customs-cooperation"}.get(
            a.kind, "corridor-agreements" if planned.corridor else "regional-trade-instruments"
        )
        planned.datasets = [ref.marker] + ([ref.datasets[key]] if rng.random() < 0.5 else [])
        if rng.random() < 0.3:
            official = rng.random() < 0.4
            verb = "sign" if a.signed_on else "announce"
            who = f"{names[0]} and {names[1]}" if len(names) == 2 else f"{len(names)} states"
            planned.own_source = Source(
                title=f"{who} {verb} {a.get_kind_display().lower()} on {subject.lower()}",
                publisher=f"Ministry of Foreign Affairs, {names[0]}" if official else rng.choice(OUTLETS),
                url=f"{SYNTHETIC_URL}s{self.seed}/{'releases' if official else 'news'}/{planned.n}",
                kind=Source.Kind.OFFICIAL_RELEASE if official else Source.Kind.NEWS_REPORT,
                published_on=a.signed_on if a.signed_precision == DAY else None,
                accessed_on=END,
            )


def document(planned: Planned, ref: Reference) -> str:
    """``search_document`` over the planned rows, in the order ``reindex`` reads them."""
    a, organisation = planned.agreement, ref.organisations.get
    return search_document(
        SimpleNamespace(
            title=a.title,
            summary=a.summary,
            place=a.place,
            parties=_Related(
                SimpleNamespace(country=ref.by_id[p["country_id"]], institution=organisation(p["institution_id"]))
                for p in planned.parties
            ),
            signatories=_Related(
                SimpleNamespace(name=s["name"], position=s["position"], organisation=organisation(s["organisation_id"]))
                for s in planned.signatories
            ),
            topics=_Related(planned.topics),
            corridors=_Related([planned.corridor] if planned.corridor else []),
            identifiers=_Related(),
        )
    )


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows given as {attname: value}, the model's defaults filling the rest:
    with COPY on PostgreSQL (several times faster than INSERT), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows])
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = [(f.attname, f.get_default()) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor, cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row.get(name, default) for name, default in defaults])


def write(batch: list[Planned], ids: list[int], ref: Reference) -> dict[str, int]:
    """Insert one batch with its relations; ``ids`` maps every earlier index to its id."""
    for planned in batch:
        planned.agreement.search_text = document(planned, ref)
    Agreement.objects.bulk_create([p.agreement for p in batch])
    ids += [p.agreement.pk for p in batch]
    own = [p for p in batch if p.own_source]
    Source.objects.bulk_create([p.own_source for p in own])
    parties = [{**party, "agreement_id": p.agreement.pk} for p in batch for party in p.parties]
    insert_rows(Party, parties)
    signatories = [{**s, "agreement_id": p.agreement.pk} for p in batch for s in p.signatories]
    insert_rows(Signatory, signatories)
    links = [{"agreement_id": p.agreement.pk, "topic_id": t.pk} for p in batch for t in p.topics]
    insert_rows(TopicLink, links)
    citations = [{"agreement_id": p.agreement.pk, "source_id": s.pk} for p in batch for s in p.datasets]
    citations += [{"agreement_id": p.agreement.pk, "source_id": p.own_source.pk} for p in own]
    insert_rows(AgreementSource, citations)
    corridors = [{"agreement_id": p.agreement.pk, "corridor_id": p.corridor.pk} for p in batch if p.corridor]
    insert_rows(CorridorLink, corridors)
    relations = [
        {"from_agreement_id": p.agreement.pk, "kind": p.relation[0], "to_agreement_id": ids[p.relation[1]]}
        for p in batch
        if p.relation
    ]
    insert_rows(AgreementRelation, relations)
    return {
        "agreements": len(batch),
        "parties": len(parties),
        "signatories": len(signatories),
        "topics": len(links),
        "citations": len(citations),
        "sources": len(own),
        "corridor links": len(corridors),
        "relations": len(relations),
    }


WRITTEN = [Agreement, Party, Signatory, TopicLink, AgreementSource, AgreementRelation, CorridorLink, Source]


def analyze(models_: list[type[models.Model]] = WRITTEN, vacuum: bool = False) -> None:
    """Refresh PostgreSQL's statistics of these tables (and reclaim dead rows with ``vacuum``).

    Autovacuum may be off or late: without statistics the planner misjudges tables
    that just grew or shrank by 500,000 rows, and the checks PostgreSQL defers to
    commit then scan whole tables, once per row.
    """
    if connection.vendor != "postgresql":
        return
    command = "VACUUM ANALYZE" if vacuum and not connection.in_atomic_block else "ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute(f"{command} {', '.join(model._meta.db_table for model in models_)}")


def synthetic_agreements() -> models.QuerySet:
    return Agreement.objects.filter(slug__startswith=SLUG_PREFIX)


def _references(target: type[models.Model]) -> list[tuple[str, str]]:
    """(table, column) of every foreign key onto ``target``, many-to-many tables
    included; not history tables (DO_NOTHING), which keep their rows."""
    found = [
        (model, f.column)
        for model in apps.get_models(include_auto_created=True)
        for f in model._meta.local_fields
        if f.many_to_one and f.related_model is target and f.remote_field.on_delete is not models.DO_NOTHING
    ]
    # Parties last: on PostgreSQL, signatories reference their party.
    return [(model._meta.db_table, column) for model, column in sorted(found, key=lambda r: r[0] is Party)]


def clear() -> int:
    """Delete every synthetic agreement, its rows, and the synthetic sources no longer cited.

    In SQL, table by table: deleting through the ORM would load every row and
    write a history row for each, for hundreds of thousands of rows.
    """
    pattern = [SLUG_PREFIX + "%"]
    agreements = Agreement._meta.db_table
    analyze([Party, Signatory])  # deleting a party looks up its signatories
    with transaction.atomic(), connection.cursor() as cursor:
        count = synthetic_agreements().count()
        for table, column in _references(Agreement):
            cursor.execute(
                f"DELETE FROM {table} WHERE {column} IN (SELECT id FROM {agreements} WHERE slug LIKE %s)", pattern
            )
        cursor.execute(f"DELETE FROM {agreements} WHERE slug LIKE %s", pattern)
        # Their own sources, unless something else came to cite them; never the shared datasets.
        sources = Source._meta.db_table
        unused = " ".join(
            f"AND NOT EXISTS (SELECT 1 FROM {table} WHERE {column} = {sources}.id)"
            for table, column in _references(Source)
        )
        cursor.execute(
            f"DELETE FROM {sources} WHERE url LIKE %s AND url NOT LIKE %s {unused}",
            [SYNTHETIC_URL + "s%", SYNTHETIC_URL + "datasets/%"],
        )
    analyze(vacuum=True)
    return count


def generate(
    count: int, seed: int, batch_size: int = BATCH, progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Create ``count`` synthetic agreements from ``seed``; returns how many rows of each kind."""
    ref = load_reference(seed)
    if AgreementSource.objects.filter(source=ref.marker).exists():
        raise ValueError(f"Synthetic agreements of seed {seed} already exist: clear them first (--clear).")
    generator = Generator(seed, ref)
    ids: list[int] = []
    totals: dict[str, int] = {}
    started = time.monotonic()
    for number, start in enumerate(range(0, count, batch_size), start=1):
        batch = [generator.plan(n) for n in range(start, min(start + batch_size, count))]
        with transaction.atomic():
            counts = write(batch, ids, ref)
        totals = {key: totals.get(key, 0) + value for key, value in counts.items()}
        if number == 1:  # later growth is scaled from these statistics
            analyze()
        if progress:
            progress(f"{start + len(batch):>8} agreements ({time.monotonic() - started:.1f} s)")
    # As autovacuum would, so the figures measured next are those of a settled database:
    # statistics for the planner, and a visibility map for index-only scans.
    analyze(vacuum=True)
    return totals
