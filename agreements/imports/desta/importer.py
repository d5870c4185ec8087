"""Writing a DESTA import (see agreements.imports.desta), on the one import framework."""

from typing import IO, Any

from django.db import models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from agreements.extensions import agreements_changed_in_bulk
from agreements.imports.desta.planning import DestaPlanner, Plan
from agreements.imports.desta.reading import (
    ACCESSION,
    AGREEMENT_ID,
    BASE,
    BATCH,
    CONSOLIDATED,
    CREDITS,
    SOURCE_CITATION,
    SOURCE_PUBLISHER,
    SOURCE_TITLE,
    SOURCE_URL,
    DestaReader,
    Entry,
)
from agreements.imports.merge import REGISTRY_LOCK, dataset, sha256
from agreements.models import (
    Agreement,
    AgreementRelation,
    AgreementSource,
    Claim,
    Dataset,
    ExternalIdentifier,
    Party,
    Source,
)
from agreements.search import reindex
from agreements.tasks import queue_trade_refresh
from tradepacts.imports import Importer, ImportResult, RowError, first_line
from tradepacts.locking import hold

# What the result counts beyond created and unchanged, in this order (str(result) says them so).
CREATED_BY_TYPE = {BASE: "base treaties", ACCESSION: "accessions", CONSOLIDATED: "consolidated versions"}
FILE_ROWS, PARTIES, JOINED = "rows in the file", "parties", "joined later by accession"
IDENTIFIERS, RELATIONS, CITATIONS = "DESTA identifiers", "relations", "citations of DESTA"
SUPERSEDED = "superseded by a later DESTA entry"


def import_desta(
    data: bytes | str | IO, *, filename: str = "the DESTA file", user: Any = None, dry_run: bool = False
) -> ImportResult:
    """Import DESTA's dyadic list of treaties; raises ImportFailed with every error.

    ``dry_run`` checks and plans everything, writes it, then rolls it back.
    The result counts DESTA entries: created, or already there (unchanged);
    its ``details`` the entries created by type, the file's rows, the parties
    (those joined later by accession), identifiers, relations and citations.
    """
    return DestaImporter(filename=filename, user=user).run(data, dry_run=dry_run)


