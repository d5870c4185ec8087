import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agreements.models import Origin
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
        if self.kind == FLOWS:
            parser.add_argument(
                "--origin",
                choices=[name.lower() for name in Origin.names],
                default="national",
                help="Who published the figures (TradeFlow.Origin, in order of precedence): national (a curator's "
                "national figure, the default), wto, comtrade, cow or synthetic.",
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
        try:
            with stream:
                if self.kind == FLOWS:
                    origin = Origin[options.get("origin", "national").upper()]

                    def run() -> ImportResult:
                        return import_trade_flows(stream, source=source, filename=name, origin=origin)

                else:

                    def run() -> ImportResult:
                        return import_exchange_rates(stream, source=source, filename=name)

                if dry_run:
                    self.stdout.write("\n".join(describe_preview(preview(run))))
                    return
                result: ImportResult = run()
        except ImportFailed as failure:
            raise refused(failure, name, self.stderr) from None
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        self.stdout.write(self.style.SUCCESS(f"Imported {name}: {result}"))
