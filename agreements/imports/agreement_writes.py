"""Writing planned agreements CSV rows: in bulk, in chunks, changing only
what differs (a mixin of agreements.imports.agreements.AgreementsImporter)."""

from collections import defaultdict
from typing import Any

from django.db import models
from simple_history.utils import bulk_update_with_history

from agreements.exports import TopicLink
from agreements.extensions import LinkedRecords, agreements_changed_in_bulk
from agreements.imports.agreement_rows import (
    AGREEMENT_ID,
    BATCH,
    UPDATE_FIELDS,
    ImportState,
    RowPlan,
    id_of,
    pk_of,
)
from agreements.models import Agreement, AgreementSource, Country, Organisation, Party, Signatory, Source, Topic
from agreements.search import document_text, reindex
from agreements.tasks import queue_trade_refresh
from agreements.trade.refresh import agreement_pairs
from tradepacts.bulk import insert_with_history, reserve_ids
from tradepacts.imports import ImportResult, RowError, first_line
from tradepacts.pagecache import bump_data_version


class AgreementWriter(ImportState):
    """Writing the plans: new agreements and their rows, then the changes to existing ones."""

    # --- writing -------------------------------------------------------------

    def create(self, model: type[models.Model], objs: list) -> None:
        """Insert set-based (COPY on PostgreSQL), with a history row each for the models that keep history."""
        insert_with_history(model, objs, user=self.user, reason=self.reason, now=self.now)

    def update(self, model: type[models.Model], objs: list, fields: list[str]) -> None:
        if objs:
            bulk_update_with_history(
                objs, model, fields, batch_size=BATCH, default_user=self.user, default_change_reason=self.reason
            )

    @staticmethod
    def delete(model: type[models.Model], pks: list[int]) -> None:
        # A queryset delete still sends each row's signals: history records it.
        for start in range(0, len(pks), BATCH):
            model._default_manager.filter(pk__in=pks[start : start + BATCH]).delete()

    def write(self) -> ImportResult:
        """The writing pass: the file read again, each chunk of rows planned and written."""
        reserve_ids(Agreement, self.highest_id)  # drawn ids never meet the ids the file gives
        self.start_pass(checking=False)  # checked by the checking pass, or by the job's preview
        self.lines: dict[int, int] = {}  # agreement to its line, for the database's errors
        ids: list[int] = []
        created, updated = [], []
        self.pairs_before: set[tuple[int, int]] = set()  # a removed party's pairs counted its agreement
        for plans in self.planned_chunks("writing"):
            self.create_references()
            new = [plan for plan in plans if plan.original is None]
            for plan in new:  # no reindex for them
                plan.agreement.search_text = self.search_text(plan)
                plan.agreement.number_of_parties = len(plan.parties)
            self.create(Agreement, [plan.agreement for plan in new])
            changes = Changes(self.linked_records)
            for plan in new:
                changes.add_all(plan)
            changes.apply(self)
            updated += self.write_changes([plan for plan in plans if plan.original is not None])
            created += [plan.agreement.pk for plan in new]
            ids += [plan.agreement.pk for plan in plans]
            self.lines.update((plan.agreement.pk, plan.line) for plan in plans)
        reindex(updated)
        bump_data_version()  # bulk writes send no signals
        # Nor do they queue refreshes: the trade refresh of every pair of parties of what was
        # written (published agreements in force count), and other apps' (corridors), once, on commit.
        written = created + updated
        if pairs := self.pairs_before | agreement_pairs(*written):
            queue_trade_refresh(pairs)
        agreements_changed_in_bulk(written)
        return ImportResult("agreement(s)", rows=len(ids), created=len(created), updated=len(updated), ids=ids)

    def write_changes(self, plans: list[RowPlan]) -> list[int]:
        """Existing agreements: what differs written; the ids of those that changed."""
        if not plans:
            return []
        changes = Changes(self.linked_records)
        changed = changes.compare(plans)
        self.pairs_before |= agreement_pairs(*changed)
        agreements = [plan.agreement for plan in plans if plan.agreement.pk in changed]
        for agreement in agreements:
            agreement.updated_at = self.now
            agreement.version += 1  # a change form opened before the import is refused (admin.versions)
        self.update(Agreement, agreements, [*UPDATE_FIELDS, "updated_at", "version"])
        changes.apply(self)
        return [agreement.pk for agreement in agreements]

    def create_references(self) -> None:
        """The topics, institutions, sources and linked records the rows so far named and nobody has yet."""
        references: list[tuple[type[models.Model] | None, dict]] = [
            (Organisation, self.new_organisations),
            (Topic, self.new_topics),
            (self.linked_records.model if self.linked_records else None, self.new_linked),
            (Source, self.new_sources),
        ]
        for model, rows in references:
            if model is not None and (unsaved := [obj for obj in rows.values() if obj.pk is None]):
                self.create(model, unsaved)

    def search_text(self, plan: RowPlan) -> str:
        """A new agreement's search text from its plan, as ``reindex`` would make it from its rows."""
        if not hasattr(self, "topic_names"):
            self.topic_names = {pk: name for name, pk in self.topics.items()}
            model = self.linked_records.model._default_manager if self.linked_records else None
            self.linked_by_id = model.in_bulk() if model else {}
        topics = sorted(self.topic_names[t] if isinstance(t, int) else t.name for t in plan.topics)
        texts = []
        if self.linked_records:
            records = sorted((self.linked_by_id[r] if isinstance(r, int) else r for r in plan.linked), key=by_name)
            texts = [self.linked_records.search_text(record) for record in records]
        signatories = [(name, position, None) for name, _, position, _ in plan.signatories]
        return document_text(plan.agreement, plan.parties, signatories, topics, texts, [])

    def database_error(self, error: Exception) -> RowError:
        match = AGREEMENT_ID.search(str(error))
        line = getattr(self, "lines", {}).get(int(match.group(1)), 0) if match else 0
        return RowError(line, "", f"The database refused the file: {first_line(error)}")


