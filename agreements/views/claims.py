"""What each dataset says about an agreement, beside the value the record uses (the detail page)."""

from dataclasses import dataclass, field

from agreements.models import Agreement, Claim
from agreements.models.dates import format_partial_date, parse_partial_date

SHOWN = [
    "title", "kind", "status", "signed_on", "in_force_on", "services_in_force_on", "ended_on", "notified_on",
    "wto_notification",
]  # fmt: skip


@dataclass
class FactRow:
    label: str
    used: str
    curated: bool
    claims: list[tuple[str, str, str, bool]] = field(default_factory=list)  # (dataset, record, value, agrees)

    @property
    def disagree(self) -> bool:
        return any(not agrees for _, _, _, agrees in self.claims)


def text(agreement: Agreement, name: str, value: str) -> str:
    """A claim's value as the page writes the agreement's."""
    if not value:
        return ""
    if name in ("kind", "status"):
        choices = Agreement.Kind if name == "kind" else Agreement.Status
        return str(dict(choices.choices).get(value, value))
    if name.endswith("_on"):
        try:
            return format_partial_date(*parse_partial_date(value))
        except ValueError:
            return value
    return value


def used_text(agreement: Agreement, name: str) -> str:
    if name in ("kind", "status"):
        return getattr(agreement, f"get_{name}_display")()
    if name == "notified_on":
        return (agreement.notified_on and f"{agreement.notified_on.day} {agreement.notified_on:%B %Y}") or ""
    if name.endswith("_on"):
        return agreement.date_display(name)
    return getattr(agreement, name)


def fact_rows(agreement: Agreement, claims: list[Claim]) -> list[FactRow]:
    """One row per field some dataset speaks of: the value used, and each claim, marked where it differs."""
    curated = set(agreement.curated_fields or [])
    created = any(i.matched_by == "created" for i in agreement.identifiers.all())
    rows = []
    for name in SHOWN:
        found = [c for c in claims if c.field == name]
        if not found:
            continue
        used = used_text(agreement, name)
        row = FactRow(str(Claim.Field(name).label), used, name in curated or not created)
        for claim in found:
            said = text(agreement, name, claim.value)
            row.claims.append((claim.dataset.title, claim.record, said, said == used))
        rows.append(row)
    return rows


def party_claims(claims: list[Claim]) -> dict[int, list[tuple[str, str]]]:
    """Country id -> (dataset, what it says of the party)."""
    found: dict[int, list[tuple[str, str]]] = {}
    for claim in claims:
        if claim.field == Claim.Field.PARTY and claim.country_id:
            found.setdefault(claim.country_id, []).append((claim.dataset.title, claim.value or "a party"))
    return found


def status_sources(agreement: Agreement, claims: list[Claim]) -> list[str]:
    """The datasets whose claim gives the status in use (the page says whose word it is)."""
    return list(
        dict.fromkeys(c.dataset.title for c in claims if c.field == Claim.Field.STATUS and c.value == agreement.status)
    )
