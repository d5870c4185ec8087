"""Writing the demo records: upserted on their natural keys, saved only when a value differs, the
demo agreements' relations brought back to exactly the seeds'."""

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models, transaction
from simple_history.utils import update_change_reason

from agreements.demo.seeds import AGREEMENTS, BLOCS, ORGANISATIONS, SOURCES, TOPICS
from agreements.models import (
    Agreement,
    AgreementSource,
    Bloc,
    BlocMembership,
    Country,
    Organisation,
    Party,
    Signatory,
    Source,
    Topic,
)

CHANGE_REASON = "Demo data from the seed documents (load_demo)."

M = TypeVar("M", bound=models.Model)


def _differences(obj: models.Model, values: dict[str, Any]) -> list[str]:
    """The fields whose stored value differs from ``values`` (relations compared by id, without a query)."""
    changed = []
    for name, value in values.items():
        model_field = obj._meta.get_field(name)
        if isinstance(model_field, models.Field) and model_field.many_to_one:
            current, value = getattr(obj, model_field.attname), getattr(value, "pk", value)
        else:
            current = getattr(obj, name)
        if current != value:
            changed.append(name)
    return changed


def upsert(model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> M:
    """Create the row found by ``lookup`` or bring it to ``values``; save only what changed.

    Saving only on a difference keeps a second run from writing history rows
    and bumping timestamps for nothing.
    """
    obj, created = model._default_manager.get_or_create(**lookup, defaults=values)
    if created:
        _note_reason(obj)
        return obj
    changed = _differences(obj, values)
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
            changed.append("updated_at")
        obj._change_reason = CHANGE_REASON  # type: ignore[attr-defined]  # read by simple-history's signal
        obj.save(update_fields=changed)
    return obj


def _note_reason(obj: models.Model) -> None:
    if hasattr(type(obj), "history"):
        update_change_reason(obj, CHANGE_REASON)


def prune(queryset: models.QuerySet, keep: Iterable[models.Model]) -> None:
    """Delete the rows of ``queryset`` not in ``keep`` (one at a time, so history records it)."""
    for obj in queryset.exclude(pk__in=[k.pk for k in keep]):
        obj._change_reason = CHANGE_REASON
        obj.delete()


def countries(codes: Iterable[str]) -> dict[str, Country]:
    """Countries by ISO3 code, loaded by migration; a missing one is an error, not a silent skip."""
    codes = set(codes)
    found = Country.objects.in_bulk(codes, field_name="iso3")
    if missing := codes - found.keys():
        raise Country.DoesNotExist(f"Countries not loaded: {', '.join(sorted(missing))}. Run migrate first.")
    return found


def _needed_countries() -> set[str]:
    codes = {org["country"] for org in ORGANISATIONS if org.get("country")}
    codes |= {iso3 for bloc in BLOCS for iso3, _, _ in bloc["members"]}
    for data in AGREEMENTS:
        codes |= {p.country for p in data.parties if p.country}
        codes |= {s.country for s in data.signatories}
    return codes


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Load or refresh the demo data; returns how many rows of each kind the demo holds."""
    country = countries(_needed_countries())

    topics = {slug: upsert(Topic, {"slug": slug}, {"name": name}) for slug, name in TOPICS.items()}

    organisations: dict[str, Organisation] = {}
    for org in ORGANISATIONS:
        organisations[org["slug"]] = upsert(
            Organisation,
            {"slug": org["slug"]},
            {
                "name": org["name"],
                "acronym": org.get("acronym", ""),
                "kind": org["kind"],
                "country": country[org["country"]] if org.get("country") else None,
                "parent": organisations[org["parent"]] if org.get("parent") else None,
            },
        )

    sources = {
        src["citation"]: upsert(
            Source,
            {"citation": src["citation"]},
            {
                "title": src["title"],
                "publisher": src.get("publisher", ""),
                "kind": src["kind"],
                "published_on": src["published_on"],
            },
        )
        for src in SOURCES
    }

    memberships = 0
    for data in BLOCS:
        bloc = upsert(Bloc, {"code": data["code"]}, {"name": data["name"], "founded_on": data["founded_on"]})
        for iso3, joined_on, precision in data["members"]:
            upsert(
                BlocMembership,
                {"bloc": bloc, "country": country[iso3], "joined_on": joined_on},
                {"joined_precision": precision},
            )
            memberships += 1

    parties = signatories = citations = 0
    for record in AGREEMENTS:
        agreement = upsert(Agreement, {"slug": record.slug}, record.fields)

        if not agreement.is_published:
            agreement.publish()

        kept_parties = []
        lookup: dict[str, Any]
        values: dict[str, Any]
        for p in record.parties:
            institution = organisations[p.institution] if p.institution else None
            if p.country:
                # A country is a party once: it is the key, the institution acting for it a value.
                lookup, values = {"agreement": agreement, "country": country[p.country]}, {"institution": institution}
            else:
                lookup, values = {"agreement": agreement, "country": None, "institution": institution}, {}
            kept_parties.append(upsert(Party, lookup, values))
        prune(agreement.parties.all(), kept_parties)

        kept_signatories = [
            upsert(
                Signatory,
                {"agreement": agreement, "name": s.name},
                {
                    "position": s.position,
                    "honorific": s.honorific,
                    "role": s.role,
                    "country": country[s.country],
                    "organisation": organisations[s.organisation] if s.organisation else None,
                    "order": order,
                },
            )
            for order, s in enumerate(record.signatories, start=1)
        ]
        prune(agreement.signatories.all(), kept_signatories)

        agreement.topics.set([topics[slug] for slug in record.topics])

        kept_citations = [
            upsert(AgreementSource, {"agreement": agreement, "source": sources[citation]}, {"note": note})
            for citation, note in record.citations
        ]
        prune(agreement.citations.all(), kept_citations)

        parties += len(kept_parties)
        signatories += len(kept_signatories)
        citations += len(kept_citations)

    return {
        "topics": len(topics),
        "organisations": len(organisations),
        "sources": len(sources),
        "blocs": len(BLOCS),
        "bloc memberships": memberships,
        "agreements": len(AGREEMENTS),
        "parties": parties,
        "signatories": signatories,
        "citations": citations,
    }
