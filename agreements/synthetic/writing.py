"""Writing planned synthetic agreements in bulk (COPY on PostgreSQL), and clearing them in SQL."""

import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from agreements.exports import LINKED_COLUMN
from agreements.extensions import linked, linked_by_column
from agreements.models import (
    Agreement,
    AgreementRelation,
    AgreementSource,
    Party,
    Signatory,
    Source,
)
from agreements.search import search_document
from agreements.synthetic.generator import Generator, Planned
from agreements.synthetic.reference import (
    BATCH,
    SLUG_PREFIX,
    SYNTHETIC_URL,
    Reference,
    TopicLink,
    load_reference,
)


class _Related(list):
    """A list that answers ``.all()``, so ``search_document`` reads generated rows."""

    def all(self) -> "_Related":
        return self


def document(planned: Planned, ref: Reference) -> str:
    """``search_document`` over the planned rows, in the order ``reindex`` reads them."""
    a, organisation = planned.agreement, ref.organisations.get
    return search_document(
        SimpleNamespace(
            title=a.title,
            summary=a.summary,
            place=a.place,
            parties=_Related(
                SimpleNamespace(country=ref.by_id[p["country_id"]], institution=organisation(p["institution_id"]))
                for p in planned.parties
            ),
            signatories=_Related(
                SimpleNamespace(name=s["name"], position=s["position"], organisation=organisation(s["organisation_id"]))
                for s in planned.signatories
            ),
            topics=_Related(planned.topics),
            **{LINKED_COLUMN: _Related([planned.group] if planned.group else [])},
            identifiers=_Related(),
        )
    )


def insert_rows(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert rows given as {attname: value}, the model's defaults filling the rest:
    with COPY on PostgreSQL (several times faster than INSERT), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**row) for row in rows])
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    defaults = [(f.attname, f.get_default()) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor, cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row.get(name, default) for name, default in defaults])


def write(batch: list[Planned], ids: list[int], ref: Reference) -> dict[str, int]:
    """Insert one batch with its relations; ``ids`` maps every earlier index to its id."""
    for planned in batch:
        planned.agreement.search_text = document(planned, ref)
        planned.agreement.number_of_parties = len(planned.parties)
    Agreement.objects.bulk_create([p.agreement for p in batch])
    ids += [p.agreement.pk for p in batch]
    own = [(p, p.own_source) for p in batch if p.own_source is not None]
    Source.objects.bulk_create([source for _, source in own])
    parties = [{**party, "agreement_id": p.agreement.pk} for p in batch for party in p.parties]
    insert_rows(Party, parties)
    signatories = [{**s, "agreement_id": p.agreement.pk} for p in batch for s in p.signatories]
    insert_rows(Signatory, signatories)
    links = [{"agreement_id": p.agreement.pk, "topic_id": t.pk} for p in batch for t in p.topics]
    insert_rows(TopicLink, links)
    citations = [{"agreement_id": p.agreement.pk, "source_id": s.pk} for p in batch for s in p.datasets]
    citations += [{"agreement_id": p.agreement.pk, "source_id": source.pk} for p, source in own]
    insert_rows(AgreementSource, citations)
    group_links = []
    if records := linked_by_column(LINKED_COLUMN):
        target = f"{records.link_field}_id"
        group_links = [{"agreement_id": p.agreement.pk, target: p.group.pk} for p in batch if p.group]
        insert_rows(records.link_model, group_links)
    relations = [
        {"from_agreement_id": p.agreement.pk, "kind": p.relation[0], "to_agreement_id": ids[p.relation[1]]}
        for p in batch
        if p.relation
    ]
    insert_rows(AgreementRelation, relations)
    return {
        "agreements": len(batch),
        "parties": len(parties),
        "signatories": len(signatories),
        "topics": len(links),
        "citations": len(citations),
        "sources": len(own),
        f"{LINKED_COLUMN} links": len(group_links),
        "relations": len(relations),
    }


WRITTEN: list[type[models.Model]] = [
    Agreement,
    Party,
    Signatory,
    TopicLink,
    AgreementSource,
    AgreementRelation,
    Source,
]


def written() -> list[type[models.Model]]:
    """The tables the generator writes, with the linked records' link table (agreements.extensions)."""
    return [*WRITTEN, *(records.link_model for records in linked())]


