"""The Celery application: settings come from Django's, under the CELERY_ prefix.

Each app keeps its tasks in its own ``tasks.py``; they are found automatically.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tradepacts.settings")

app = Celery("tradepacts")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
