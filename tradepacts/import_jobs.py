"""Import jobs: an uploaded CSV is checked and previewed, then written once the
curator confirms, each step as a job whose progress and outcome are kept in an
``ImportJob`` (tradepacts.models) for the status page (tradepacts.uploads).

Where a job runs (``IMPORT_JOB_RUNNER``): ``celery`` (a worker, queued on
commit), ``thread`` (the embedded default without a broker: a thread of the web
process, so the page answers at once), or ``inline`` (in the request: tests).

The file is kept on disk (``IMPORT_FILES_DIR``, streamed there in chunks) until
the job is over; the upload form is re-validated by the job from what was
posted, so each upload page's own ``run`` works unchanged, with a stand-in for
the request (the curator as ``request.user``). Progress goes to the cache (a
transaction's own writes are invisible to the status page until it commits)
and, outside transactions, to the job's row.

Confirming does not check the file again when nothing could have changed its
verdict: the stored file's SHA-256 is the one previewed and the data version
(tradepacts.pagecache, bumped by every write; previews, rolled back, do not bump
it) is the one the preview started from. Otherwise the file is checked again
before it is written, and the job's page says so.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import uuid
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import close_old_connections, connection, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from tradepacts.imports import ImportFailed, RowError, checked_before, preview, reporting
from tradepacts.models import ImportJob
from tradepacts.pagecache import data_version

if TYPE_CHECKING:
    from tradepacts.uploads import Upload

logger = logging.getLogger(__name__)

MAX_ERRORS_KEPT = 500
PROGRESS_SECONDS = 0.5  # at most two progress writes a second
PROGRESS_KEEP_SECONDS = 24 * 3600
CHUNK = 1024 * 1024


class JobRequest:
    """What an upload's functions read of a request, for a job run outside one."""

    method = "POST"

    def __init__(self, user: Any) -> None:
        self.user = user or AnonymousUser()
        self.POST = QueryDict()
        self.FILES: dict[str, Any] = {}
        self.META: dict[str, Any] = {}


def store(file: UploadedFile) -> tuple[str, int, str]:
    """The uploaded file copied, chunk by chunk, to IMPORT_FILES_DIR: its path, size and SHA-256."""
    folder = Path(settings.IMPORT_FILES_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.csv"
    size, digest = 0, hashlib.sha256()
    file.seek(0)
    with path.open("wb") as out:
        for chunk in file.chunks(CHUNK):
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    return str(path), size, digest.hexdigest()


def file_digest(path: str) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def shared_data_version() -> int | None:
    """The page cache's data version (every write to the data bumps it), or None where
    it cannot vouch for the writes of every process: a job in a Celery worker with a
    per-process cache, or the cache unreachable."""
    local = settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")
    if local and settings.IMPORT_JOB_RUNNER == "celery":
        return None
    try:
        return int(data_version())
    except Exception:
        return None


def unchanged_since_preview(job: ImportJob) -> bool:
    """The stored file is the one previewed, and nothing was written since the preview checked it."""
    if job.checked_version is None or not job.digest:
        return False
    return shared_data_version() == job.checked_version and file_digest(job.path) == job.digest


def create(upload: Upload, model_admin: admin.ModelAdmin, request: Any, file: UploadedFile) -> ImportJob:
    """A job previewing ``file``, with the rest of the form as posted; started on commit."""
    path, size, digest = store(file)
    form_data = {key: request.POST.getlist(key) for key in request.POST if key != "csrfmiddlewaretoken"}
    job = ImportJob.objects.create(
        upload=upload.key,
        model=model_admin.opts.label_lower,
        filename=(file.name or "a CSV file")[:300],
        path=path,
        size=size,
        digest=digest,
        form_data=form_data,
        user=request.user if request.user.is_authenticated else None,
    )
    start(job.pk)
    return job


def confirm(job: ImportJob) -> bool:
    """The curator confirmed a previewed job: write it (once: compare-and-set)."""
    moved = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.PREVIEWED).update(
        state=ImportJob.State.WRITING, phase="", done=0, total=0, updated_at=timezone.now()
    )
    if moved:
        cache.delete(progress_key(job.pk))
        start(job.pk)
    return bool(moved)


def cancel(job: ImportJob) -> bool:
    moved = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.PREVIEWED).update(
        state=ImportJob.State.CANCELLED, finished_at=timezone.now()
    )
    if moved:
        Path(job.path).unlink(missing_ok=True)
    return bool(moved)


