import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agreements.trade.imports import (
    FLOWS,
    check_source_text,
    import_exchange_rates,
    import_trade_flows,
)
from tradepacts.imports import ImportFailed, ImportResult, add_dry_run_argument, describe_preview, preview, refused


class Command(BaseCommand):
    help = (
        "Import trade figures from a CSV: a UN Comtrade download, or the plain layout "
        "reporter,partner,year,flow,value,currency[,source]. Every row is checked first: any error is printed "
        "with its line and nothing of the file is written. Importing a file again changes nothing."
    )
    kind = FLOWS
    source_help = (
        "Title or URL of the source of rows that name none (Comtrade files default to the UN Comtrade Database). "
        "An existing source is found by URL or exact title; otherwise one is created."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The CSV file (UTF-8), or - for standard input.")
        parser.add_argument(
            "--source",
            default="",
            help=self.source_help,
        )
        add_dry_run_argument(parser)

    def handle(self, *args: Any, file: str, source: str, dry_run: bool = False, **options: Any) -> None:
        try:
            check_source_text(source)
        except ValueError as error:
            raise CommandError(f"--source: {error}") from None
        name = "standard input" if file == "-" else Path(file).name
        try:
            stream = sys.stdin.buffer if file == "-" else open(file, "rb")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        importer = import_trade_flows if self.kind == FLOWS else import_exchange_rates
        try:
            with stream:
                if dry_run:
                    found = preview(lambda: importer(stream, source=source, filename=name))
                    self.stdout.write("\n".join(describe_preview(found)))
                    return
                result: ImportResult = importer(stream, source=source, filename=name)
        except ImportFailed as failure:
            raise refused(failure, name, self.stderr) from None
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        self.stdout.write(self.style.SUCCESS(f"Imported {name}: {result}"))
