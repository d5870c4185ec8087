"""Each request's FilterSet has filters and form fields of its own (tradepacts.light_copies shares
only their lists of choices): the counts one request puts beside its options are never another's,
in the same thread or another, and each form reads one version of the reference lists."""

import threading

import pytest
from django.http import QueryDict

from agreements.facets import label_with_counts
from agreements.filters import AgreementFilterSet
from agreements.tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


def labels(filterset: AgreementFilterSet, name: str) -> list[str]:
    return [str(label) for _, label in filterset.form.fields[name].choices]


def test_counts_put_on_one_form_are_not_on_another():
    TopicFactory(name="Ports", slug="ports")
    counted, other = AgreementFilterSet(QueryDict("kind=mou")), AgreementFilterSet(QueryDict(""))
    counted.is_valid(), other.is_valid()

    label_with_counts(counted.form, {"kind": {"mou": 7}, "topic": {"ports": 3}, "sort": {}})

    assert "Memorandum of understanding (7)" in labels(counted, "kind") and "Ports (3)" in labels(counted, "topic")
    for filterset in (other, AgreementFilterSet(QueryDict("kind=mou"))):
        assert "Memorandum of understanding" in labels(filterset, "kind") and "Ports" in labels(filterset, "topic")
    assert counted.filters["kind"] is not other.filters["kind"]
    assert counted.filters["kind"].parent is counted and other.filters["kind"].parent is other


def test_forms_in_other_threads_keep_their_own_counts():
    seen: dict[int, list[str]] = {}

    def count(n: int) -> None:
        filterset = AgreementFilterSet(QueryDict(""))
        label_with_counts(filterset.form, {"kind": {"mou": n}})
        seen[n] = labels(filterset, "kind")

    threads = [threading.Thread(target=count, args=(n,)) for n in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert all(f"Memorandum of understanding ({n})" in seen[n] for n in range(1, 9))
    assert all(label.endswith("(0)") or "Memorandum" in label for label in seen[1])


def test_a_form_reads_one_version_of_the_reference_lists():
    TopicFactory(name="Ports", slug="ports")
    filterset = AgreementFilterSet(QueryDict("topic=ports"))
    assert filterset.is_valid()
    lists = filterset.lists

    TopicFactory(name="Roads", slug="roads")  # a write: a new version for the next request

    assert [value for value, _ in filterset.form.fields["topic"].choices] == ["ports"]
    assert filterset.lists is lists
    assert "roads" in [value for value, _ in AgreementFilterSet(QueryDict("")).form.fields["topic"].choices]
