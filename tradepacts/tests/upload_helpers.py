"""Uploading through the admin as a curator does: the file, its preview, the confirmation."""

from __future__ import annotations

from typing import Any


def upload_and_confirm(client: Any, url: Any, data: dict[str, Any]) -> Any:
    """Post ``data`` (the file and the form) to the upload page ``url``, then confirm the preview.

    The page the curator ends on: the job's result (or its errors, or the form again)."""
    response = client.post(url, data)
    if response.status_code != 302 or "?job=" not in response["Location"]:
        return response
    job_page = client.get(response["Location"])
    if job_page.context["job"].state != "previewed":
        return job_page
    return client.post(response["Location"], {"confirm": "1"}, follow=True)
