"""The registry's imports write agreements in bulk (no model signals): they tell corridors
through agreements.extensions.agreements_changed_in_bulk, and one corridor refresh is queued
at commit when an agreement they changed concerns a corridor; none on rollback, none when
no agreement they changed concerns one."""

import pytest
from django.core.cache import cache
from django.db import transaction

from agreements.imports.desta import import_desta
from agreements.imports.wto_rta import import_wto_rta
from agreements.models import Agreement
from agreements.tests.desta_helpers import EAC
from agreements.tests.desta_helpers import desta_file as desta
from agreements.tests.registry_helpers import EAC as WTO_EAC
from agreements.tests.registry_helpers import wto_file
from corridors.tasks import IN_LIST_LIMIT, concerns_a_corridor
from corridors.tests.factories import CorridorAgreementFactory, corridor_through

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def eac_on_a_corridor(sent, django_capture_on_commit_callbacks):
    """DESTA's EAC (created by the import, so on no corridor: nothing queued), then put on a
    corridor by a curator (queued by the link's signal, then forgotten)."""
    with django_capture_on_commit_callbacks(execute=True):
        import_desta(desta(*EAC))
    assert not sent.called, "new agreements concern no corridor"
    eac = Agreement.objects.get(identifiers__scheme="desta", identifiers__value="787")
    with django_capture_on_commit_callbacks(execute=True):
        CorridorAgreementFactory(corridor=corridor_through("KEN", "UGA"), agreement=eac)
    sent.reset_mock()
    cache.clear()
    return eac


def test_a_registry_import_changing_a_corridors_agreement_queues_one_refresh_at_commit(
    eac_on_a_corridor, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = import_wto_rta(wto_file(WTO_EAC))
        assert not sent.called, "nothing before the commit"
    assert result.updated == 1  # the WTO's full dates on DESTA's years
    assert callbacks and sent.call_count == 1


def test_a_rolled_back_registry_import_queues_nothing(eac_on_a_corridor, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        import_wto_rta(wto_file(WTO_EAC))
        raise RuntimeError
    assert not sent.called
    eac_on_a_corridor.refresh_from_db()
    assert eac_on_a_corridor.in_force_on.isoformat() == "2000-01-01"  # DESTA's year, as before


def test_a_registry_import_changing_no_corridors_agreement_queues_nothing(sent, django_capture_on_commit_callbacks):
    corridor_through("KEN", "UGA")
    cache.clear()
    sent.reset_mock()
    with django_capture_on_commit_callbacks(execute=True):
        import_desta(desta(*EAC))
        import_wto_rta(wto_file(WTO_EAC))
    assert not sent.called


def test_thousands_of_agreements_are_checked_in_one_query(eac_on_a_corridor, django_assert_num_queries):
    many = set(range(10**6, 10**6 + IN_LIST_LIMIT + 1))
    with django_assert_num_queries(1):
        assert concerns_a_corridor(many | {eac_on_a_corridor.pk})
    with django_assert_num_queries(1):
        assert not concerns_a_corridor(many)
    with django_assert_num_queries(1):
        assert concerns_a_corridor({eac_on_a_corridor.pk})
