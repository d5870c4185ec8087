"""One agreement per real agreement, from what DESTA, the WTO and GPTAD each say.

Each dataset importer (agreements.imports.desta, .wto_rta, .gptad) reads its
file into ``Record``s: the record's own key in its dataset, the facts it gives
(``values``, as text) and its parties. ``Merger`` then, in one transaction:

1. matches each record to an agreement, and says how (``ExternalIdentifier.Method``):
   - ``identifier``: the agreement already carries the record's key (a re-import);
   - ``desta_wto_name``: a WTO record named in DESTA's ``wto_name`` column
     (names compared without punctuation, case or word order, EC read as EU);
     when DESTA gives several entries that name, the one signed the same year;
   - ``parties_year_name``: the same set of countries, signed the same year,
     and, when several agreements qualify, the one name sharing most words;
   nothing else. A record with no match is created as a new agreement, or, for a
   dataset that may not create (GPTAD), listed as unmatched in the report;
2. replaces the dataset's claims on the agreement by what the record says now
   (unchanged claims are not touched: importing twice writes nothing);
3. sets the agreement's fields from every dataset's claims (``resolve``), in
   the order of trust ``TRUST``, except on a curator's record: an agreement no
   import created is never written, and on one an import created, a field a
   curator edited (``Agreement.curated_fields``) keeps its value.

``DatasetImporter`` is the WTO's and GPTAD's import on the one framework
(tradepacts.imports): each says how to read its file into records; the writing
(the lock, the same file skipped, the merge, the result) is the same for both.
"""

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agreements.imports.resolve import resolve
from agreements.models import (
    Agreement,
    AgreementRelation,
    AgreementSource,
    Claim,
    Country,
    Dataset,
    ExternalIdentifier,
    Party,
    Source,
)
from agreements.search import reindex
from tradepacts.imports import ImportResult, RowError

# The registry's imports (DESTA, the WTO RTA list, GPTAD) merge into the same agreements: one at a time.
REGISTRY_LOCK = "registry"

Method = ExternalIdentifier.Method
BATCH = 1000
SCHEMES = {"desta": ExternalIdentifier.Scheme.DESTA, "wto_rta": ExternalIdentifier.Scheme.WTO_RTA}
SCHEMES["gptad"] = ExternalIdentifier.Scheme.GPTAD
WORD = re.compile(r"[a-z0-9]+")
NAME_ALIASES = {"ec": "eu", "us": "united states", "usa": "united states", "fta": "free trade agreement"}


def plain(text: str) -> str:
    """Lower case without accents: DESTA writes "Lome", the WTO "Lomé"."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def name_words(name: str) -> frozenset[str]:
    words = " ".join(NAME_ALIASES.get(w, w) for w in WORD.findall(plain(name)))
    return frozenset(words.split()) - {"the", "of", "and", "agreement"}


@dataclass
class Record:
    """What one record of a dataset says about one agreement."""

    key: str
    line: int
    title: str
    values: dict[str, str] = field(default_factory=dict)  # Claim.Field -> text
    # (ISO3, joined "YYYY[-MM-DD]" or "", left or ""); blocs as acronyms.
    countries: list[tuple[str, str, str]] = field(default_factory=list)
    blocs: list[str] = field(default_factory=list)
    signed_year: int | None = None
    accession: bool = False
    scope: str = Agreement.Scope.PLURILATERAL


# What a merge's ImportResult counts in its details.
NOT_MATCHED, AMBIGUOUS = "not matched", "fitting several agreements (none chosen)"
CLAIMS_ADDED, CLAIMS_REMOVED = "claims added", "claims removed"
SAME_FILE = "records of a file imported before (the same SHA-256)"


def matched_by(method: str) -> str:
    """The details' key for the records matched by ``method``: "matched by desta_wto_name"."""
    return f"matched by {method}"


