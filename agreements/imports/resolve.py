"""Setting agreements' fields from their datasets' claims (see agreements.imports.merge).

Only agreements an import created are written, and on them only the fields a
curator did not edit (``Agreement.curated_fields``; ``parties`` for the list
of parties). Each field takes the value of the most trusted dataset that gives
one (``TRUST``: the WTO's exact dates before GPTAD's, DESTA's years last), then
status and dates are made to agree with the model's rules (``consistent``).

An agreement a source says has ended keeps that status even when no source
gives the date (GPTAD's "expired"): the status is the source's claim, and the
page says the date is not known. The WTO's "Inactive" is read as terminated,
unless another source says superseded (DESTA's numbered series: Lomé I by Lomé II).
"""

import datetime as dt
import re
from collections import defaultdict
from typing import Any

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from agreements.imports.country_names import bloc_name
from agreements.models import Agreement, Claim, Dataset, DatePrecision, ExternalIdentifier, Organisation, Party
from agreements.models.dates import parse_partial_date

Method = ExternalIdentifier.Method
BATCH = 1000
ENDED = {Agreement.Status.TERMINATED, Agreement.Status.EXPIRED, Agreement.Status.SUPERSEDED}
# Whose word is used for each field, first to last: the WTO has exact dates, DESTA only years.
TRUST: dict[str, list[str]] = {
    "title": ["wto_rta", "desta", "gptad"],
    "kind": ["wto_rta", "desta", "gptad"],
    "status": ["wto_rta", "gptad", "desta"],
    "signed_on": ["wto_rta", "gptad", "desta"],
    "in_force_on": ["wto_rta", "gptad", "desta"],
    "services_in_force_on": ["wto_rta"],
    "ended_on": ["wto_rta", "desta"],
    "notified_on": ["wto_rta"],
    "wto_notification": ["wto_rta"],
    "party": ["wto_rta", "desta", "gptad"],
}
FIELDS = [name for name in TRUST if name != "party"]
CURATABLE = [*FIELDS, "parties"]
NOTIFIED = ("wto_notification", "notified_on")


def partial(text: str) -> tuple[dt.date | None, str]:
    if not text:
        return None, DatePrecision.DAY
    return parse_partial_date(text)


# --- resolving -------------------------------------------------------------------


def import_created(ids: list[int]) -> set[int]:
    """The agreements an import created: the only ones imports may write."""
    return set(
        ExternalIdentifier.objects.filter(agreement_id__in=ids, matched_by=Method.CREATED).values_list(
            "agreement_id", flat=True
        )
    )


def chosen(claims: list[Claim], name: str, order: dict[int, int]) -> Claim | None:
    """The most trusted dataset's claim on a field (kind "unknown" says nothing)."""
    relevant = [c for c in claims if c.field == name and c.value and not (name == "kind" and c.value == "unknown")]
    relevant = [c for c in relevant if c.dataset_id in order]
    best = min(relevant, key=lambda c: (order.get(c.dataset_id, 99), c.id or 0), default=None)
    if name == "status" and best is not None and best.value == Agreement.Status.TERMINATED:
        # "Inactive" says ended; a source saying how (superseded) says more.
        return next((c for c in relevant if c.value == Agreement.Status.SUPERSEDED), best)
    return best


def trust_order(name: str) -> dict[int, int]:
    slugs = dict(Dataset.objects.values_list("slug", "id"))
    return {slugs[slug]: i for i, slug in enumerate(TRUST[name]) if slug in slugs}


