"""The project's own background jobs: import jobs (tradepacts.import_jobs)."""

from celery import shared_task

from tradepacts.import_jobs import run_job


@shared_task(acks_late=True)
def run_import_job(pk: int) -> None:
    """Preview or write one uploaded CSV (idempotent: a finished job is left alone)."""
    run_job(pk)
