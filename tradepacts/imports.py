"""The one import framework: every CSV import (agreements, DESTA, the WTO and
GPTAD lists, trade flows, exchange rates, corridor indicators) is an
``Importer`` that says only how its file's columns map.

The loop is the same for all of them (``Importer.run``):

1. ``read(data)``: decode the file and check every row, noting each problem
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
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.management.base import CommandError
from django.db import DataError, IntegrityError, connection, transaction

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
        self.read(data)
        self.refuse_if_errors()
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
