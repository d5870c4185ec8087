from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agreements.imports.desta import import_desta
from agreements.imports.desta.importer import (
    CITATIONS,
    CREATED_BY_TYPE,
    FILE_ROWS,
    IDENTIFIERS,
    JOINED,
    PARTIES,
    RELATIONS,
)
from tradepacts.imports import ImportFailed, refused

MAX_ERRORS_PRINTED = 200


class Command(BaseCommand):
    help = (
        "Import DESTA's dyadic list of treaties (desta_list_of_treaties_02_01_dyads.csv, Windows-1252): one "
        "agreement per DESTA number, matched on that number only. Entries already in the database are left as "
        "they are; only missing ones are created, so importing again changes nothing. Every row is checked "
        "first: any error is printed with its line and nothing of the file is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count everything, then write nothing.")

    def handle(self, *args: Any, file: str, dry_run: bool, **options: Any) -> None:
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            result = import_desta(data, filename=path.name, dry_run=dry_run)
        except ImportFailed as failure:
            raise refused(failure, path.name, self.stderr, limit=MAX_ERRORS_PRINTED) from None

        for warning in result.warnings:
            self.stdout.write(self.style.WARNING(f"Warning, {warning}"))
        details = result.details
        by_type = ", ".join(f"{details[f'{label} created']} {label}" for label in CREATED_BY_TYPE.values())
        lines = [
            f"{'Checked (dry run, nothing written)' if dry_run else 'Imported'} {path.name}: "
            f"{details[FILE_ROWS]} rows in {result.seconds:.1f} s.",
            f"  Agreements created:   {result.created} ({by_type})",
            f"  Already there:        {result.unchanged} (left as they are)",
            f"  Parties:              {details[PARTIES]}",
            f"  Accessions:           {details[JOINED]} (parties of base treaties, joined later)",
            f"  Identifiers (DESTA):  {details[IDENTIFIERS]}",
            f"  Relations:            {details[RELATIONS]}",
            f"  Citations of DESTA:   {details[CITATIONS]}",
            f"  Warnings:             {len(result.warnings)}",
        ]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))
