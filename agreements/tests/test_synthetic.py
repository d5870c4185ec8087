"""Synthetic data (agreements.synthetic, manage.py generate_synthetic): seeded,
valid by every rule the admin and the database hold, and findable by search."""

from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from agreements import synthetic
from agreements.models import (
    Agreement,
    AgreementRelation,
    AgreementSource,
    Organisation,
    Party,
    Signatory,
    Source,
    Topic,
)
from agreements.search import reindex
from agreements.tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db

COUNT, SEED = 300, 7


def snapshot() -> list[tuple]:
    """What a seed must reproduce: each agreement's slug, title, kind, status, dates and parties."""
    parties: dict[int, list[str]] = {}
    for agreement_id, iso3 in Party.objects.order_by("id").values_list("agreement_id", "country__iso3"):
        parties.setdefault(agreement_id, []).append(iso3)
    rows = synthetic.synthetic_agreements().order_by("id")
    return [
        (a.slug, a.title, a.kind, a.status, a.signed_on, a.in_force_on, a.is_published, parties.get(a.pk, []))
        for a in rows
    ]


@pytest.fixture
def generated() -> list[Agreement]:
    synthetic.generate(COUNT, SEED, batch_size=120)  # three batches, the last one short
    return list(synthetic.synthetic_agreements().prefetch_related("parties", "signatories"))


def test_generates_the_count_asked_for_all_marked_synthetic(generated):
    marker = AgreementSource.objects.filter(source__title=synthetic.marker_title(SEED))

    assert len(generated) == COUNT
    assert all(a.slug.startswith("syn-") for a in generated)
    assert marker.count() == COUNT
    assert len({a.slug for a in generated}) == COUNT


def test_same_seed_same_data_other_seed_other_data(generated):
    first = snapshot()
    synthetic.clear()
    synthetic.generate(COUNT, SEED, batch_size=1000)  # batches do not change the data
    again = snapshot()
    synthetic.clear()
    synthetic.generate(COUNT, SEED + 1)

    assert again == first
    assert [row[1] for row in snapshot()] != [row[1] for row in first]


def test_every_agreement_party_and_signatory_passes_clean(generated):
    for agreement in generated:
        agreement.full_clean(validate_unique=False, validate_constraints=False)
        assert agreement.party_errors((p.country_id, p.institution_id) for p in agreement.parties.all()) == []
        for party in agreement.parties.all():
            party.full_clean(validate_unique=False, validate_constraints=False)
        for signatory in agreement.signatories.all():
            signatory.full_clean(validate_unique=False, validate_constraints=False)


@pytest.mark.postgres
def test_deferred_rules_hold_at_commit(generated):
    """Bilateral agreements have two countries; signatories' countries are parties."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # raises if any deferred check fails
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def test_bilateral_agreements_have_two_distinct_countries(generated):
    bilateral = [a for a in generated if a.scope == Agreement.Scope.BILATERAL]

    assert 0.5 < len(bilateral) / COUNT < 0.7
    for agreement in bilateral:
        countries = [p.country_id for p in agreement.parties.all()]
        assert len(countries) == len(set(countries)) == 2, agreement.slug


def test_signatories_are_from_party_countries(generated):
    for agreement in generated:
        countries = {p.country_id for p in agreement.parties.all()}
        assert {s.country_id for s in agreement.signatories.all()} <= countries, agreement.slug


def test_shape_of_the_data(generated):
    drafts = [a for a in generated if not a.is_published]
    sizes = [len(a.parties.all()) for a in generated if a.scope != Agreement.Scope.BILATERAL]
    precisions = Counter(a.signed_precision for a in generated if a.signed_on)
    years = [a.signed_on.year for a in generated if a.signed_on]

    assert 0.02 <= len(drafts) / COUNT <= 0.09
    assert all(a.published_at for a in generated if a.is_published)
    assert all(a.published_at is None for a in drafts)
    assert min(sizes) >= 2 and max(sizes) <= 60 and max(sizes) > 8
    assert precisions["year"] > 0.2 * sum(precisions.values())  # many known only to the year
    assert min(years) >= 1950 and max(years) <= 2026
    dates = [d for a in generated for d in (a.announced_on, a.signed_on, a.in_force_on, a.ended_on) if d]
    assert max(dates) <= synthetic.END
    assert len({p.country_id for a in generated for p in a.parties.all()}) > 150  # every region of the world
    assert Party.objects.filter(joined_on__isnull=False, agreement__in=generated).exists()  # accessions
    assert {"accession_to", "amends"} <= set(AgreementRelation.objects.values_list("kind", flat=True))
    assert Signatory.objects.filter(agreement__in=generated).count() > COUNT / 2
    corridor_links = Agreement._meta.get_field("corridors").through.objects.filter(agreement__in=generated)
    assert 0 < corridor_links.count() < COUNT / 5


def test_a_few_countries_are_far_more_active():
    synthetic.generate(COUNT, SEED)
    per_country = Counter(Party.objects.values_list("country__iso3", flat=True))
    ranked = [count for _, count in per_country.most_common()]

    assert per_country["KEN"] >= ranked[4]  # the first region's hub is among the five most active
    assert ranked[0] > 10 * ranked[len(ranked) // 2]


def test_titles_read_like_real_ones(generated):
    titles = [a.title for a in generated]

    assert any("–" in t and "Memorandum of Understanding on" in t for t in titles)
    assert any(t.startswith("Agreement establishing the ") and t.endswith(" Free Trade Area") for t in titles)
    assert all(a.summary.endswith(".") and len(a.summary) < 400 for a in generated)


def test_search_text_is_what_reindex_would_write(generated):
    assert reindex(a.pk for a in generated) == 0


def test_search_finds_a_synthetic_agreement(generated):
    published = [a for a in generated if a.is_published]
    agreement = published[len(published) // 2]

    found = Agreement.objects.published().search(agreement.title)

    assert agreement in found


def test_reference_data_is_created_once(generated):
    organisations, topics = Organisation.objects.count(), Topic.objects.count()
    synthetic.load_reference(SEED)

    assert (Organisation.objects.count(), Topic.objects.count()) == (organisations, topics)
    assert Topic.objects.filter(slug="ports-and-logistics").exists()


def test_clear_removes_synthetic_agreements_only(generated):
    kept = AgreementFactory(slug="a-real-one")
    removed = synthetic.clear()

    assert removed == COUNT
    assert list(Agreement.objects.all()) == [kept]
    assert not Party.objects.exists()
    assert not AgreementRelation.objects.exists()
    assert not Source.objects.filter(url__contains="/synthetic/s7/").exists()


def test_command_refuses_a_seed_already_generated_unless_cleared(capsys):
    call_command("generate_synthetic", agreements=20, seed=3)
    with pytest.raises(CommandError, match="already exist"):
        call_command("generate_synthetic", agreements=20, seed=3)
    call_command("generate_synthetic", agreements=20, seed=3, clear=True)

    out = capsys.readouterr().out
    assert "Removed 20 synthetic agreements" in out
    assert out.count("Generated 20 agreements") == 2
    assert synthetic.synthetic_agreements().count() == 20
