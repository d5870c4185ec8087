"""Staff roles, kept in step with the models by a post_migrate hook.

Editors curate the tracker's content (agreements, organisations, sources,
corridors, their history) but never users, groups or permissions.
"""

from typing import Any

from django.contrib.auth.models import Group, Permission

EDITORS = "Editors"
EDITOR_APPS = ("agreements", "corridors")


def ensure_roles(sender: object = None, using: str = "default", **kwargs: Any) -> None:
    """Create or update the Editors group; safe to run any number of times."""
    editors, _ = Group.objects.using(using).get_or_create(name=EDITORS)
    permissions = Permission.objects.using(using).filter(content_type__app_label__in=EDITOR_APPS)
    editors.permissions.set(permissions)
