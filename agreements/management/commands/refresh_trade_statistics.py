from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agreements.models import Country, RefreshRun
from agreements.trade.refresh import refresh_trade_statistics


class Command(BaseCommand):
    help = (
        "Rebuild the derived trade statistics (pair-year figures and agreements' before/after averages) "
        "in this process, without a broker. Without --pair: every pair."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--pair",
            nargs=2,
            action="append",
            metavar=("ISO3", "ISO3"),
            help="Only this pair of countries, by ISO alpha-3 code, e.g. --pair KEN RWA (repeatable).",
        )
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Recompute every pair-year, even those whose flows, rates and agreements did not change "
            "(on PostgreSQL a full refresh otherwise recomputes only those that changed).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        pairs = None
        if options["pair"]:
            codes = {code.upper() for pair in options["pair"] for code in pair}
            ids = dict(Country.objects.filter(iso3__in=codes).values_list("iso3", "id"))
            unknown = sorted(codes - ids.keys())
            if unknown:
                raise CommandError(f"Unknown country code(s): {', '.join(unknown)} (use ISO 3166 alpha-3, e.g. KEN).")
            pairs = [(ids[a.upper()], ids[b.upper()]) for a, b in options["pair"]]
            if any(a == b for a, b in pairs):
                raise CommandError("A pair needs two different countries.")
        try:
            run = refresh_trade_statistics(pairs, rebuild=options["rebuild"])
        except Exception as error:
            raise CommandError(f"The refresh failed: {type(error).__name__}: {error}") from error
        assert run.finished_at is not None  # set by every finished run
        seconds = (run.finished_at - run.started_at).total_seconds()
        if run.status != RefreshRun.Status.SUCCEEDED:
            raise CommandError(f"Refresh #{run.pk} ({run.scope}): {run.get_status_display()}. {run.error}")
        self.stdout.write(
            self.style.SUCCESS(f"Refresh #{run.pk} ({run.scope}): {run.rows_written} rows written in {seconds:.2f} s.")
        )
