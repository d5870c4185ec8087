"""What the WTO RTA and GPTAD import commands share: read the file (a .gz as its
content), preview it with --dry-run or import it, and answer with the result and
each line that could not be matched. Each command names only its importer."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agreements.imports.merge import SAME_FILE
from agreements.imports.registry import read_file
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


class DatasetCommand(BaseCommand):
    importer: Callable[..., ImportResult]

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
        importer = type(self).importer

        def run() -> ImportResult:
            return importer(data, filename=path.name, force=force)

        try:
            if dry_run:
                self.stdout.write("\n".join(describe_preview(preview(run))))
                return
            result = run()
        except ImportFailed as failure:
            raise refused(failure, path.name, self.stderr, limit=MAX_ERRORS_PRINTED) from None
        report(self, path.name, result)
