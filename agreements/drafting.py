"""Draft from a news report: a press release's text (and its URL) read with rules,
against the database's own names, into a proposed agreement for the admin's add
form. Nothing is saved here; every proposed value keeps the sentence it came from.

What it recognises, and how:

- the agreement: a kind named in the text (memorandum of understanding or MoU,
  memorandum of cooperation, joint communiqué, treaty, ...), or an agreement
  reported ("agreed to", "signed an agreement"). None: no draft.
- the parties: the countries and institutions (organisations by name or acronym,
  e.g. MININFRA, KPA) of the first sentence about the agreement that names any;
  each country's party acts through its institution named most often.
- the people: a name next to a position ("Mr. Canoth Manishimwe, Permanent
  Secretary at MININFRA", "the Permanent Secretary at MININFRA, Canoth
  Manishimwe", "President Paul Kagame"), with their post-nominals (CBS) and the
  institution and country the text gives them; "presided" when the text says so.
- dates (python-dateutil): a date in a sentence about the signing is the date
  signed; a dateline ("Kenya, 24 January 2026 -") dates the report, and "signed
  this week" then gives the month. The place: "ceremony in Kigali", "meeting in
  Dar es Salaam".
- topics and linked records (corridors, through agreements.extensions) whose
  names the text uses; the source: the headline, the URL and its site.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from dateutil import parser as date_parser

from agreements.extensions import linked
from agreements.models import Agreement, Country, Organisation, Signatory, Source, Topic
from agreements.models.dates import DatePrecision

ABBREVIATIONS = re.compile(r"\b(Mr|Mrs|Ms|Dr|Hon|Prof|St|Amb|Rt|Gen|No)\.")
SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’]?\s+(?=[\"“‘(]?[A-Z0-9])")

KINDS = [
    (Agreement.Kind.MOU, re.compile(r"\b(memorandum of understanding|MoU)s?\b", re.IGNORECASE)),
    (Agreement.Kind.MOC, re.compile(r"\bmemorand(um|a) of cooperation\b", re.IGNORECASE)),
    (Agreement.Kind.COMMUNIQUE, re.compile(r"\bjoint (communiqu[eé]|declaration|statement)\b", re.IGNORECASE)),
    (Agreement.Kind.FTA, re.compile(r"\bfree trade agreement\b", re.IGNORECASE)),
    (Agreement.Kind.FRAMEWORK, re.compile(r"\bframework agreement\b", re.IGNORECASE)),
    (Agreement.Kind.PROTOCOL, re.compile(r"\bprotocol\b", re.IGNORECASE)),
    (Agreement.Kind.TREATY, re.compile(r"\btreaty\b", re.IGNORECASE)),
]
REPORTED = re.compile(r"\b(agreements?|agreed|accord|pact|signed|signing)\b", re.IGNORECASE)
SIGNED = re.compile(r"\b(signed|signing|formali[sz]ed?|concluded|inked)\b", re.IGNORECASE)
PRESIDED = re.compile(r"\bpresided\b", re.IGNORECASE)
NOT_BINDING = {Agreement.Kind.MOU, Agreement.Kind.MOC, Agreement.Kind.COMMUNIQUE}

POSITIONS = (
    "Permanent Secretary|Principal Secretary|Cabinet Secretary|Secretary General|Secretary-General|"
    "Prime Minister|Vice President|Deputy President|President|Minister(?: of [A-Z][a-z]+(?: and [A-Z][a-z]+)?)?|"
    "Director General|Director-General|Managing Director|Chief Executive Officer|Chief Executive|"
    "Ambassador|High Commissioner|Chairperson|Chairman|Commissioner General|Governor"
)
NAME = r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){1,3}"
TITLE = r"(?:(?:Mr|Mrs|Ms|Dr|Hon|Prof|Amb)\.?\s+)?"
HONORIFIC = r"[A-Z]{2,5}"
# "Mr. Canoth Manishimwe, Permanent Secretary at MININFRA"; "Mohamed Daghar, CBS, Principal Secretary in ..."
NAME_THEN_POSITION = re.compile(
    rf"{TITLE}(?P<name>{NAME}),\s+(?:(?P<honorific>{HONORIFIC}),\s+)?(?P<position>{POSITIONS})\b(?P<tail>[^.;]*)"
)
# "the Permanent Secretary at MININFRA, Canoth Manishimwe, together with ..."
POSITION_THEN_NAME = re.compile(
    rf"\bthe (?P<position>{POSITIONS}) (?P<tail>(?:at|of|in) [^,;.]+), {TITLE}(?P<name>{NAME})"
    rf"(?:,\s+(?P<honorific>{HONORIFIC})\b)?"
)
# "President Paul Kagame", "Tanzanian President Samia Suluhu Hassan"; not "former President ..."
POSITION_BEFORE_NAME = re.compile(
    rf"(?<!former )(?<!late )(?:\b(?P<adjective>[A-Z][a-z]+)\s+)?\b(?P<position>{POSITIONS}) (?P<name>{NAME})\b"
)

MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
DATE = re.compile(
    rf"\b(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?(\d{{1,2}}\s+(?:{MONTHS}),?\s+\d{{4}}|(?:{MONTHS})\s+\d{{1,2}},\s+\d{{4}})\b"
)
DATELINE = re.compile(rf"^\s*[A-Z][A-Za-z ]+,\s+(\d{{1,2}}\s+(?:{MONTHS})\s+\d{{4}})\s*[-–—]")
THIS_WEEK = re.compile(r"\b(signed|formali[sz]ed)\s+(this|last) week\b", re.IGNORECASE)
PLACE = re.compile(
    r"\b(?:ceremony|signed|signing|meeting|talks|summit|held|hosted|met)(?:\s+[\w’']+){0,3}?\s+in\s+"
    r"(?P<place>[A-Z][a-z]+(?:\s(?:es|de|du|al|el|la)\s[A-Z][a-z]+)?(?:\s[A-Z][a-z]+)?)"
)
PURPOSE = re.compile(
    r"\b(?:establishing|(?:the|an?) establishment of|to establish)\s+(?P<what>(?:a|an|the)\s+[^,.;]+?)"
    r"(?=\s+(?:will|is|was|which|that|bringing|and the)\b|[,.;]|$)"
)
AGREED_TO = re.compile(r"\bagreed to (?P<what>[^.;]+?)(?= following| after| during|[.;]|$)")


@dataclass
class Evidence:
    """One proposed value and the sentence it came from."""

    label: str
    value: str
    sentence: str


@dataclass
class Draft:
    """A proposed agreement: the add form's initial values, its inlines' rows and the evidence."""

    fields: dict[str, Any] = field(default_factory=dict)
    parties: list[dict[str, Any]] = field(default_factory=list)
    signatories: list[dict[str, Any]] = field(default_factory=list)
    linked: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # link model label -> rows
    source: dict[str, Any] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)

    def prove(self, label: str, value: Any, sentence: str) -> None:
        self.evidence.append(Evidence(label, str(value), sentence.strip()))

    def as_json(self) -> dict[str, Any]:
        return {
            "fields": self.fields,
            "parties": self.parties,
            "signatories": self.signatories,
            "linked": self.linked,
            "source": self.source,
            "evidence": [vars(e) for e in self.evidence],
        }


def sentences(text: str) -> list[str]:
    """The text's sentences; each line (a headline) ends one."""
    found = []
    for line in text.splitlines():
        line = ABBREVIATIONS.sub(lambda m: m.group(1) + "\u2024", line.strip())
        found += [part.replace("\u2024", ".").strip() for part in SENTENCE_END.split(line) if part.strip()]
    return found