def resolve(ids: set[int], *, user: Any = None, reason: str = "") -> set[int]:
    """Set each agreement's fields and parties from its claims; returns those that changed."""
    writable = import_created(sorted(ids))
    if not writable:
        return set()
    orders = {name: trust_order(name) for name in TRUST}
    claims: dict[int, list[Claim]] = defaultdict(list)
    ids_list = sorted(writable)
    for start in range(0, len(ids_list), BATCH):
        for claim in Claim.objects.filter(agreement_id__in=ids_list[start : start + BATCH]):
            claims[claim.agreement_id].append(claim)
    agreements = Agreement.objects.in_bulk(ids_list)
    changed_agreements, changed = [], set()
    party_plans = {}
    for pk, agreement in agreements.items():
        curated = set(agreement.curated_fields or [])
        before = {f: getattr(agreement, f) for f in ("title", "kind", "status", "scope", *date_fields(), *NOTIFIED)}
        values = {name: chosen(claims[pk], name, orders[name]) for name in FIELDS}
        for name in FIELDS:
            if name in curated or (values[name] is None and name in ("title", "kind")):
                continue
            said = values[name]
            if name in ("title", "kind", "status", "wto_notification"):
                setattr(agreement, name, said.value if said else ("" if name == "wto_notification" else None))
            elif name == "notified_on":
                agreement.notified_on = dt.date.fromisoformat(said.value) if said else None
            else:
                value, precision = partial(said.value if said else "")
                setattr(agreement, name, value)
                setattr(agreement, name.removesuffix("_on") + "_precision", precision)
        if "status" not in curated:
            consistent(agreement)
        if "parties" not in curated:
            party_plans[pk] = wanted_parties(claims[pk], orders["party"])
            countries = [c for c, _, _ in party_plans[pk][0]]
            blocs = party_plans[pk][1]
            if len(countries) == 2 and not blocs and agreement.scope in (Agreement.Scope.BILATERAL,):
                pass
            elif blocs:
                agreement.scope = Agreement.Scope.BLOC
            elif agreement.scope == Agreement.Scope.BILATERAL and len(countries) != 2:
                agreement.scope = Agreement.Scope.PLURILATERAL
        if any(getattr(agreement, f) != v for f, v in before.items()):
            changed_agreements.append(agreement)
    fields = ["title", "kind", "status", "scope", *date_fields(), "wto_notification", "notified_on", "updated_at"]
    now = timezone.now()
    really = []
    for agreement in changed_agreements:
        agreement.updated_at = now
        really.append(agreement)
    if really:
        for start in range(0, len(really), BATCH):
            bulk_update_with_history(
                really[start : start + BATCH], Agreement, fields, default_user=user, default_change_reason=reason
            )
    changed |= {a.pk for a in really}
    changed |= sync_parties(party_plans, user=user, reason=reason)
    return changed


def date_fields() -> list[str]:
    names = ["signed_on", "in_force_on", "services_in_force_on", "ended_on"]
    return [*names, *(n.removesuffix("_on") + "_precision" for n in names)]


def consistent(agreement: Agreement) -> None:
    """Status and dates that the model's rules accept, from what the sources gave."""
    a, status = agreement, agreement.status
    if a.signed_on and a.in_force_on and a.in_force_on < a.signed_on:
        a.in_force_on, a.in_force_precision = a.signed_on, a.signed_precision
    if a.signed_on and a.services_in_force_on and a.services_in_force_on < a.signed_on:
        a.services_in_force_on, a.services_in_force_precision = a.signed_on, a.signed_precision
    if a.ended_on and a.in_force_on and a.ended_on < a.in_force_on:
        a.ended_on, a.ended_precision = a.in_force_on, a.in_force_precision
    derived = Agreement.Status.IN_FORCE if a.in_force_on else Agreement.Status.SIGNED
    if not status:
        status = derived
    # An ended status without a date stays: a source said it ended (the date is not known).
    if status not in ENDED:
        a.ended_on = None
    if status in (Agreement.Status.ANNOUNCED, Agreement.Status.NEGOTIATING) and (a.signed_on or a.in_force_on):
        status = derived
    if status == Agreement.Status.SIGNED and a.in_force_on:
        status = Agreement.Status.IN_FORCE
    if status in (Agreement.Status.IN_FORCE, Agreement.Status.SUSPENDED) and not a.in_force_on:
        status = Agreement.Status.SIGNED
    if status in (Agreement.Status.ANNOUNCED, Agreement.Status.NEGOTIATING):
        a.services_in_force_on = None
    a.status = status


def parse_when(value: str) -> tuple[tuple, tuple]:
    joined = re.search(r"joined ([0-9-]+)", value)
    left = re.search(r"left ([0-9-]+)", value)
    return partial(joined.group(1) if joined else ""), partial(left.group(1) if left else "")


