"""How one row of the agreements CSV plans its relations: parties and their
institutions, signatories, topics, linked records and sources (a mixin of
agreements.imports.agreements.AgreementsImporter)."""

import difflib
from collections.abc import Callable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.text import slugify

from agreements.imports.agreement_rows import (
    INSTITUTION_OF_PARTY,
    SIGNATORY_COUNTRY,
    SOURCE_WITH_URL,
    ImportState,
    RowPlan,
    numbered_slug,
    parse_signatory,
    pk_of,
    split,
    validation_messages,
)
from agreements.models import Country, Organisation, Party, Signatory, Source, Topic


class RelationPlanner(ImportState):
    """Planning a row's relation rows; the importer's reference data and ``error``."""

    def plan_parties(self, plan: RowPlan, cells: dict[str, str]) -> None:
        line, agreement = plan.line, plan.agreement
        codes = [code.upper() for code in split(cells["parties"])]
        if unknown := [code for code in codes if code not in self.countries]:
            self.error(line, "parties", f"Unknown country code(s): {', '.join(unknown)}.")
            return
        # The institutions column lists, in party order, "ISO3: name" for a
        # country's institution and "name" for an institution acting alone.
        acting: dict[str, str] = {}
        order: list[tuple[str | None, str | None]] = []  # (ISO3, None) or (None, institution)
        for entry in split(cells["institutions"]):
            if match := INSTITUTION_OF_PARTY.fullmatch(entry):
                iso3, name = match.group(1), match.group(2).strip()
                if iso3 not in codes:
                    self.error(line, "institutions", f"“{entry}”: {iso3} is not among the parties.")
                elif iso3 in acting:
                    self.error(line, "institutions", f"“{entry}”: {iso3} already has an institution; a party has one.")
                else:
                    acting[iso3] = name
                    order.append((iso3, None))
            else:
                order.append((None, entry))
        # Interleave: countries in the parties column's order, each institution
        # acting alone where it comes among the countries that have institutions.
        sequence: list[tuple[str | None, str | None]] = []
        position = 0
        for iso3, alone in order:
            if iso3 is None:
                sequence.append((None, alone))
            elif iso3 in codes[position:]:
                until = codes.index(iso3, position) + 1
                sequence += [(code, None) for code in codes[position:until]]
                position = until
        sequence += [(code, None) for code in codes[position:]]

        for iso3, alone in sequence:
            country = self.countries[iso3] if iso3 else None
            name = acting.get(iso3) if iso3 else alone
            institution = self.organisation(line, country, name) if name else None
            if name and institution is None:
                continue  # reported
            for message in self.party_problems(country, institution):
                self.error(line, "institutions", message)
            plan.parties.append((country, institution))
        pairs = [(pk_of(country), pk_of(institution)) for country, institution in plan.parties]
        for message in agreement.party_errors(pairs):
            self.error(line, "parties", message)

    def party_problems(self, country: Country | None, institution: Organisation | None) -> list[str]:
        """Party's own rules (clean() and fields), once per (country, institution)."""
        # A new institution is the party's by construction (same country, or none);
        # Party.clean() cannot see it before it is saved.
        if institution is not None and institution.pk is None:
            return []
        key = (pk_of(country), pk_of(institution))
        if key not in self.party_checks:
            party = Party(country=country, institution=institution)
            self.party_checks[key] = self.problems(party, exclude=["agreement", "country", "institution"])
        return self.party_checks[key]

    def organisation(self, line: int, country: Country | None, name: str) -> Organisation | None:
        """The body of that name (for that country, or without one), or a new one."""
        found = self.organisations.get((country.pk if country else None, name)) or self.organisations.get((None, name))
        if found is None and country is None:
            named = self.organisations_named.get(name, [])
            if len(named) > 1:
                countries = ", ".join(sorted({self.iso3_of.get(org.country_id, "none") for org in named}))
                self.error(
                    line,
                    "institutions",
                    f"“{name}”: several organisations have this name (in countries {countries}): "
                    "give the party's country as “ISO3: name”.",
                )
                return None
            found = named[0] if named else None
        if found is not None:
            return found
        key = (country.pk if country else None, name)
        if key not in self.new_organisations:
            base = slugify(f"{name} {country.iso3}" if country else name) or "organisation"
            org = Organisation(
                name=name,
                country=country,
                kind=Organisation.Kind.AGENCY if country else Organisation.Kind.INTERGOVERNMENTAL,
                slug=numbered_slug(base, self.organisation_slugs, 120),
            )
            self.new_organisations[key] = org
            self.reference_errors[("organisation", key)] = self.problems(org, exclude=["country", "parent"])
        for message in self.reference_errors[("organisation", key)]:
            self.error(line, "institutions", f"“{name}”: {message}")
        return self.new_organisations[key]

    @staticmethod
    def problems(obj: models.Model, exclude: list[str] | None = None) -> list[str]:
        try:
            obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            return [
                f"{name}: {message}" if name != NON_FIELD_ERRORS else message
                for name, messages_ in validation_messages(error).items()
                for message in messages_
            ]
        return []

    def plan_signatories(self, plan: RowPlan, cells: dict[str, str]) -> None:
        parties = {code.upper() for code in split(cells["parties"])}
        for order, entry in enumerate(split(cells["signatories"]), start=1):
            name, honorific, details = parse_signatory(entry)
            position, country = details, None
            match = SIGNATORY_COUNTRY.fullmatch(details)
            if match and match.group(2) in self.countries:
                position, iso3 = (match.group(1) or "").strip(), match.group(2)
                if iso3 not in parties:
                    listed = ", ".join(sorted(parties)) or "none"
                    self.error(plan.line, "signatories", f"“{entry}”: {iso3} is not a party (the parties: {listed}).")
                    continue
                country = self.countries[iso3]
            signatory = Signatory(name=name, honorific=honorific, position=position, country=country, order=order)
            if self.checking:
                for message in self.problems(signatory, exclude=["agreement", "country", "organisation"]):
                    self.error(plan.line, "signatories", f"“{entry}”: {message}")
            plan.signatories.append((name, honorific, position, country))

    def named_rows(
        self, line: int, column: str, cell: str, existing: dict, new: dict, make: Callable[[str], models.Model]
    ) -> list:
        """Topics or linked records by name: existing ids, or shared new rows."""
        rows = []
        for name in dict.fromkeys(split(cell)):
            if name in existing:
                rows.append(existing[name])
                continue
            if name not in new:
                new[name] = make(name)
                self.reference_errors[(column, name)] = self.problems(new[name])
                if column == "topics" and not getattr(self, "create_topics", True):
                    self.reference_errors[(column, name)].insert(0, self.unknown_topic(name, existing))
            for message in self.reference_errors[(column, name)]:
                self.error(line, column, f"“{name}”: {message}")
            rows.append(new[name])
        return rows

    @staticmethod
    def unknown_topic(name: str, existing: dict) -> str:
        """An unknown topic is refused unless the curator asked for new ones: a typo is not a new topic."""
        close = difflib.get_close_matches(name, list(existing), n=1, cutoff=0.75)
        hint = f" Did you mean “{close[0]}”?" if close else ""
        return f"not a topic yet.{hint} To create it, tick “Create new topics” (on the command line, --create-topics)."

    def new_topic(self, name: str) -> Topic:
        return Topic(name=name, slug=numbered_slug(slugify(name) or "topic", self.topic_slugs, 60))

    def new_linked_record(self, name: str) -> Any:
        assert self.linked_records is not None  # plan() refuses the column's names without it
        return self.linked_records.new(name, self.linked_slugs)

    def plan_sources(self, line: int, cell: str) -> list[int | Source]:
        sources: list[int | Source] = []
        for entry in split(cell):
            match = SOURCE_WITH_URL.fullmatch(entry)
            title, url = (match.group(1).strip(), match.group(2)) if match else (entry, "")
            found: int | Source | None = self.sources_by_url.get(url) if url else self.sources_by_title.get(title)
            if found is None:
                key = ("url", url) if url else ("title", title)
                if key not in self.new_sources:
                    self.new_sources[key] = Source(title=title, url=url, kind=Source.Kind.OTHER)
                    self.reference_errors[("source", key)] = self.problems(self.new_sources[key])
                for message in self.reference_errors[("source", key)]:
                    self.error(line, "sources", f"“{entry}”: {message}")
                found = self.new_sources[key]
            if found not in sources:  # unsaved rows are equal only to themselves
                sources.append(found)
        return sources