class Names:
    """The database's names, as the text uses them: countries, organisations, topics, linked records."""

    def __init__(self) -> None:
        self.countries: list[tuple[re.Pattern[str], Country]] = []
        for country in Country.objects.filter(is_historic=False).only("id", "iso3", "name", "official_name"):
            names = {country.name, country.official_name}
            names |= {f"{country.name}n" for name in [country.name] if name.endswith("a")}  # Rwandan, Kenyan
            names |= {f"{country.name}ese" for name in [country.name] if name.endswith("o")}  # Togolese
            pattern = "|".join(re.escape(n) for n in sorted(filter(None, names), key=len, reverse=True))
            self.countries.append((re.compile(rf"\b(?:{pattern})\b"), country))
        self.organisations: list[tuple[re.Pattern[str], Organisation]] = []
        for org in Organisation.objects.select_related("country").only(
            "id", "name", "acronym", "country__iso3", "country__name", "parent_id"
        ):
            escaped = [re.escape(org.name)] + ([re.escape(org.acronym)] if len(org.acronym) >= 2 else [])
            self.organisations.append((re.compile(rf"\b(?:{'|'.join(escaped)})\b"), org))
        self.topics = list(Topic.objects.only("id", "name"))

    def organisations_in(self, sentence: str) -> list[Organisation]:
        found = [(m.start(), org) for pattern, org in self.organisations for m in pattern.finditer(sentence)]
        return [org for _, org in sorted(found, key=lambda item: item[0])]

    def masked(self, sentence: str) -> str:
        """The sentence with organisations' names blanked (Kenya Ports Authority is not Kenya)."""
        for pattern, _ in self.organisations:
            sentence = pattern.sub(lambda m: " " * len(m.group(0)), sentence)
        return sentence

    def countries_in(self, sentence: str) -> list[Country]:
        text = self.masked(sentence)
        found = [(m.start(), c) for pattern, c in self.countries for m in pattern.finditer(text)]
        return list(dict.fromkeys(c for _, c in sorted(found, key=lambda item: item[0])))