class DestaImporter(DestaReader, DestaPlanner, Importer):
    """One DESTA import: read (agreements.imports.desta.reading), planned
    (.planning) and written here, in the framework's one transaction."""

    def __init__(self, *, filename: str, user: Any) -> None:
        super().__init__()
        self.filename, self.user = filename, user
        self.reason = f"Imported from DESTA ({filename})"
        self.warnings: list[RowError] = []
        self.rows_read = 0
        self.raw = b""
        self.entries: dict[str, Entry] = {}
        self.existing: dict[str, int] = {}  # DESTA number -> agreement id, before the import
        self.lines: dict[int, int] = {}  # new agreement id -> its entry's first line

    def read(self, data: bytes | str | IO) -> None:
        if hasattr(data, "read"):
            data = data.read()
        self.raw = data.encode() if isinstance(data, str) else bytes(data)
        text = self.decode(self.raw)
        if not self.errors:
            self.entries = self.read_entries(text)

    def checked_tables(self) -> list[str]:
        # PostgreSQL checks a bilateral agreement's two countries at commit.
        return [Agreement._meta.db_table, Party._meta.db_table]

    def write(self) -> ImportResult:
        hold(REGISTRY_LOCK)  # one registry import at a time
        plans = self.plan(self.entries)
        self.refuse_if_errors()  # the model's rules, checked while planning: rolled back
        result = ImportResult("DESTA entries", rows=len(self.entries))
        result.details.update({f"{label} created": 0 for label in CREATED_BY_TYPE.values()})
        self.write_plans(plans, result)
        queue_trade_refresh()  # agreements in force changed: every pair, once, on commit
        agreements_changed_in_bulk(result.ids)  # no signals: other apps (corridors) queue theirs
        self.remember(self.raw)
        result.warnings = self.warnings
        return result

    def remember(self, data: bytes) -> None:
        desta = dataset("desta", CREDITS)
        desta.sha256, desta.filename, desta.imported_at = sha256(data), self.filename, timezone.now()
        desta.records = self.rows_read
        desta.save()

    def create(self, model: type[models.Model], objs: list[Any]) -> None:
        if objs:
            bulk_create_with_history(
                objs, model, batch_size=BATCH, default_user=self.user, default_change_reason=self.reason
            )

    def source(self) -> Source:
        """DESTA as a source: the one with its URL, else one with its title, else a new one."""
        found = Source.objects.filter(url=SOURCE_URL).first()
        found = found or Source.objects.filter(title=SOURCE_TITLE).order_by("id").first()
        if found:
            return found
        source = Source(
            title=SOURCE_TITLE,
            publisher=SOURCE_PUBLISHER,
            url=SOURCE_URL,
            kind=Source.Kind.DATASET,
            citation=SOURCE_CITATION,
        )
        self.create(Source, [source])
        return source

    def write_plans(self, plans: list[Plan], result: ImportResult) -> None:
        result.details[FILE_ROWS] = self.rows_read
        if not plans:
            return
        self.create(Agreement, [agreement for _, agreement, _ in plans])
        created = {entry.number: agreement.pk for entry, agreement, _ in plans}
        source = self.source()

        parties: list[Party] = []
        identifiers: list[ExternalIdentifier] = []
        citations: list[AgreementSource] = []
        relations: list[AgreementRelation] = []
        for entry, agreement, entry_parties in plans:
            self.lines[agreement.pk] = entry.line
            for party in entry_parties:
                party.agreement_id = agreement.pk
            parties += entry_parties
            identifiers.append(
                ExternalIdentifier(
                    agreement_id=agreement.pk,
                    scheme=ExternalIdentifier.Scheme.DESTA,
                    value=entry.number,
                    matched_by=ExternalIdentifier.Method.CREATED,
                )
            )
            citations.append(
                AgreementSource(agreement_id=agreement.pk, source_id=source.pk, note=f"DESTA {entry.number}")
            )
            if entry.entry_type != BASE:
                target = created.get(entry.base) or self.existing.get(entry.base)
                if target:
                    kind = (
                        AgreementRelation.Kind.ACCESSION_TO
                        if entry.entry_type == ACCESSION
                        else AgreementRelation.Kind.CONSOLIDATES
                    )
                    relations.append(
                        AgreementRelation(from_agreement_id=agreement.pk, kind=kind, to_agreement_id=target)
                    )
            if entry.successor and (successor := created.get(entry.successor) or self.existing.get(entry.successor)):
                relations.append(
                    AgreementRelation(
                        from_agreement_id=successor,
                        kind=AgreementRelation.Kind.SUPERSEDES,
                        to_agreement_id=agreement.pk,
                    )
                )
                result.details[SUPERSEDED] += 1
            result.details[f"{CREATED_BY_TYPE[entry.entry_type]} created"] += 1
        for model, objs in (
            (Party, parties),
            (ExternalIdentifier, identifiers),
            (AgreementSource, citations),
            (AgreementRelation, relations),
        ):
            self.create(model, objs)
        Claim.objects.bulk_create(self.claims(plans, dataset("desta", CREDITS)), batch_size=BATCH)
        result.ids = list(created.values())
        result.created = len(created)
        result.details[PARTIES] = len(parties)
        result.details[JOINED] = sum(1 for party in parties if party.joined_on)
        result.details[IDENTIFIERS] = len(identifiers)
        result.details[RELATIONS] = len(relations)
        result.details[CITATIONS] = len(citations)
        reindex(result.ids)

    def claims(self, plans: list[Plan], desta: Dataset) -> list[Claim]:
        """What DESTA says of each new entry, as its claims (the agreement's fields were set from them)."""
        claims = []
        for entry, agreement, parties in plans:
            said: list[tuple[str, str, int | None]] = [(Claim.Field.TITLE, entry.name, None)]
            if agreement.kind != Agreement.Kind.UNKNOWN:
                said.append((Claim.Field.KIND, agreement.kind, None))
            said.append((Claim.Field.SIGNED_ON, str(entry.year), None))
            if entry.in_force_year:
                said.append((Claim.Field.IN_FORCE_ON, str(entry.in_force_year), None))
            if entry.successor and entry.ended_year:
                said += [
                    (Claim.Field.STATUS, Agreement.Status.SUPERSEDED, None),
                    (Claim.Field.ENDED_ON, str(entry.ended_year), None),
                    (Claim.Field.SUPERSEDED_BY, f"DESTA {entry.successor}", None),
                ]
            if entry.wto_name:
                said.append((Claim.Field.WTO_NAME, entry.wto_name, None))
            for party in parties:
                joined = f"joined {party.joined_on.year}" if party.joined_on else ""
                said.append((Claim.Field.PARTY, joined, party.country_id))
            claims += [
                Claim(
                    agreement_id=agreement.pk,
                    dataset=desta,
                    record=entry.number,
                    line=entry.line,
                    field=name,
                    value=value,
                    country_id=country_id,
                )
                for name, value, country_id in said
            ]
        return claims

    def database_error(self, error: Exception) -> RowError:
        match = AGREEMENT_ID.search(str(error))
        line = self.lines.get(int(match.group(1)), 0) if match else 0
        return RowError(line, "", f"The database refused the file: {first_line(error)}")
