"""Abstract bases shared by the apps."""

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    """Records when a row was created and last changed."""

    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)

    class Meta:
        abstract = True


class ImportJob(TimeStampedModel):
    """One uploaded CSV on its way in: previewed, confirmed by the curator, written.

    Both steps run as a job (tradepacts.import_jobs: a Celery task, or a thread of
    the web process in the embedded default), reporting their progress; the
    preview, the result or the errors stay here for the curator to come back to.
    The state moves forward only, by compare-and-set: a job is confirmed once.
    """

    class State(models.TextChoices):
        PREVIEWING = "previewing", "Checking the file"
        PREVIEWED = "previewed", "Waiting for your confirmation"
        WRITING = "writing", "Importing"
        DONE = "done", "Imported"
        REFUSED = "refused", "Refused: nothing was imported"
        FAILED = "failed", "Failed: nothing was imported"
        CANCELLED = "cancelled", "Cancelled: nothing was imported"

    upload = models.CharField(max_length=100, help_text="Which upload page (tradepacts.uploads.UPLOADS).")
    model = models.CharField(max_length=100, help_text="The admin's model, app_label.model_name.")
    filename = models.CharField(max_length=300)
    path = models.CharField(max_length=500, help_text="The uploaded file, until the job is over.")
    size = models.PositiveBigIntegerField(default=0)
    form_data = models.JSONField(default=dict, blank=True, help_text="The upload form's other fields, as posted.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PREVIEWING)
    phase = models.CharField(max_length=20, blank=True)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    preview = models.JSONField(null=True, blank=True)
    result = models.JSONField(null=True, blank=True)
    errors = models.JSONField(default=list, blank=True, help_text="[line, column, message], the first ones.")
    digest = models.CharField(max_length=64, blank=True, help_text="The stored file's SHA-256.")
    checked_version = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The data version (tradepacts.pagecache) the preview checked the file against."
    )
    error_count = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="tradepacts_importjob_user")]

    def __str__(self) -> str:
        return f"Import of {self.filename}"

    @property
    def running(self) -> bool:
        return self.state in (self.State.PREVIEWING, self.State.WRITING)