def propose(text: str, url: str = "") -> Draft | None:
    """The draft the text supports, or None when it reports no agreement."""
    dateline = DATELINE.match(text)
    lines = sentences(text[dateline.end() :] if dateline else text)
    kind, kind_sentence = agreement_kind(lines)
    if kind is None:
        return None
    names = Names()
    about = [s for s in lines if REPORTED.search(s) or any(p.search(s) for _, p in KINDS)]
    draft = Draft()
    parties(draft, names, about, lines)
    if not draft.parties:
        return None
    draft.fields["kind"] = kind
    draft.prove("Kind", Agreement.Kind(kind).label, kind_sentence)
    draft.fields["scope"] = (
        Agreement.Scope.BILATERAL
        if len(draft.parties) == 2 and all(p.get("country") for p in draft.parties)
        else Agreement.Scope.PLURILATERAL
    )
    draft.fields["is_binding"] = kind not in NOT_BINDING
    people(draft, names, lines)
    dates_and_place(draft, text, lines, about, kind)
    topics_and_links(draft, names, lines)
    source(draft, text, lines, url)
    title(draft, lines, kind, kind_sentence)
    return draft


def agreement_kind(lines: list[str]) -> tuple[str | None, str]:
    """The kind the text names first (a memorandum, a communiqué ...), or a reported agreement's."""
    for sentence in lines:
        for kind, pattern in KINDS:
            if pattern.search(sentence):
                return kind, sentence
    for sentence in lines:
        if REPORTED.search(sentence):
            kind = Agreement.Kind.COMMUNIQUE if re.search(r"\bagreed\b", sentence) else Agreement.Kind.UNKNOWN
            return kind, sentence
    return None, ""


def parties(draft: Draft, names: Names, about: list[str], lines: list[str]) -> None:
    """The countries and institutions of the first sentences about the agreement that name any."""
    counts = Counter(org.pk for sentence in lines for org in names.organisations_in(sentence))
    chosen: dict[int, tuple[Country, str]] = {}
    institutions: dict[int, Organisation] = {}
    for sentence in about:
        named: list[tuple[int, Country | None]] = [
            (m.start(), c) for pattern, c in names.countries for m in pattern.finditer(names.masked(sentence))
        ]
        named += [(m.start(), o.country) for pattern, o in names.organisations for m in pattern.finditer(sentence)]
        for _, country in sorted(named, key=lambda item: item[0]):
            if country is not None:
                chosen.setdefault(country.pk, (country, sentence))
        if len(chosen) >= 2:
            break
    for sentence in lines:  # each party's institution: the one of its country the text names most
        for org in names.organisations_in(sentence):
            if org.country_id in chosen:
                best = institutions.get(org.country_id)
                if best is None or counts[org.pk] > counts[best.pk]:
                    institutions[org.country_id] = org
    for country_id, (country, sentence) in chosen.items():
        institution = institutions.get(country_id)
        draft.parties.append({"country": country.iso3, "institution": institution.pk if institution else None})
        label = f"{country.name} – {institution.acronym or institution.name}" if institution else country.name
        draft.prove("Party", label, sentence)


