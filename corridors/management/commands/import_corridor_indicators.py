import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from corridors.imports import COLUMNS, import_corridor_indicators
from tradepacts.imports import ImportFailed, add_dry_run_argument, describe_preview, preview, refused


class Command(BaseCommand):
    help = (
        f"Import corridor indicator figures from a CSV with the columns {', '.join(COLUMNS[:7])} "
        "(and optionally qualifier, note, synthetic). Every row is checked first: any error is printed with its "
        "line and nothing of the file is written. Importing a file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file (UTF-8), or - for standard input.")
        add_dry_run_argument(parser)

    def handle(self, *args: Any, file: str, dry_run: bool = False, **options: Any) -> None:
        name = "standard input" if file == "-" else Path(file).name
        try:
            data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            if dry_run:
                self.stdout.write(
                    "\n".join(describe_preview(preview(lambda: import_corridor_indicators(data, filename=name))))
                )
                return
            result = import_corridor_indicators(data, filename=name)
        except ImportFailed as failure:
            raise refused(failure, name, self.stderr) from None
        self.stdout.write(self.style.SUCCESS(f"Imported {name}: {result}"))
