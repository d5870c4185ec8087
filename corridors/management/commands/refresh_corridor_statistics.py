from typing import Any

from django.core.management.base import BaseCommand, CommandError

from agreements.models import RefreshRun
from corridors.stats import refresh_corridor_statistics


class Command(BaseCommand):
    help = (
        "Rebuild the derived corridor statistics (growth, each destination's share by corridor, indicators "
        "before and after the agreements concerning a corridor) in this process, without a broker."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = refresh_corridor_statistics()
        except Exception as error:
            raise CommandError(f"The refresh failed: {type(error).__name__}: {error}") from error
        if run.status != RefreshRun.Status.SUCCEEDED:
            raise CommandError(f"Refresh #{run.pk}: {run.get_status_display()}. {run.error}")
        assert run.finished_at is not None  # set by every finished run
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(f"Refresh #{run.pk} (corridors): {run.rows_written} rows written in {seconds:.2f} s.")
        )
