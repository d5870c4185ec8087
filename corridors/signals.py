"""What moves corridor statistics queues their refresh, on commit and coalesced
(corridors.tasks): figures, indicators, the links between agreements and
corridors, and agreements' dates. Signals rather than admin hooks, so the
admin, imports, the demo loader and a shell session all do it; bulk writes
(which send none) call ``queue_corridor_refresh`` themselves, and agreements'
own (the registry's imports) tell us through
``agreements.extensions.on_agreements_changed_in_bulk``.

Connected in CorridorsConfig.ready. agreements never imports corridors, so an
agreement's own save is caught here: it costs nothing at save time, and one
query at commit to see whether the agreement concerns a corridor at all.
"""

from typing import Any

from django.db.models.signals import post_delete, post_save

from agreements.extensions import on_agreements_changed_in_bulk
from agreements.models import Agreement, Memorandum
from corridors.models import CorridorAgreement, Indicator, IndicatorObservation
from corridors.tasks import queue_corridor_refresh


def _refresh(sender: object, **kwargs: Any) -> None:
    if not kwargs.get("raw"):  # loaddata: fixtures are not edits
        queue_corridor_refresh(using=kwargs.get("using"))


def _agreement_saved(
    sender: object, instance: Agreement, raw: bool = False, using: str | None = None, **kwargs: Any
) -> None:
    if not raw:
        queue_corridor_refresh(agreements=[instance.pk], using=using)


def _agreements_changed_in_bulk(agreement_ids: frozenset[int], using: str | None) -> None:
    queue_corridor_refresh(agreements=agreement_ids, using=using)  # at commit, if one concerns a corridor


def connect() -> None:
    on_agreements_changed_in_bulk(_agreements_changed_in_bulk)
    for model in (IndicatorObservation, Indicator, CorridorAgreement):
        post_save.connect(_refresh, sender=model, dispatch_uid=f"corridor-refresh-save-{model.__name__}")
        post_delete.connect(_refresh, sender=model, dispatch_uid=f"corridor-refresh-delete-{model.__name__}")
    for agreement_model in (Agreement, Memorandum):  # a proxy's saves are sent as the proxy's
        post_save.connect(
            _agreement_saved, sender=agreement_model, dispatch_uid=f"corridor-refresh-{agreement_model.__name__}"
        )