def people(draft: Draft, names: Names, lines: list[str]) -> None:
    """The people named with a position, once each, in the order the text first names them."""
    found: dict[str, dict[str, Any]] = {}
    parties_by_country = {p["country"]: p for p in draft.parties}
    for sentence in lines:
        matches = [*NAME_THEN_POSITION.finditer(sentence), *POSITION_THEN_NAME.finditer(sentence)]
        matches += POSITION_BEFORE_NAME.finditer(sentence)
        for match in sorted(matches, key=lambda m: m.start()):
            name = match.group("name")
            person = found.setdefault(name, {"name": name, "orgs": [], "sentence": sentence, "countries": []})
            groups = match.groupdict()
            person.setdefault("position", groups["position"])
            if groups.get("honorific"):
                person.setdefault("honorific", groups["honorific"])
            tail = groups.get("tail") or ""
            person["orgs"] += names.organisations_in(tail)
            person["countries"] += names.countries_in(tail + " " + (groups.get("adjective") or ""))
            if PRESIDED.search(sentence):
                person["role"] = "presided"
    known = {
        s.name: s
        for s in Signatory.objects.filter(name__in=list(found), country__isnull=False).select_related("country")
    }
    for order, person in enumerate(found.values(), start=1):
        orgs = person["orgs"]
        # The most specific institution named: a department rather than its ministry.
        org = next((o for o in orgs if o.parent_id in {p.pk for p in orgs}), orgs[0] if orgs else None)
        country = org.country.iso3 if org and org.country_id else None
        if country is None and person["countries"]:
            country = person["countries"][0].iso3
        if country is None and (same := known.get(person["name"])) and same.country:  # the database knows them
            country = same.country.iso3
        row = {
            "name": person["name"],
            "honorific": person.get("honorific", ""),
            "position": person["position"],
            "role": person.get("role", "signed"),
            "country": country if country in parties_by_country else None,
            "party": country if country in parties_by_country else "",
            "organisation": org.pk if org else None,
            "order": order,
        }
        draft.signatories.append(row)
    # Two parties, and one person of the two without a country: the party nobody else speaks for.
    unused = [p["country"] for p in draft.parties if p["country"] not in {s["country"] for s in draft.signatories}]
    without = [s for s in draft.signatories if not s["country"]]
    if len(draft.parties) == 2 and len(unused) == 1 and len(without) == 1:
        without[0]["country"] = without[0]["party"] = unused[0]
    orgs = {o.pk: o for o in Organisation.objects.filter(pk__in=[s["organisation"] for s in draft.signatories])}
    for row, person in zip(draft.signatories, found.values(), strict=True):
        org = orgs.get(row["organisation"])
        where = ", ".join(filter(None, [org.name if org else "", row["country"] or ""]))
        shown = f"{row['name']}, {row['honorific'] + ', ' if row['honorific'] else ''}{row['position']}"
        draft.prove("Signatory", shown + (f" ({where})" if where else ""), person["sentence"])