@dataclass
class MergeReport:
    matched: Counter[str] = field(default_factory=Counter)  # by method
    created: int = 0
    unmatched: list[RowError] = field(default_factory=list)
    ambiguous: list[RowError] = field(default_factory=list)
    claims_added: int = 0
    claims_removed: int = 0
    agreements_changed: int = 0
    # The agreements created or whose fields changed (for agreements.extensions.agreements_changed_in_bulk).
    agreement_ids: set[int] = field(default_factory=set)

    def fill(self, result: ImportResult) -> None:
        """Say it in the one ImportResult: the agreements created and changed, matches by
        method, what was not matched (each a warning with its line) and the claims."""
        result.created = self.created
        result.updated = self.agreements_changed - self.created
        for method in (Method.IDENTIFIER, Method.DESTA_WTO_NAME, Method.PARTIES_YEAR_NAME, Method.CREATED):
            if self.matched[method]:
                result.details[matched_by(method)] = self.matched[method]
        result.details[NOT_MATCHED] = len(self.unmatched)
        if self.ambiguous:
            result.details[AMBIGUOUS] = len(self.ambiguous)
        result.details[CLAIMS_ADDED] = self.claims_added
        result.details[CLAIMS_REMOVED] = self.claims_removed
        result.warnings += [RowError(e.line, e.column, f"not matched, {e.message}") for e in self.unmatched]
        result.warnings += self.ambiguous


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dataset(slug: str, credits: dict[str, str]) -> Dataset:
    """The dataset's row, with its citation as a Source, made on first use."""
    found = Dataset.objects.filter(slug=slug).first()
    if found:
        return found
    source = Source.objects.filter(url=credits["url"]).first() or Source.objects.create(
        title=credits["title"],
        publisher=credits.get("publisher", ""),
        url=credits["url"],
        kind=Source.Kind.DATASET,
        citation=credits["citation"],
    )
    return Dataset.objects.create(
        slug=slug,
        title=credits["title"],
        version=credits.get("version", ""),
        licence=credits.get("licence", ""),
        citation=credits["citation"],
        url=credits["url"],
        source=source,
    )


