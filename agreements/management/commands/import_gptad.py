from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agreements.imports.gptad import import_gptad
from agreements.imports.registry import read_file
from tradepacts.imports import ImportFailed, add_dry_run_argument, describe_preview, preview, refused

MAX_ERRORS_PRINTED = 200


class Command(BaseCommand):
    help = (
        "Import the gptad file (a .gz is read as its content) into the registry, merged with the other datasets "
        "(agreements.imports.merge). Every row is checked first: any error is printed with its line and nothing is "
        "written. The same file again is skipped (its SHA-256 is kept); --force reads it anyway."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--force", action="store_true", help="Import even if this very file was imported before.")
        add_dry_run_argument(parser)

    def handle(self, *args, file: str, force: bool, dry_run: bool = False, **options) -> None:
        try:
            data = read_file(Path(file))
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror or error}.") from None
        try:
            if dry_run:
                found = preview(lambda: import_gptad(data, filename=Path(file).name, force=force))
                self.stdout.write("\n".join(describe_preview(found)))
                return
            result = import_gptad(data, filename=Path(file).name, force=force)
        except ImportFailed as failure:
            raise refused(failure, Path(file).name, self.stderr, limit=MAX_ERRORS_PRINTED) from None
        if result.skipped:
            self.stdout.write(f"{Path(file).name}: {result}")
            return
        self.stdout.write(self.style.SUCCESS(f"Imported {Path(file).name} in {result.seconds:.1f} s."))
        self.stdout.write("\n".join(result.report.lines()))
        for problem in [*result.report.unmatched, *result.report.ambiguous, *getattr(result, "repeats", [])]:
            self.stdout.write(
                f"  Not matched, {problem}" if problem in result.report.unmatched else f"  Note, {problem}"
            )
