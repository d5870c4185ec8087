"""The one import framework: every CSV import (agreements, DESTA, the WTO and
GPTAD lists, trade flows, exchange rates, corridor indicators) is an
``Importer`` that says only how its file's columns map.

The loop is the same for all of them (``Importer.run``):

1. ``read(data)``: decode the file (as a stream where it may be large:
   ``tradepacts.csv.TextSource``) and check every row, noting each problem
   with ``error(line, column, message)``: the line as a spreadsheet numbers it
   (the header is line 1; 0 for the file as a whole) and the column.
2. Any error, and the whole file is refused (``ImportFailed`` with every
   error): nothing of it is written.
3. ``write()``: in one transaction, in bulk. A problem only the writing finds
   (``error`` again, or the database refusing a row) rolls all of it back.
   Cross-row rules PostgreSQL checks at commit are checked inside the block
   (``checked_tables``), so they are reported and rolled back too.

``run(data, dry_run=True)`` does all of it, then rolls the writing back: the
result says what the file would do.

Every import answers with one ``ImportResult``: its rows created, updated and
unchanged, and what is particular to it counted in ``details`` (the registry's
matches by method, say) or listed in ``warnings`` (lines it could not match).
The admin's upload pages are one view, ``tradepacts.uploads``; management
commands answer a refused file with ``refused``.

Around any import (on the framework or not), ``preview(run)`` runs it inside a
transaction it always rolls back, and says what it would have created and
changed, naming the new records of the models the apps registered with
``name_in_previews`` (topics, institutions, sources, corridors): the admin's
confirmation page and every command's ``--dry-run``. ``reporting(callback)``
hears how far an import got (``report_progress``) for the import jobs' progress bar.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.management.base import CommandError, CommandParser
from django.db import DataError, IntegrityError, connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from tradepacts import pagecache

# Bytes that are not UTF-8, kept by decode() as lone surrogates.
NOT_UTF8 = re.compile("[\udc80-\udcff]")
NOT_UTF8_MESSAGE = "The file is not UTF-8: save it as “CSV UTF-8” and import it again."


@dataclass(frozen=True)
class RowError:
    """One problem, where a curator finds it: the line (header = 1) and the column."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}, column {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class DryRun(Exception):
    """Raised inside the transaction to roll a dry run's writing back."""

    def __init__(self, result: ImportResult) -> None:
        super().__init__("dry run")
        self.result = result


class ImportFailed(Exception):
    """The file was refused; nothing of it was written."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} error(s); nothing was imported.")
        self.errors = errors


@dataclass
class ImportResult:
    """What an import wrote: ``rows`` records of ``what``, of which some were new or changed.

    ``ids`` and ``pairs`` say which agreements and country pairs it touched, for
    the caller's messages; ``warnings`` are what it accepted but a curator
    should read; ``skipped`` counts rows left out on purpose, by reason;
    ``details`` counts what is particular to one import (in the order it
    counted them), and ``seconds`` is how long ``Importer.run`` took.
    """

    what: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    layout: str = ""
    ids: list[int] = field(default_factory=list)
    pairs: list[tuple[int, int]] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    warnings: list[RowError] = field(default_factory=list)
    details: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def unchanged(self) -> int:
        return self.rows - self.created - self.updated

    def __str__(self) -> str:
        layout = f" ({self.layout} layout)" if self.layout else ""
        text = (
            f"{self.rows:,} {self.what}{layout}: {self.created:,} created, {self.updated:,} updated, "
            f"{self.unchanged:,} unchanged."
        )
        if self.skipped:
            text += " Skipped " + "; ".join(f"{n:,} {reason}" for reason, n in self.skipped.most_common()) + "."
        if self.details:
            text += " " + "; ".join(f"{n:,} {what}" for what, n in self.details.items()) + "."
        return text


def decode(data: bytes | str | IO) -> tuple[str, bool]:
    """The file's text, and whether it was all UTF-8 (bad bytes are kept as surrogates)."""
    if hasattr(data, "read"):
        data = data.read()
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), True
    try:
        return bytes(data).decode("utf-8").removeprefix("\ufeff"), True
    except UnicodeDecodeError:
        return bytes(data).decode("utf-8", errors="surrogateescape").removeprefix("\ufeff"), False


