"""Plans synthetic agreements, one random stream per seed: their rows and relations, before anything
is written."""

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.text import slugify

from agreements.demo import TOPICS
from agreements.models import (
    Agreement,
    AgreementRelation,
    Signatory,
    Source,
    Topic,
)
from agreements.models.dates import truncate
from agreements.synthetic.reference import (
    END,
    EXTRA_TOPICS,
    FIRST_YEAR,
    SLUG_PREFIX,
    SYNTHETIC_URL,
    Reference,
)
from agreements.synthetic.weights import (
    BILATERAL_KINDS,
    DAY,
    ENDED,
    KIND_SENTENCES,
    MONTH,
    NOT_BINDING,
    PLURILATERAL_KINDS,
    ROUTE_TOPICS,
    SC,
    SCOPES,
    STATUSES,
    STATUSES_BY_KIND,
    TOPICS_BY_KIND,
    YEAR,
    K,
    S,
)
from agreements.synthetic.words import CAPITALS, FAMILY_NAMES, GIVEN_NAMES, OUTLETS, POSITIONS, REGIONS, SMALL_WORDS


def headline(text: str) -> str:
    """'ports and logistics' -> 'Ports and Logistics'."""
    return " ".join(w if w in SMALL_WORDS else w[:1].upper() + w[1:] for w in text.lower().split())


def weighted(rng: random.Random, table: dict) -> Any:
    return rng.choices(list(table), weights=list(table.values()))[0]


@dataclass
class Planned:
    """One agreement before it is written: its row and its relations."""

    n: int
    agreement: Agreement
    # Party and Signatory rows as {attname: value}: model instances cost more than the insert.
    parties: list[dict[str, Any]] = field(default_factory=list)
    signatories: list[dict[str, Any]] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    group: Any = None  # the linked group (agreements.extensions) it concerns
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


class Generator:
    """Plans agreement after agreement from one random stream: the order is the seed's."""

    def __init__(self, seed: int, ref: Reference) -> None:
        self.seed, self.ref = seed, ref
        self.rng = random.Random(seed)
        self.targets: list[Target] = []  # earlier agreements a protocol may amend
        self.plurilateral: list[Target] = []  # earlier ones a state may accede to
        self.published_from = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

    # --- countries and dates ---------------------------------------------

    def countries(self, k: int, given: Sequence[int] = ()) -> list[int]:
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
        group: Any = None
        group_members: list[int] = []
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
            if ref.groups and rng.random() < 0.05:
                group, group_members = rng.choice(ref.groups)
            if two:
                given = rng.sample(group_members, min(2, len(group_members)))
                countries = self.countries(2, given)
            else:
                r = rng.random()
                k = rng.randint(3, 8) if r < 0.7 else rng.randint(9, 25) if r < 0.92 else rng.randint(26, 60)
                countries = self.countries(k, group_members)
        if target and kind == K.ACCESSION:
            floor = dt.date(target.signed_on.year + 1, 1, 1)
            values = self.dates(kind, min(floor, END))
        else:
            values = self.dates(kind, target.signed_on if target else None)

        topic_slugs = ROUTE_TOPICS if group else TOPICS_BY_KIND.get(kind, list(TOPICS | EXTRA_TOPICS))
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
        planned.group, planned.relation = group, relation
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
            titles: dict[str, str] = {
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
        role = "transport" if planned.group else "investment" if a.kind == K.BIT else "trade"
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
        by_kind: dict[str, str] = {
            K.BIT: "investment-treaties",
            K.COMMUNIQUE: "communiques",
            K.CUSTOMS_UNION: "customs-cooperation",
        }
        key = by_kind.get(a.kind, "corridor-agreements" if planned.group else "regional-trade-instruments")
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