class Merger:
    """Match, claim and resolve one dataset's records (see the module's docstring)."""

    def __init__(self, dataset: Dataset, *, user: Any = None, reason: str, may_create: bool) -> None:
        self.dataset, self.user, self.reason, self.may_create = dataset, user, reason, may_create
        self.scheme = SCHEMES[dataset.slug]
        self.report = MergeReport()
        self.countries = dict(Country.objects.values_list("iso3", "id"))

    # --- matching ----------------------------------------------------------------

    def candidates(self) -> None:
        """What matching needs from the database, once."""
        self.by_key = dict(ExternalIdentifier.objects.filter(scheme=self.scheme).values_list("value", "agreement_id"))
        self.has_scheme = set(self.by_key.values())
        self.desta_names: dict[frozenset, list[int]] = defaultdict(list)
        for agreement_id, value in Claim.objects.filter(field=Claim.Field.WTO_NAME).values_list(
            "agreement_id", "value"
        ):
            self.desta_names[name_words(value)].append(agreement_id)
        self.info = {
            pk: (title, signed, kind)
            for pk, title, signed, kind in Agreement.objects.values_list("id", "title", "signed_on", "kind")
        }
        parties: dict[int, set[int]] = defaultdict(set)
        for agreement_id, country_id in Party.objects.filter(country__isnull=False).values_list(
            "agreement_id", "country_id"
        ):
            parties[agreement_id].add(country_id)
        self.by_parties: dict[tuple[frozenset, int], list[int]] = defaultdict(list)
        for pk, countries in parties.items():
            signed = self.info[pk][1]
            if signed:
                self.by_parties[(frozenset(countries), signed.year)].append(pk)

    def match(self, record: Record) -> tuple[int | None, str]:
        if record.key in self.by_key:
            return self.by_key[record.key], Method.IDENTIFIER
        free = [pk for pk in self.desta_names.get(name_words(record.key), []) if pk not in self.has_scheme]
        if self.scheme == ExternalIdentifier.Scheme.WTO_RTA and free:
            accession = Agreement.Kind.ACCESSION
            free = [pk for pk in free if (self.info[pk][2] == accession) == record.accession] or free
            if len(free) > 1 and record.signed_year:
                free = [pk for pk in free if self.info[pk][1] and self.info[pk][1].year == record.signed_year]
            if len(free) == 1:
                return free[0], Method.DESTA_WTO_NAME
        if record.signed_year and record.countries:
            countries = frozenset(self.countries[c] for c, _, _ in record.countries)
            found = [pk for pk in self.by_parties.get((countries, record.signed_year), []) if pk not in self.has_scheme]
            if record.accession:
                found = [pk for pk in found if self.info[pk][2] == Agreement.Kind.ACCESSION]
            if len(found) > 1:
                words = name_words(record.title)
                scores = {pk: len(words & name_words(self.info[pk][0])) for pk in found}
                best = max(scores.values())
                found = [pk for pk, score in scores.items() if score == best and score > 0]
                if len(found) > 1:
                    self.report.ambiguous.append(
                        RowError(record.line, "", f"“{record.key}”: {len(found)} agreements fit equally; none chosen.")
                    )
            if len(found) == 1:
                return found[0], Method.PARTIES_YEAR_NAME
        return None, ""

    # --- writing -------------------------------------------------------------------

    def run(self, records: list[Record]) -> MergeReport:
        self.candidates()
        matched: dict[str, tuple[int, str, Record]] = {}
        new: list[Record] = []
        for record in records:
            pk, method = self.match(record)
            if pk is not None and pk in self.has_scheme and method != Method.IDENTIFIER:
                pk = None
            if pk is None:
                if self.may_create:
                    new.append(record)
                else:
                    self.report.unmatched.append(
                        RowError(record.line, "", f"“{record.key}” ({record.signed_year or 'year unknown'}): no match.")
                    )
                continue
            self.has_scheme.add(pk)
            matched[record.key] = (pk, method, record)
            if method != Method.IDENTIFIER:
                self.report.matched[method] += 1
            else:
                self.report.matched[self.existing_method(pk)] += 1
        created = self.create(new)
        identifiers = [
            ExternalIdentifier(agreement_id=pk, scheme=self.scheme, value=key, matched_by=method)
            for key, (pk, method, _) in matched.items()
            if method != Method.IDENTIFIER
        ] + [
            ExternalIdentifier(agreement_id=pk, scheme=self.scheme, value=r.key, matched_by=Method.CREATED)
            for r, pk in created
        ]
        self.bulk_create(ExternalIdentifier, identifiers)
        by_agreement = {pk: record for pk, _, record in matched.values()} | {pk: r for r, pk in created}
        changed = self.claim(by_agreement)
        self.cite(list(by_agreement))
        touched = resolve(changed, user=self.user, reason=self.reason)
        self.report.agreement_ids = touched | {pk for _, pk in created}
        self.report.agreements_changed = len(self.report.agreement_ids)
        reindex(sorted(self.report.agreement_ids))
        return self.report

    def existing_method(self, pk: int) -> str:
        return (
            ExternalIdentifier.objects.filter(agreement_id=pk, scheme=self.scheme)
            .values_list("matched_by", flat=True)
            .first()
            or Method.IDENTIFIER
        )

    def bulk_create(self, model: type[models.Model], objs: list[Any]) -> None:
        for start in range(0, len(objs), BATCH):
            bulk_create_with_history(
                objs[start : start + BATCH], model, default_user=self.user, default_change_reason=self.reason
            )

    def create(self, records: list[Record]) -> list[tuple[Record, int]]:
        """New agreements for unmatched records: published, their fields set by ``resolve``."""
        if not records:
            return []
        now = timezone.now()
        taken = set(Agreement.objects.values_list("slug", flat=True))
        agreements = []
        for record in records:
            agreement = Agreement(
                title=record.title[:500],
                kind=Agreement.Kind.UNKNOWN,
                scope=record.scope,
                status=Agreement.Status.NEGOTIATING,
                is_published=True,
                published_at=now,
                in_default_lists=not record.accession,
            )
            slug = re.sub(r"[^a-z0-9]+", "-", record.title.lower()).strip("-")[:170] or "agreement"
            slug = f"{slug}-{record.signed_year}" if record.signed_year else slug
            candidate, n = slug, 1
            while candidate in taken:
                n += 1
                candidate = f"{slug}-{n}"
            taken.add(candidate)
            agreement.slug = candidate
            agreements.append(agreement)
        self.bulk_create(Agreement, agreements)
        self.report.created = len(agreements)
        return [(record, agreement.pk) for record, agreement in zip(records, agreements, strict=True)]

    def wanted_claims(self, pk: int, record: Record) -> list[Claim]:
        claims = [
            Claim(agreement_id=pk, dataset=self.dataset, record=record.key, line=record.line, field=name, value=value)
            for name, value in record.values.items()
            if value
        ]
        for iso3, joined, left in record.countries:
            value = "; ".join(part for part in (joined and f"joined {joined}", left and f"left {left}") if part)
            claims.append(
                Claim(
                    agreement_id=pk,
                    dataset=self.dataset,
                    record=record.key,
                    line=record.line,
                    field=Claim.Field.PARTY,
                    country_id=self.countries[iso3],
                    value=value,
                )
            )
        claims += [
            Claim(
                agreement_id=pk, dataset=self.dataset, record=record.key, line=record.line, field="institution", value=b
            )
            for b in record.blocs
        ]
        return claims

    def claim(self, by_agreement: dict[int, Record]) -> set[int]:
        """Replace this dataset's claims that changed; returns the agreements whose claims did."""
        have: dict[int, dict[tuple, Claim]] = defaultdict(dict)
        ids = list(by_agreement)
        for start in range(0, len(ids), BATCH):
            for claim in Claim.objects.filter(dataset=self.dataset, agreement_id__in=ids[start : start + BATCH]):
                have[claim.agreement_id][claim.key()] = claim
        add, remove, changed = [], [], set()
        for pk, record in by_agreement.items():
            want = {claim.key(): claim for claim in self.wanted_claims(pk, record)}
            new = [claim for key, claim in want.items() if key not in have[pk]]
            gone = [claim.pk for key, claim in have[pk].items() if key not in want]
            moved = [c for key, c in have[pk].items() if key in want and c.line != record.line]
            for claim in moved:
                claim.line = record.line
            Claim.objects.bulk_update(moved, ["line"], batch_size=BATCH)
            if new or gone:
                changed.add(pk)
            add += new
            remove += gone
        for start in range(0, len(remove), BATCH):
            Claim.objects.filter(pk__in=remove[start : start + BATCH]).delete()
        Claim.objects.bulk_create(add, batch_size=BATCH)
        self.report.claims_added, self.report.claims_removed = len(add), len(remove)
        return changed

    def cite(self, ids: list[int]) -> None:
        source = self.dataset.source_id
        if not source:
            return
        cited = set(AgreementSource.objects.filter(source_id=source).values_list("agreement_id", flat=True))
        note = f"{self.dataset.title}: its record"
        new = [AgreementSource(agreement_id=pk, source_id=source, note=note[:300]) for pk in ids if pk not in cited]
        self.bulk_create(AgreementSource, new)


def relate(pairs: Sequence[tuple[int, str, int]]) -> int:
    """Relations (from, kind, to) not there yet; returns how many were added."""
    have = set(AgreementRelation.objects.values_list("from_agreement_id", "kind", "to_agreement_id"))
    new = [
        AgreementRelation(from_agreement_id=a, kind=k, to_agreement_id=b)
        for a, k, b in pairs
        if (a, k, b) not in have and a != b
    ]
    AgreementRelation.objects.bulk_create(new)
    return len(new)