def dates_and_place(draft: Draft, text: str, lines: list[str], about: list[str], kind: str) -> None:
    signed = any(SIGNED.search(s) for s in about) or kind in {Agreement.Kind.MOU, Agreement.Kind.MOC}
    draft.fields["status"] = Agreement.Status.SIGNED if signed else Agreement.Status.ANNOUNCED
    dateline = DATELINE.match(text)
    report_date = date_parser.parse(dateline.group(1)).date() if dateline else None
    if report_date:
        draft.source["published_on"] = report_date.isoformat()
    for sentence in lines:
        if dateline and sentence.startswith(text.strip()[: dateline.end()].strip()[:20]):
            sentence = sentence[dateline.end() :]  # the dateline dates the report
        match = DATE.search(sentence)
        if match and signed and (SIGNED.search(sentence) or re.search(r"ceremony", sentence, re.IGNORECASE)):
            day = date_parser.parse(match.group(1)).date()
            draft.fields["signed_on"] = day.isoformat()
            draft.prove("Date signed", day.strftime("%-d %B %Y"), sentence)
            break
    else:
        week = next((s for s in lines if THIS_WEEK.search(s)), None)
        if week and report_date and signed:
            monday = report_date - dt.timedelta(days=report_date.weekday() + (7 if "last" in week.lower() else 0))
            if monday.month == report_date.month:
                draft.fields["signed_on"] = report_date.strftime("%Y-%m")
                draft.prove("Date signed", report_date.strftime("%B %Y") + " (the report's week)", week)
    if draft.fields["status"] == Agreement.Status.SIGNED and "signed_on" not in draft.fields:
        draft.fields["signed_precision"] = DatePrecision.DAY
    country_names = {c.name for c in Country.objects.only("name")}
    for sentence in lines:
        for match in PLACE.finditer(sentence):
            place = match.group("place")
            if place not in country_names:
                draft.fields["place"] = place
                draft.prove("Place", place, sentence)
                return


def topics_and_links(draft: Draft, names: Names, lines: list[str]) -> None:
    masked = [names.masked(s) for s in lines]
    chosen = []
    for topic in names.topics:
        words = [w[:-1] if w.endswith("s") else w for w in re.findall(r"[a-z]{4,}", topic.name.lower())]
        for sentence, text in zip(lines, masked, strict=True):
            lowered = text.lower()
            if topic.name.lower() in lowered or (words and all(re.search(rf"\b{w}", lowered) for w in words)):
                chosen.append(topic.pk)
                draft.prove("Topic", topic.name, sentence)
                break
    draft.fields["topics"] = chosen
    for records in linked():
        rows = []
        for record in records.records():
            pattern = re.compile(rf"\b{re.escape(record.name)}\b", re.IGNORECASE)
            if found := next((s for s in lines if pattern.search(s)), None):
                rows.append({records.link_field: record.pk})
                draft.prove(records.label.capitalize(), record.name, found)
        draft.linked[records.link_model._meta.label_lower] = rows


def source(draft: Draft, text: str, lines: list[str], url: str) -> None:
    headline = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(headline) > 150 or DATELINE.match(headline):
        headline = DATELINE.sub("", headline).strip()
        headline = headline if len(headline) <= 150 else headline[:150].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    site = urlparse(url).hostname or ""
    existing = Source.objects.filter(url=url).first() if url else None
    draft.source |= {
        "title": existing.title if existing else headline,
        "url": url,
        "publisher": existing.publisher if existing else site.removeprefix("www."),
        "existing": existing.pk if existing else None,
    }
    draft.prove("Source", draft.source["title"] + (f" <{url}>" if url else ""), headline)


def title(draft: Draft, lines: list[str], kind: str, kind_sentence: str) -> None:
    labels = []
    orgs = {
        o.pk: o
        for o in Organisation.objects.filter(pk__in=[p["institution"] for p in draft.parties if p["institution"]])
    }
    countries = {c.iso3: c for c in Country.objects.filter(iso3__in=[p["country"] for p in draft.parties])}
    for party in draft.parties:
        org = orgs.get(party["institution"])
        labels.append((org.acronym or org.name) if org else countries[party["country"]].name)
    between = " and ".join(labels) if len(labels) <= 2 else ", ".join(labels[:-1]) + " and " + labels[-1]
    purpose = ""
    for sentence in [kind_sentence, *lines]:
        if match := PURPOSE.search(sentence):
            purpose = f" establishing {match.group('what')}"
            break
        if match := AGREED_TO.search(sentence):
            purpose = f" to {match.group('what')}"
            break
    name = "Agreement" if kind in {Agreement.Kind.COMMUNIQUE, Agreement.Kind.UNKNOWN} else Agreement.Kind(kind).label
    draft.fields["title"] = f"{name} between {between}{purpose}"[:500]
    draft.prove("Title", draft.fields["title"], kind_sentence)
