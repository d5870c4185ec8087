from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agreements.imports.gptad import import_gptad
from agreements.imports.registry import read_file
from agreements.management.commands.import_wto_rta import report
from tradepacts.imports import ImportFailed, add_dry_run_argument, describe_preview, preview, refused

MAX_ERRORS_PRINTED = 200


class Command(BaseCommand):
    help = (
        "Import the World Bank's GPTAD list (a .gz is read as its content) into the registry, as claims on the "
        "agreements it matches (agreements.imports.merge; it creates none, and lists what it could not match). "
        "Every row is checked first: any error is printed with its line and nothing is written. The same file "
        "again is skipped (its SHA-256 is kept); --force reads it anyway."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--force", action="store_true", help="Import even if this very file was imported before.")
        add_dry_run_argument(parser)

    def handle(self, *args: Any, file: str, force: bool, dry_run: bool = False, **options: Any) -> None:
        path = Path(file)
        try:
            data = read_file(path)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}.") from None
        try:
            if dry_run:
                found = preview(lambda: import_gptad(data, filename=path.name, force=force))
                self.stdout.write("\n".join(describe_preview(found)))
                return
            result = import_gptad(data, filename=path.name, force=force)
        except ImportFailed as failure:
            raise refused(failure, path.name, self.stderr, limit=MAX_ERRORS_PRINTED) from None
        report(self, path.name, result)
