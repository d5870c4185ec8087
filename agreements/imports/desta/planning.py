"""Planning a DESTA import (see agreements.imports.desta): the agreements to
create, with their parties, as unsaved rows, decided from the file and the database."""

import datetime as dt
from collections import Counter, defaultdict

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify

from agreements.imports.desta.kinds import infer_kind, infer_scope, successions
from agreements.imports.desta.reading import (
    ACCESSION,
    BASE,
    BATCH,
    MEMBERSHIP,
    SLUG_LENGTH,
    Entry,
)
from agreements.models import Agreement, DatePrecision, ExternalIdentifier, Party
from tradepacts.imports import Importer, RowError

Plan = tuple[Entry, Agreement, list[Party]]


class DestaPlanner(Importer):
    """The planning half of the DESTA import (agreements.imports.desta.importer)."""

    warnings: list[RowError]
    existing: dict[str, int]

    def warn(self, entry: Entry, message: str) -> None:
        self.warnings.append(RowError(entry.line, "", f"DESTA {entry.number}: {message}"))

    def plan(self, entries: dict[str, Entry]) -> list[Plan]:
        """The agreements to create, with their parties, as unsaved rows (the rest are left as they are)."""
        existing = dict(
            ExternalIdentifier.objects.filter(scheme=ExternalIdentifier.Scheme.DESTA).values_list(
                "value", "agreement_id"
            )
        )
        self.existing = existing
        bases = {number: e for number, e in entries.items() if e.entry_type == BASE}
        successions(bases)
        accessions: dict[str, list[Entry]] = defaultdict(list)
        for entry in entries.values():
            if entry.entry_type == ACCESSION:
                accessions[entry.base].append(entry)

        # The parties of base treaties already in the database, to tell which
        # acceding countries a new accession cannot add (they are never changed).
        held = [existing[base] for base in accessions if base in existing]
        db_parties: dict[int, set[int]] = defaultdict(set)
        for start in range(0, len(held), BATCH):
            for agreement_id, country_id in Party.objects.filter(
                agreement_id__in=held[start : start + BATCH], country__isnull=False
            ).values_list("agreement_id", "country_id"):
                db_parties[agreement_id].add(country_id)

        # Acceding countries, accession by accession in the order they were signed.
        acceding: dict[str, dict[int, Entry]] = defaultdict(dict)  # base number -> country id -> accession
        for base, group in accessions.items():
            if base in bases:
                known = set(bases[base].countries)
            elif base in existing:
                known = set(db_parties[existing[base]])
            else:
                continue
            for accession in sorted(group, key=lambda e: (e.year, e.suffix)):
                for country_id in accession.countries:
                    if country_id not in known:
                        acceding[base][country_id] = accession
                        known.add(country_id)

        now = timezone.now()
        plans = []
        for number, entry in entries.items():
            if number in existing:
                continue
            parties = [Party(country_id=pk) for pk in entry.countries]
            if entry.entry_type == BASE:
                parties += [
                    Party(country_id=pk, joined_on=dt.date(a.year, 1, 1), joined_precision=DatePrecision.YEAR)
                    for pk, a in acceding[number].items()
                ]
            else:
                self.check_base(entry, bases, existing, acceding, db_parties)
            plans.append((entry, self.agreement(entry, len(parties), now), parties))
        self.assign_slugs(plans)
        return plans

    def check_base(
        self,
        entry: Entry,
        bases: dict[str, Entry],
        existing: dict[str, int],
        acceding: dict[str, dict[int, Entry]],
        db_parties: dict[int, set[int]],
    ) -> None:
        """Warnings for what an accession or a consolidated version cannot do to its base."""
        if entry.base not in bases and entry.base not in existing:
            self.warn(
                entry,
                f"its base treaty {entry.base} is neither in the file nor in the database: "
                "imported without its relation to it.",
            )
        elif entry.entry_type == ACCESSION and entry.base in existing:
            missing = [
                entry.countries[pk].iso3
                for pk, accession in acceding[entry.base].items()
                if accession is entry and pk not in db_parties[existing[entry.base]]
            ]
            if missing:
                self.warn(
                    entry,
                    f"base treaty {entry.base} is already in the database and is left as it is: add "
                    f"{', '.join(missing)} to its parties by hand (joined {entry.year}).",
                )

    def agreement(self, entry: Entry, countries: int, now: dt.datetime) -> Agreement:
        signed = dt.date(entry.year, 1, 1)
        in_force = None
        notes: list[str] = []
        if entry.in_force_year is not None:
            if entry.in_force_year < entry.year:
                # E.g. Australia UK, signed 1957 with effect from 1956: the
                # database keeps entry into force on or after signature.
                self.warn(
                    entry,
                    f"DESTA gives entry into force in {entry.in_force_year}, before its signature in "
                    f"{entry.year}: recorded as in force from {entry.year}.",
                )
                notes.append(
                    f"DESTA gives entry into force in {entry.in_force_year}, before signature; recorded here "
                    f"as in force from {entry.year}."
                )
            in_force = dt.date(max(entry.in_force_year, entry.year), 1, 1)
        described = [entry.entry_type.replace("_", " ")]
        if entry.typememb != 5:  # 5 is "accession", said already
            described.append(f"{MEMBERSHIP[entry.typememb]} membership")
        if entry.region:
            described.append(f"region {entry.region}")
        summary = f"From the DESTA list of treaties (version 02_01), number {entry.number}: {', '.join(described)}."
        if entry.wto_name:
            summary += f" In the WTO's RTA database as “{entry.wto_name}”."
        status = Agreement.Status.IN_FORCE if in_force else Agreement.Status.SIGNED
        ended = None
        if entry.successor and entry.ended_year:
            status, ended = Agreement.Status.SUPERSEDED, dt.date(entry.ended_year, 1, 1)
            notes.append(entry.succession_note)
        agreement = Agreement(
            title=entry.name,
            kind=infer_kind(entry.name, entry.entry_type, entry.typememb),
            scope=infer_scope(entry.typememb, countries, entry.region),
            status=status,
            is_binding=True,
            summary=" ".join([summary, *notes]),
            signed_on=signed,
            signed_precision=DatePrecision.YEAR,
            in_force_on=in_force,
            in_force_precision=DatePrecision.YEAR if in_force else DatePrecision.DAY,
            ended_on=ended,
            ended_precision=DatePrecision.YEAR if ended else DatePrecision.DAY,
            is_published=True,
            published_at=now,
            in_default_lists=entry.entry_type == BASE,
        )
        try:
            agreement.clean()  # the model's own rules, with their messages
        except ValidationError as error:
            for column, messages in error.message_dict.items():
                for message in messages:
                    self.error(entry.line, column, f"DESTA {entry.number}: {message}")
        return agreement

    def assign_slugs(self, plans: list[Plan]) -> None:
        """The title and year; "-desta-<number>" added when another agreement has that slug too.

        Decided from the file and the database alone, so a fresh import always
        gives an entry the same slug, whatever the order of the rows.
        """
        plain = {entry.number: f"{slugify(entry.name)[:180] or 'agreement'}-{entry.year}" for entry, _, _ in plans}
        suffixed = {entry.number: f"{plain[entry.number]}-desta-{entry.slug_part}" for entry, _, _ in plans}
        wanted = Counter(plain.values())
        candidates = list({*plain.values(), *suffixed.values()})
        taken: set[str] = set()
        for start in range(0, len(candidates), BATCH):
            chunk = candidates[start : start + BATCH]
            taken |= set(Agreement.objects.filter(slug__in=chunk).values_list("slug", flat=True))
        for entry, agreement, _ in plans:
            slug = plain[entry.number]
            if wanted[slug] > 1 or slug in taken:
                slug = suffixed[entry.number]
            candidate, n = slug, 1
            while candidate in taken:  # only when "…-desta-<number>" was taken by hand
                n += 1
                candidate = f"{slug}-{n}"
                if Agreement.objects.filter(slug=candidate).exists():
                    taken.add(candidate)
            taken.add(candidate)
            agreement.slug = candidate[:SLUG_LENGTH]