def first_line(error: Exception) -> str:
    """A database error as one line a curator can read."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class Importer:
    """One import of one file: the errors it found, and the read-validate-write loop."""

    filename: str = "a CSV file"

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        # The job's preview checked this very file against this very database
        # (``checked_before``): an importer may skip the checks that cannot fail now.
        self.prechecked = _CHECKED.get()

    def error(self, line: int, column: str, message: str) -> None:
        self.errors.append(RowError(line, column, message))

    def refuse_if_errors(self) -> None:
        if self.errors:
            raise ImportFailed(self.errors)

    def run(self, data: Any, *, dry_run: bool = False) -> ImportResult:
        """Read and check the whole file, then write it in one transaction, or refuse it whole.

        ``dry_run`` does everything, then rolls the writing back.
        """
        started = time.monotonic()
        report_progress("writing" if self.prechecked else "checking", 0, 0)
        self.read(data)
        self.refuse_if_errors()
        report_progress("writing", 0, 0)
        try:
            with transaction.atomic():
                result = self.write()
                self.refuse_if_errors()  # rolled back with the transaction
                if tables := self.checked_tables():
                    connection.check_constraints(table_names=tables)
                if dry_run:
                    raise DryRun(result)
        except DryRun as rolled_back:
            result = rolled_back.result
        except (IntegrityError, DataError) as error:
            raise ImportFailed([self.database_error(error)]) from error
        result.seconds = time.monotonic() - started
        return result

    # --- what each importer says ---------------------------------------------------

    def read(self, data: Any) -> None:
        """Decode and check every row, keeping what ``write`` needs; ``error`` for each problem."""
        raise NotImplementedError

    def write(self) -> ImportResult:
        """Write what ``read`` kept (inside the transaction)."""
        raise NotImplementedError

    def checked_tables(self) -> list[str]:
        """Tables whose deferred cross-row rules must hold before the transaction ends."""
        return []

    def database_error(self, error: Exception) -> RowError:
        return RowError(0, "", f"The database refused the file: {first_line(error)}")


def refused(failure: ImportFailed, filename: str, stderr: Any, limit: int | None = None) -> CommandError:
    """A management command's answer to a refused file: its errors written to
    ``stderr`` (the first ``limit``), and the CommandError to raise (exit status 1)."""
    shown = failure.errors if limit is None else failure.errors[:limit]
    for error in shown:
        stderr.write(str(error))
    if len(failure.errors) > len(shown):
        stderr.write(f"… and {len(failure.errors) - len(shown)} more.")
    return CommandError(f"{len(failure.errors):,} error(s) in {filename}: nothing was imported.", returncode=1)


# --- progress ----------------------------------------------------------------------

Progress = Callable[[str, int, int], None]
_PROGRESS: ContextVar[Progress | None] = ContextVar("import_progress", default=None)


@contextmanager
def reporting(callback: Progress) -> Iterator[None]:
    """Within the block, every ``report_progress`` of an import calls ``callback(phase, done, total)``."""
    token = _PROGRESS.set(callback)
    try:
        yield
    finally:
        _PROGRESS.reset(token)


def report_progress(phase: str, done: int, total: int) -> None:
    """How far the running import got: ``phase`` ("checking", "writing"), ``done`` of ``total`` (0: not known)."""
    if (callback := _PROGRESS.get()) is not None:
        callback(phase, done, total)


_CHECKED: ContextVar[bool] = ContextVar("import_checked", default=False)


@contextmanager
def checked_before() -> Iterator[None]:
    """Within the block, importers know the file was checked against the database as it
    is (the job's preview, nothing written since): they may write without checking again."""
    token = _CHECKED.set(True)
    try:
        yield
    finally:
        _CHECKED.reset(token)


# --- previews ----------------------------------------------------------------------

MAX_NAMED = 200  # new or changed records named per kind; the rest are counted


@dataclass(frozen=True)
class Named:
    """A model whose new records a preview names (``label``: "topic"); with
    ``changed``, also those it changed (rows with an ``updated_at`` the import set)."""

    model: type[models.Model]
    label: str
    plural: str
    changed: bool = False


_NAMED: dict[type[models.Model], Named] = {}


def name_in_previews(model: type[models.Model], label: str, plural: str = "", *, changed: bool = False) -> None:
    """Called by an app (its ``AppConfig.ready``): previews name the records of ``model`` an import would create."""
    _NAMED[model] = Named(model, label, plural or f"{label}s", changed)


@dataclass
class Preview:
    """What an import would do: its result, and the records it would create and change, by kind."""

    result: Any
    new: dict[str, list[str]] = field(default_factory=dict)
    new_counts: dict[str, int] = field(default_factory=dict)
    changed: dict[str, list[str]] = field(default_factory=dict)
    changed_counts: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "summary": str(self.result),
            "counts": result_counts(self.result),
            "new": self.new,
            "new_counts": self.new_counts,
            "changed": self.changed,
            "changed_counts": self.changed_counts,
            "warnings": [str(w) for w in getattr(self.result, "warnings", [])[:MAX_NAMED]],
        }


