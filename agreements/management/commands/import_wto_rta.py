from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agreements.imports.merge import SAME_FILE
from agreements.imports.registry import read_file
from agreements.imports.wto_rta import import_wto_rta
from tradepacts.imports import ImportFailed, ImportResult, add_dry_run_argument, describe_preview, preview, refused

MAX_ERRORS_PRINTED = 200


def report(command: BaseCommand, name: str, result: ImportResult) -> None:
    """A dataset import's answer: the result, then each warning (what was not matched, with its line)."""
    if result.skipped[SAME_FILE]:
        command.stdout.write(f"{name}: the same file was imported before: nothing to do (--force reads it again).")
        return
    command.stdout.write(command.style.SUCCESS(f"Imported {name} in {result.seconds:.1f} s: {result}"))
    for warning in result.warnings:
        command.stdout.write(f"  Warning, {warning}")


class Command(BaseCommand):
    help = (
        "Import the WTO's RTA list (a .gz is read as its content) into the registry, merged with the other "
        "datasets (agreements.imports.merge). Every row is checked first: any error is printed with its line and "
        "nothing is written. The same file again is skipped (its SHA-256 is kept); --force reads it anyway."
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
                found = preview(lambda: import_wto_rta(data, filename=path.name, force=force))
                self.stdout.write("\n".join(describe_preview(found)))
                return
            result = import_wto_rta(data, filename=path.name, force=force)
        except ImportFailed as failure:
            raise refused(failure, path.name, self.stderr, limit=MAX_ERRORS_PRINTED) from None
        report(self, path.name, result)
