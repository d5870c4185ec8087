""" "Newest first", the one order of every list of agreements: the list page and
its exports, the home page, the country and corridor pages, the admin.

Signed agreements first, the latest signed first; then those not (yet)
signed, by their principal date (announced, else entered into force); those
with no date at all last; on the same date, the one entered later first.
On PostgreSQL an expression index serves it (migration 0014).
"""

from django.db.models import F, OrderBy
from django.db.models.functions import Coalesce

PRINCIPAL_DATES = [("signed_on", "Signed"), ("announced_on", "Announced"), ("in_force_on", "In force")]


def principal_date(prefix: str = "") -> Coalesce:
    """An agreement's principal date in SQL; ``prefix`` reaches it through a relation (``agreement__``)."""
    return Coalesce(*(f"{prefix}{name}" for name, _ in PRINCIPAL_DATES))


def newest_first(prefix: str = "", id_field: str = "id") -> list[OrderBy]:
    return [
        F(f"{prefix}signed_on").desc(nulls_last=True),
        principal_date(prefix).desc(nulls_last=True),
        F(id_field).desc(),
    ]