def result_counts(result: Any) -> dict[str, int]:
    """Rows read, created, changed and left as they were, where the result says."""
    counts = {name: getattr(result, name, None) for name in ("rows", "created", "updated", "unchanged")}
    return {name: value for name, value in counts.items() if isinstance(value, int)}


class _RolledBack(Exception):
    def __init__(self, preview: Preview) -> None:
        super().__init__("preview rolled back")
        self.preview = preview


def preview(run: Callable[[], Any]) -> Preview:
    """Run an import in a transaction that is always rolled back; what it would do.

    ImportFailed (a refused file) goes to the caller, as without a preview.
    """
    started = timezone.now()
    before = {model: model._default_manager.aggregate(last=Max("pk"))["last"] or 0 for model in _NAMED}
    try:
        with transaction.atomic(), pagecache.quiet():  # rolled back: no reader sees it
            result = run()
            found = Preview(result)
            for model, named in _NAMED.items():
                rows = model._default_manager.filter(pk__gt=before[model]).order_by("pk")
                note(found.new, found.new_counts, named.plural, rows)
                if named.changed:
                    rows = model._default_manager.filter(pk__lte=before[model], updated_at__gte=started).order_by("pk")
                    note(found.changed, found.changed_counts, named.plural, rows)
            raise _RolledBack(found)
    except _RolledBack as rolled_back:
        return rolled_back.preview


def note(names: dict[str, list[str]], counts: dict[str, int], plural: str, rows: models.QuerySet) -> None:
    if count := rows.count():
        counts[plural] = count
        names[plural] = [str(row) for row in rows[:MAX_NAMED]]


def add_dry_run_argument(parser: CommandParser) -> None:
    """Every import command's ``--dry-run``."""
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="Check the whole file and say what the import would create and change, naming each new record; "
        "write nothing.",
    )


def describe_preview(found: Preview) -> list[str]:
    """A preview as lines of text (the commands' --dry-run)."""
    lines = [f"Dry run, nothing written: {found.result}"]
    for plural, names in found.new.items():
        more = found.new_counts[plural] - len(names)
        lines.append(
            f"New {plural} ({found.new_counts[plural]:,}): "
            + "; ".join(names)
            + (f" … and {more} more" if more > 0 else "")
        )
    for plural in found.changed:
        lines.append(f"Changed {plural}: {found.changed_counts[plural]:,}")
    return lines
