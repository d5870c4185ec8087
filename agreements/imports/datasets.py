"""What the WTO RTA list and GPTAD imports share: a dataset's file read into
``Record``s by each subclass, then merged into the registry the same way
(agreements.imports.merge), on the one import framework (tradepacts.imports)."""

from typing import IO, Any

from django.utils import timezone

from agreements.extensions import agreements_changed_in_bulk
from agreements.imports.merge import REGISTRY_LOCK, SAME_FILE, Merger, Record, dataset, sha256
from agreements.models import (
    Agreement,
    Party,
)
from agreements.tasks import queue_trade_refresh
from tradepacts.imports import Importer, ImportResult, RowError
from tradepacts.locking import hold


class DatasetImporter(Importer):
    """A dataset's file merged into the registry: each subclass reads its file
    into ``Record``s (``read_records``); the writing is the same for all.

    The same file again (its SHA-256 on the dataset's row) writes nothing
    unless ``force``; the result then says so in ``skipped``.
    """

    slug: str
    credits: dict[str, str]
    what: str  # the records, as the result names them: "WTO RTAs"
    label: str  # the dataset in history's change reason: "the WTO RTA list"
    may_create: bool

    def __init__(self, *, filename: str, user: Any = None, force: bool = False) -> None:
        super().__init__()
        self.filename, self.user, self.force = filename, user, force
        self.raw = b""
        self.records: list[Record] = []
        self.file_rows = 0
        self.notes: list[RowError] = []  # accepted, for a curator to read: the result's warnings

    def read(self, data: bytes | str | IO) -> None:
        if hasattr(data, "read"):
            data = data.read()
        self.raw = data.encode() if isinstance(data, str) else bytes(data)
        try:
            text = self.raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            self.error(self.raw.count(b"\n", 0, error.start) + 1, "", "Not UTF-8 text.")
            return
        self.records = self.read_records(text)

    def read_records(self, text: str) -> list[Record]:
        raise NotImplementedError

    def checked_tables(self) -> list[str]:
        # PostgreSQL checks a bilateral agreement's two countries at commit.
        return [Agreement._meta.db_table, Party._meta.db_table]

    def write(self) -> ImportResult:
        hold(REGISTRY_LOCK)  # one registry import at a time
        found = dataset(self.slug, self.credits)
        result = ImportResult(self.what, rows=len(self.records))
        digest = sha256(self.raw)
        if found.sha256 == digest and not self.force:
            result.skipped[SAME_FILE] = len(self.records)
            return result
        merger = Merger(found, user=self.user, reason=f"Imported from {self.label} ({self.filename})",
                        may_create=self.may_create)  # fmt: skip
        report = merger.run(self.records)
        queue_trade_refresh()  # statuses and dates changed: every pair, once, on commit
        agreements_changed_in_bulk(report.agreement_ids)  # no signals: other apps (corridors) queue theirs
        report.fill(result)
        self.after_merge(result)
        result.warnings += self.notes
        found.sha256, found.filename, found.imported_at = digest, self.filename, timezone.now()
        found.records = self.file_rows or len(self.records)
        found.save()
        return result

    def after_merge(self, result: ImportResult) -> None:
        """What a dataset adds once its records are merged (the WTO: who superseded whom)."""