def wanted_parties(claims: list[Claim], order: dict[int, int]) -> tuple[list[tuple[int, tuple, tuple]], list[str]]:
    """Each claimed country with its joining and leaving dates from the most trusted source giving them."""
    by_country: dict[int, list[Claim]] = defaultdict(list)
    for claim in claims:
        if claim.field == Claim.Field.PARTY and claim.country_id is not None:
            by_country[claim.country_id].append(claim)
    parties = []
    for country_id, found in by_country.items():
        found.sort(key=lambda c: (order.get(c.dataset_id, 99), c.id or 0))
        joined = next((parse_when(c.value)[0] for c in found if "joined" in c.value), (None, DatePrecision.DAY))
        left = next((parse_when(c.value)[1] for c in found if "left" in c.value), (None, DatePrecision.DAY))
        if joined[0] and left[0] and left[0] < joined[0]:
            left = (None, DatePrecision.DAY)
        parties.append((country_id, joined, left))
    blocs = sorted({c.value for c in claims if c.field == "institution"})
    return parties, blocs


def institution(acronym: str) -> Organisation:
    name = bloc_name(acronym)
    found = Organisation.objects.filter(name=name, country__isnull=True).first()
    return found or Organisation.objects.create(
        name=name,
        acronym=acronym,
        slug=re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-"),
        kind=Organisation.Kind.INTERGOVERNMENTAL,
    )


PartyPlan = tuple[list[tuple[int, tuple[Any, str], tuple[Any, str]]], list[str]]


def sync_parties(plans: dict[int, PartyPlan], *, user: Any = None, reason: str = "") -> set[int]:
    """Make each agreement's parties what its claims say: add, date, remove."""
    changed: set[int] = set()
    ids = list(plans)
    have: dict[int, list[Party]] = defaultdict(list)
    for start in range(0, len(ids), BATCH):
        for held in Party.objects.filter(agreement_id__in=ids[start : start + BATCH]):
            have[held.agreement_id].append(held)
    orgs: dict[str, int] = {}
    create: list[Party] = []
    update: list[Party] = []
    delete: list[int] = []
    for pk, (countries, blocs) in plans.items():
        by_country: dict[int | None, Party | None] = {p.country_id: p for p in have[pk] if p.country_id}
        alone: dict[int | None, Party | None] = {p.institution_id: p for p in have[pk] if not p.country_id}
        for country_id, (joined, jp), (left, lp) in countries:
            party = by_country.pop(country_id, None)
            if party is None:
                create.append(
                    Party(
                        agreement_id=pk,
                        country_id=country_id,
                        joined_on=joined,
                        joined_precision=jp,
                        withdrew_on=left,
                        withdrew_precision=lp,
                    )
                )
                changed.add(pk)
            elif (party.joined_on, party.joined_precision, party.withdrew_on, party.withdrew_precision) != (
                joined,
                jp,
                left,
                lp,
            ):
                party.joined_on, party.joined_precision, party.withdrew_on, party.withdrew_precision = (
                    joined,
                    jp,
                    left,
                    lp,
                )
                update.append(party)
                changed.add(pk)
        for acronym in blocs:
            if acronym not in orgs:
                orgs[acronym] = institution(acronym).pk
            if orgs[acronym] in alone:
                del alone[orgs[acronym]]
            else:
                create.append(Party(agreement_id=pk, institution_id=orgs[acronym]))
                changed.add(pk)
        gone = [p for p in (*by_country.values(), *alone.values()) if p is not None]
        if countries or blocs:
            delete += [p.pk for p in gone]
            changed |= {pk} if gone else set()
    for start in range(0, len(delete), BATCH):
        Party.objects.filter(pk__in=delete[start : start + BATCH]).delete()
    if update:
        bulk_update_with_history(
            update,
            Party,
            ["joined_on", "joined_precision", "withdrew_on", "withdrew_precision"],
            batch_size=BATCH,
            default_user=user,
            default_change_reason=reason,
        )
    for start in range(0, len(create), BATCH):
        bulk_create_with_history(create[start : start + BATCH], Party, default_user=user, default_change_reason=reason)
    return changed