def by_name(record: Any) -> str:
    return record.name


WRITTEN_MODELS = (Organisation, Topic, Source, Agreement, Party, Signatory, AgreementSource, TopicLink)


def written_models(records: LinkedRecords | None) -> list[type[models.Model]]:
    """The tables an import writes, with the linked records' (agreements.extensions)."""
    return [*WRITTEN_MODELS, *((records.model, records.link_model) if records else ())]


class Changes:
    """The relation rows to create, update and delete, gathered over every row."""

    def __init__(self, records: LinkedRecords | None) -> None:
        self.records = records  # another app's records linked to agreements, if any
        self.create: dict[type[models.Model], list] = defaultdict(list)
        self.update: dict[tuple[type[models.Model], str], list] = defaultdict(list)
        self.delete: dict[type[models.Model], list[int]] = defaultdict(list)

    def link_tables(self) -> list[tuple[type[models.Model], str]]:
        """The through tables of topics and linked records, with their target column."""
        tables: list[tuple[type[models.Model], str]] = [(TopicLink, "topic_id")]
        if self.records:
            tables.append((self.records.link_model, f"{self.records.link_field}_id"))
        return tables

    @staticmethod
    def party(plan: RowPlan, country: Country | None, institution: Organisation | None) -> Party:
        return Party(agreement=plan.agreement, country=country, institution_id=pk_of(institution))

    @staticmethod
    def signatory(
        plan: RowPlan, order: int, name: str, honorific: str, position: str, country: Country | None
    ) -> Signatory:
        return Signatory(
            agreement=plan.agreement, name=name, honorific=honorific, position=position, country=country, order=order
        )

    def add_all(self, plan: RowPlan) -> None:
        """A new agreement: every relation row is new."""
        pk = plan.agreement.pk
        self.create[Party] += [self.party(plan, *party) for party in plan.parties]
        self.create[Signatory] += [self.signatory(plan, n, *s) for n, s in enumerate(plan.signatories, start=1)]
        self.create[AgreementSource] += [AgreementSource(agreement_id=pk, source_id=id_of(s)) for s in plan.sources]
        self.create[TopicLink] += [TopicLink(agreement_id=pk, topic_id=id_of(t)) for t in plan.topics]
        if self.records:
            link, target = self.records.link_model, f"{self.records.link_field}_id"
            self.create[link] += [link(agreement_id=pk, **{target: id_of(c)}) for c in plan.linked]

    def compare(self, plans: list[RowPlan]) -> set[int]:
        """Plan the differences for existing agreements; returns the ids of those that change."""
        ids = [plan.agreement.pk for plan in plans]
        parties, signatories, citations = defaultdict(list), defaultdict(list), defaultdict(list)
        for party in Party.objects.filter(agreement_id__in=ids).order_by("id"):
            parties[party.agreement_id].append(party)
        for signatory in Signatory.objects.filter(agreement_id__in=ids).order_by("order", "id"):
            signatories[signatory.agreement_id].append(signatory)
        for citation in AgreementSource.objects.filter(agreement_id__in=ids).order_by("id"):
            citations[citation.agreement_id].append(citation)
        links: dict[type[models.Model], defaultdict[int, dict[int, Any]]] = {}
        for model, target in self.link_tables():
            links[model] = defaultdict(dict)
            for link_pk, agreement_id, target_pk in model._default_manager.filter(agreement_id__in=ids).values_list(
                "id", "agreement_id", target
            ):
                links[model][agreement_id][target_pk] = link_pk

        changed = set()
        for plan in plans:
            agreement = plan.agreement
            differs = any(getattr(agreement, name) != value for name, value in (plan.original or {}).items())
            differs |= self.compare_parties(plan, parties[agreement.pk])
            differs |= self.compare_signatories(plan, signatories[agreement.pk])
            differs |= self.compare_citations(agreement.pk, [id_of(s) for s in plan.sources], citations[agreement.pk])
            for (model, target), wanted in zip(self.link_tables(), (plan.topics, plan.linked), strict=False):
                have, want = links[model][agreement.pk], [pk_of(obj) for obj in wanted]
                added = [pk for pk in want if pk not in have]
                removed = [link for target_pk, link in have.items() if target_pk not in want]
                self.create[model] += [model(agreement_id=agreement.pk, **{target: pk}) for pk in added]
                self.delete[model] += removed
                differs |= bool(added or removed)
            if differs:
                changed.add(agreement.pk)
        return changed

    def compare_parties(self, plan: RowPlan, have: list[Party]) -> bool:
        """Keep the rows of parties still there (their dates too); add and remove the rest."""
        by_country = {party.country_id: party for party in have if party.country_id}
        alone = [party for party in have if not party.country_id]
        differs = False
        for country, org in plan.parties:
            institution = pk_of(org)
            if country is not None:
                match = by_country.pop(country.pk, None)
            else:
                match = next((p for p in alone if p.institution_id == institution), None)
                if match:
                    alone.remove(match)
            if match is None:
                self.create[Party].append(self.party(plan, country, org))
                differs = True
            elif match.institution_id != institution:
                match.institution_id = institution
                self.update[(Party, "institution")].append(match)
                differs = True
        gone = [*by_country.values(), *alone]
        self.delete[Party] += [party.pk for party in gone]
        return differs or bool(gone)

    def compare_signatories(self, plan: RowPlan, have: list[Signatory]) -> bool:
        """Keep the rows of signatories still there (role and organisation too), in the file's order."""
        wanted = [
            (name, honorific, position, pk_of(country)) for name, honorific, position, country in plan.signatories
        ]
        keys = [(s.name, s.honorific, s.position, s.country_id) for s in have]
        if keys == wanted:
            return False  # the same people in the same order, whatever the order numbers
        unmatched = dict(enumerate(keys))
        differs = False
        for order, (key, values) in enumerate(zip(wanted, plan.signatories, strict=True), start=1):
            index = next((i for i, k in unmatched.items() if k == key), None)
            if index is None:
                self.create[Signatory].append(self.signatory(plan, order, *values))
                differs = True
                continue
            del unmatched[index]
            match = have[index]
            if match.order != order:
                match.order = order
                self.update[(Signatory, "order")].append(match)
                differs = True
        self.delete[Signatory] += [have[i].pk for i in unmatched]
        return differs or bool(unmatched)

    def compare_citations(self, agreement_pk: int, wanted: list[int], have: list[AgreementSource]) -> bool:
        cited = {citation.source_id: citation for citation in have}
        added = [pk for pk in wanted if pk not in cited]
        removed = [citation.pk for source_pk, citation in cited.items() if source_pk not in wanted]
        self.create[AgreementSource] += [AgreementSource(agreement_id=agreement_pk, source_id=pk) for pk in added]
        self.delete[AgreementSource] += removed
        return bool(added or removed)

    def apply(self, importer: AgreementWriter) -> None:
        # Signatories before parties (a signatory's country must be a party's).
        links = [model for model, _ in self.link_tables()]
        deletion_order: list[type[models.Model]] = [Signatory, Party, AgreementSource, *links]
        creation_order: list[type[models.Model]] = [Party, Signatory, AgreementSource, *links]
        for deleted in deletion_order:
            importer.delete(deleted, self.delete[deleted])
        for (model, name), objs in self.update.items():
            importer.update(model, objs, [name])
        for created in creation_order:
            importer.create(created, self.create[created])
