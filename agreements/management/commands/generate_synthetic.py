import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agreements import synthetic
from tradepacts.pagecache import bump_data_version


class Command(BaseCommand):
    help = (
        "Generate seeded, realistic synthetic agreements for load tests and the benchmark "
        "(slugs start with 'syn-'; each cites the source 'Synthetic data (generate_synthetic, seed N)')."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agreements", type=int, default=1000, help="How many (default: %(default)s).")
        parser.add_argument("--seed", type=int, default=42, help="Same seed, same data (default: %(default)s).")
        parser.add_argument("--clear", action="store_true", help="First delete every synthetic agreement.")
        parser.add_argument(
            "--batch-size", type=int, default=synthetic.BATCH, help="Agreements per transaction (default: %(default)s)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count, seed = options["agreements"], options["seed"]
        if count < 0 or options["batch_size"] < 1:
            raise CommandError("--agreements must be 0 or more and --batch-size at least 1.")
        started = time.monotonic()
        if options["clear"]:
            removed = synthetic.clear()
            self.stdout.write(f"Removed {removed} synthetic agreements ({time.monotonic() - started:.1f} s).")
        if not count:
            return
        started = time.monotonic()
        progress = self.stdout.write if options["verbosity"] > 1 else None
        try:
            totals = synthetic.generate(count, seed, batch_size=options["batch_size"], progress=progress)
        except ValueError as error:
            raise CommandError(str(error)) from None
        bump_data_version()  # bulk writes skip the signals the page cache listens to
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{value} {key}" for key, value in totals.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {summary} in {elapsed:.1f} s ({count / elapsed:,.0f} agreements/s, seed {seed})."
            )
        )