def start(pk: int) -> None:
    runner = settings.IMPORT_JOB_RUNNER
    if runner == "inline":
        run_job(pk)
    elif runner == "thread":
        transaction.on_commit(lambda: threading.Thread(target=run_in_thread, args=(pk,), daemon=True).start())
    else:
        from tradepacts.tasks import run_import_job

        run_import_job.delay_on_commit(pk)  # type: ignore[attr-defined]  # celery's Task has it; the stubs lag


def run_in_thread(pk: int) -> None:
    close_old_connections()
    try:
        run_job(pk)
    finally:
        connection.close()


def progress_key(pk: int) -> str:
    return f"tradepacts:import-job:{pk}:progress"


def progress(job: ImportJob) -> dict[str, Any]:
    """The running job's latest progress: phase, done, total (0: not known yet)."""
    found = cache.get(progress_key(job.pk)) if job.running else None
    return found or {"phase": job.phase, "done": job.done, "total": job.total}


def recorder(pk: int) -> Any:
    last_at, last_phase = [0.0], [""]

    def record(phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase == last_phase[0] and now - last_at[0] < PROGRESS_SECONDS:
            return
        last_at[0], last_phase[0] = now, phase
        cache.set(progress_key(pk), {"phase": phase, "done": done, "total": total}, PROGRESS_KEEP_SECONDS)
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=pk).update(phase=phase, done=done, total=total)

    return record


def run_job(pk: int) -> None:
    """Do the job's next step: preview it, or write it; idempotent (a finished job is left alone)."""
    job = ImportJob.objects.filter(pk=pk).first()
    if job is None or not job.running:
        return
    from tradepacts.uploads import UPLOADS

    writing = job.state == ImportJob.State.WRITING
    upload = UPLOADS[job.upload]
    model_admin = admin.site._registry[apps.get_model(job.model)]
    request: Any = JobRequest(job.user)  # what the upload's functions read of a request
    finished: dict[str, Any] = {"finished_at": timezone.now(), "phase": "", "done": 0, "total": 0}
    try:
        with Path(job.path).open("rb") as stream, reporting(recorder(pk)):
            file = UploadedFile(stream, name=job.filename, size=job.size)
            data = QueryDict(mutable=True)
            for key, values in job.form_data.items():
                data.setlist(key, values)
            files = MultiValueDict({"file": [file]})
            form = upload.form_class(data, files, **upload.form_kwargs(model_admin, request))
            if not form.is_valid():
                raise ImportFailed(
                    [RowError(0, "", f"{name}: {' '.join(map(str, e))}") for name, e in form.errors.items()]
                )

            def run() -> Any:
                file.seek(0)
                return upload.run(model_admin, request, file, form.cleaned_data)

            if writing:
                # Checked by the preview against the database as it still is: write only.
                unchanged = unchanged_since_preview(job)
                with checked_before() if unchanged else nullcontext():
                    result = run()
                warnings = [str(w) for w in getattr(result, "warnings", [])[:MAX_ERRORS_KEPT]]
                summary = upload.success_message(file, result)
                finished |= {
                    "state": ImportJob.State.DONE,
                    "result": {"summary": summary, "warnings": warnings, "rechecked": not unchanged},
                }
            else:
                version = shared_data_version()  # before: a write during the preview is a change since
                found = preview(run)
                finished |= {
                    "state": ImportJob.State.PREVIEWED,
                    "preview": found.as_json(),
                    "finished_at": None,
                    "checked_version": version,
                }
    except ImportFailed as failure:
        errors = [[e.line, e.column, e.message] for e in failure.errors[:MAX_ERRORS_KEPT]]
        finished |= {"state": ImportJob.State.REFUSED, "errors": errors, "error_count": len(failure.errors)}
    except Exception as error:  # the curator gets a message, the log the traceback
        logger.exception("Import job %s failed", pk)
        message = f"The import stopped ({type(error).__name__}: {error}); nothing was imported."
        finished |= {"state": ImportJob.State.FAILED, "errors": [[0, "", message]], "error_count": 1}
    if finished["state"] != ImportJob.State.PREVIEWED:
        Path(job.path).unlink(missing_ok=True)
    cache.delete(progress_key(pk))
    ImportJob.objects.filter(pk=pk).update(updated_at=timezone.now(), **finished)