def analyze(models_: list[type[models.Model]] | None = None, vacuum: bool = False) -> None:
    """Refresh PostgreSQL's statistics of these tables (and reclaim dead rows with ``vacuum``).

    Autovacuum may be off or late: without statistics the planner misjudges tables
    that just grew or shrank by 500,000 rows, and the checks PostgreSQL defers to
    commit then scan whole tables, once per row.
    """
    if connection.vendor != "postgresql":
        return
    command = "VACUUM ANALYZE" if vacuum and not connection.in_atomic_block else "ANALYZE"
    with connection.cursor() as cursor:
        tables = ", ".join(model._meta.db_table for model in (models_ or written()))
        cursor.execute(f"{command} {tables}")


def synthetic_agreements() -> models.QuerySet:
    return Agreement.objects.filter(slug__startswith=SLUG_PREFIX)


def _references(target: type[models.Model]) -> list[tuple[str, str]]:
    """(table, column) of every foreign key onto ``target``, many-to-many tables
    included; not history tables (DO_NOTHING), which keep their rows."""
    found = [
        (model, f.column)
        for model in apps.get_models(include_auto_created=True)
        for f in model._meta.local_fields
        if f.many_to_one
        and f.related_model is target
        and f.remote_field is not None  # always, for a foreign key: narrows the type
        and f.remote_field.on_delete is not models.DO_NOTHING
    ]
    # Parties last: on PostgreSQL, signatories reference their party.
    return [(model._meta.db_table, column) for model, column in sorted(found, key=lambda r: r[0] is Party)]


def clear() -> int:
    """Delete every synthetic agreement, its rows, and the synthetic sources no longer cited.

    In SQL, table by table: deleting through the ORM would load every row and
    write a history row for each, for hundreds of thousands of rows.
    """
    pattern = [SLUG_PREFIX + "%"]
    agreements = Agreement._meta.db_table
    analyze([Party, Signatory])  # deleting a party looks up its signatories
    with transaction.atomic(), connection.cursor() as cursor:
        count = synthetic_agreements().count()
        for table, column in _references(Agreement):
            cursor.execute(
                f"DELETE FROM {table} WHERE {column} IN (SELECT id FROM {agreements} WHERE slug LIKE %s)", pattern
            )
        cursor.execute(f"DELETE FROM {agreements} WHERE slug LIKE %s", pattern)
        # Their own sources, unless something else came to cite them; never the shared datasets.
        sources = Source._meta.db_table
        unused = " ".join(
            f"AND NOT EXISTS (SELECT 1 FROM {table} WHERE {column} = {sources}.id)"
            for table, column in _references(Source)
        )
        cursor.execute(
            f"DELETE FROM {sources} WHERE url LIKE %s AND url NOT LIKE %s {unused}",
            [SYNTHETIC_URL + "s%", SYNTHETIC_URL + "datasets/%"],
        )
    analyze(vacuum=True)
    return count


def generate(
    count: int, seed: int, batch_size: int = BATCH, progress: Callable[[str], None] | None = None
) -> dict[str, int]:
    """Create ``count`` synthetic agreements from ``seed``; returns how many rows of each kind."""
    ref = load_reference(seed)
    if AgreementSource.objects.filter(source=ref.marker).exists():
        raise ValueError(f"Synthetic agreements of seed {seed} already exist: clear them first (--clear).")
    generator = Generator(seed, ref)
    ids: list[int] = []
    totals: dict[str, int] = {}
    started = time.monotonic()
    for number, start in enumerate(range(0, count, batch_size), start=1):
        batch = [generator.plan(n) for n in range(start, min(start + batch_size, count))]
        with transaction.atomic():
            counts = write(batch, ids, ref)
        totals = {key: totals.get(key, 0) + value for key, value in counts.items()}
        if number == 1:  # later growth is scaled from these statistics
            analyze()
        if progress:
            progress(f"{start + len(batch):>8} agreements ({time.monotonic() - started:.1f} s)")
    # As autovacuum would, so the figures measured next are those of a settled database:
    # statistics for the planner, and a visibility map for index-only scans.
    analyze(vacuum=True)
    return totals
