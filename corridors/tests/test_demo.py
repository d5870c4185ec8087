"""The demo data: ``manage.py load_demo`` builds it from the seed documents,
and running it again changes nothing."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, models

from agreements.demo import (
    CORRIDOR_AGENCIES_MOC,
    KPA_LIAISON_OFFICE_MOU,
    RWANDA_TANZANIA_TALKS,
    SEED_000,
    SEED_001,
    SEED_002,
)
from agreements.models import (
    Agreement,
    AgreementSource,
    Bloc,
    BlocMembership,
    DatePrecision,
    Memorandum,
    Organisation,
    Party,
    Signatory,
    Source,
    Topic,
)
from corridors.models import Corridor, CorridorAgreement, CorridorMember, Indicator, IndicatorObservation, Node

pytestmark = pytest.mark.django_db

DEMO_MODELS: list[type[models.Model]] = [
    Topic,
    Organisation,
    Source,
    Bloc,
    BlocMembership,
    Agreement,
    Agreement.topics.through,
    Party,
    Signatory,
    AgreementSource,
    Corridor,
    Corridor.sources.through,
    CorridorMember,
    Node,
    CorridorAgreement,
    Indicator,
    IndicatorObservation,
]


def snapshot() -> dict[str, list[tuple]]:
    """Every column of every demo row, and how many history rows each model has."""
    rows = {model._meta.label: list(model.objects.order_by("pk").values_list()) for model in DEMO_MODELS}
    for model in DEMO_MODELS:
        if hasattr(model, "history"):
            rows[f"{model._meta.label} history"] = [(model.history.count(),)]
    return rows


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", "--synthetic", stdout=out)  # the default run leaves them out
    return out.getvalue()


def test_second_run_changes_nothing():
    load_demo()
    before = snapshot()
    out = load_demo()

    assert snapshot() == before
    assert "3 agreements" in out
    assert all(rows for label, rows in before.items()), "every demo model has rows"


def test_run_restores_edited_demo_records():
    load_demo()
    mou = Agreement.objects.get(slug=KPA_LIAISON_OFFICE_MOU)
    Agreement.objects.filter(pk=mou.pk).update(place="Nairobi")
    mou.signatories.filter(name="Mohamed Daghar").delete()
    Signatory.objects.create(agreement=mou, name="Someone else", country=mou.parties.get(country__iso3="KEN").country)
    mou.topics.remove(Topic.objects.get(slug="trade-facilitation"))
    Node.objects.filter(name="Masaka dry port").update(position=99)

    load_demo()

    mou.refresh_from_db()
    assert mou.place == "Kigali"
    assert list(mou.signatories.values_list("name", flat=True)) == ["Canoth Manishimwe", "Mohamed Daghar"]
    assert set(mou.topics.values_list("slug", flat=True)) == {
        "ports-and-logistics",
        "trade-facilitation",
        "regional-integration",
    }
    assert Node.objects.get(name="Masaka dry port").position == 8


def test_kpa_liaison_office_mou():
    load_demo()
    mou = Agreement.objects.published().get(slug=KPA_LIAISON_OFFICE_MOU)

    assert mou.title == "Memorandum of Understanding establishing a Kenya Ports Authority liaison office in Kigali"
    assert (mou.kind, mou.scope, mou.status, mou.is_binding) == ("mou", "bilateral", "signed", False)
    assert Memorandum.objects.filter(pk=mou.pk).exists()
    assert (mou.signed_on, mou.signed_precision) == (dt.date(2026, 1, 22), DatePrecision.DAY)
    assert mou.date_display("signed_on") == "22 January 2026"
    assert mou.place == "Kigali"
    assert mou.announced_on is None and mou.in_force_on is None and mou.last_verified_on is None

    parties = [(p.country.iso3, p.institution.acronym, p.institution.kind) for p in mou.parties.order_by("id")]
    assert parties == [("RWA", "MININFRA", "ministry"), ("KEN", "KPA", "port_authority")]

    signatories = [
        (s.name, s.honorific, s.position, s.role, s.country.iso3, s.organisation.name)
        for s in mou.signatories.select_related("country", "organisation")
    ]
    assert signatories == [
        ("Canoth Manishimwe", "", "Permanent Secretary", "presided", "RWA", "Ministry of Infrastructure"),
        ("Mohamed Daghar", "CBS", "Principal Secretary", "presided", "KEN", "State Department for Transport"),
    ]
    department = Organisation.objects.get(name="State Department for Transport")
    assert (department.kind, department.country.iso3, department.parent.name) == (
        "state_department",
        "KEN",
        "Ministry of Roads and Transport",
    )

    assert set(mou.topics.values_list("slug", flat=True)) == {
        "ports-and-logistics",
        "trade-facilitation",
        "regional-integration",
    }
    sources = {s.citation: s for s in mou.sources.all()}
    assert sources.keys() == {SEED_001, SEED_002}
    release, report = sources[SEED_002], sources[SEED_001]
    assert (release.kind, release.publisher, release.url) == (
        "official_release",
        "Ministry of Infrastructure, Rwanda",
        "",
    )
    assert release.title.startswith("Rwanda and Kenya Deepen Regional Trade Cooperation")
    assert (report.kind, report.published_on, report.url) == ("news_report", dt.date(2026, 1, 24), "")

    assert set(mou.corridors.values_list("slug", flat=True)) == {"northern-corridor"}


def test_rwanda_tanzania_talks():
    load_demo()
    talks = Agreement.objects.published().get(slug=RWANDA_TANZANIA_TALKS)

    assert (talks.kind, talks.scope, talks.status, talks.is_binding) == ("communique", "bilateral", "announced", False)
    assert talks.date_display("announced_on") == "2026"
    assert talks.signed_on is None and talks.place == "Dar es Salaam"
    assert sorted(talks.parties.values_list("country__iso3", flat=True)) == ["RWA", "TZA"]
    assert list(talks.signatories.values_list("name", "position", "role", "country__iso3")) == [
        ("Paul Kagame", "President of Rwanda", "presided", "RWA"),
        ("Samia Suluhu Hassan", "President of Tanzania", "presided", "TZA"),
    ]
    assert "non-tariff barriers" in talks.summary and "East African Community" in talks.summary
    assert set(talks.corridors.values_list("slug", flat=True)) == {"central-corridor"}


def test_corridor_agencies_moc_has_institutions_as_parties():
    load_demo()
    moc = Agreement.objects.published().get(slug=CORRIDOR_AGENCIES_MOC)

    assert (moc.kind, moc.scope) == ("moc", "institutional")
    # "Recently signed" on 24 January 2026, no date given: no date is invented.
    assert moc.status == "signed" and moc.announced_on is None and moc.signed_on is None
    assert list(moc.parties.values_list("country", "institution__acronym")) == [(None, "NCTTCA"), (None, "CCTTFA")]
    assert set(moc.corridors.values_list("slug", flat=True)) == {"northern-corridor", "central-corridor"}


def test_corridors_have_members_and_nodes_in_route_order():
    load_demo()
    northern = Corridor.objects.get(slug="northern-corridor")
    central = Corridor.objects.get(slug="central-corridor")

    assert (northern.gateway_port, northern.coordinating_authority.acronym) == ("Mombasa", "NCTTCA")
    assert list(northern.memberships.values_list("position", "country__iso3", "role")) == [
        (1, "KEN", "gateway"),
        (2, "UGA", "transit"),
        (3, "RWA", "destination"),
        (4, "BDI", "destination"),
        (5, "COD", "destination"),
        (6, "SSD", "destination"),
    ]
    assert list(northern.nodes.values_list("name", "kind", "country__iso3")) == [
        ("Port of Mombasa", "seaport", "KEN"),
        ("Kipevu Oil Terminal", "oil_terminal", "KEN"),
        ("Standard Gauge Railway (SGR)", "rail_line", "KEN"),
        ("Nairobi Inland Container Depot", "icd", "KEN"),
        ("Malaba one-stop border post", "border_post", "KEN"),
        ("Gatuna one-stop border post", "border_post", "RWA"),
        ("Kigali Logistics Platform", "logistics_platform", "RWA"),
        ("Masaka dry port", "dry_port", "RWA"),
    ]
    assert list(northern.nodes.values_list("position", flat=True)) == [1, 2, 3, 4, 5, 6, 7, 8]

    assert (central.gateway_port, central.coordinating_authority.acronym) == ("Dar es Salaam", "CCTTFA")
    assert list(central.memberships.values_list("country__iso3", flat=True)) == ["TZA", "RWA", "BDI", "UGA", "COD"]
    assert list(central.nodes.values_list("name", "kind", "country__iso3")) == [
        ("Port of Dar es Salaam", "seaport", "TZA"),
        ("Rusumo one-stop border post", "border_post", "RWA"),
    ]

    for node in Node.objects.all():
        assert node.corridor.memberships.filter(country=node.country_id).exists(), node.name


def test_eac_memberships():
    load_demo()
    eac = Bloc.objects.get(code="EAC")
    joined = {
        m.country.iso3: (m.joined_on.isoformat(), m.joined_precision) for m in eac.memberships.select_related("country")
    }
    assert joined == {
        "KEN": ("2000-07-07", "day"),
        "TZA": ("2000-07-07", "day"),
        "UGA": ("2000-07-07", "day"),
        "BDI": ("2007-07-01", "day"),
        "RWA": ("2007-07-01", "day"),
        "SSD": ("2016-01-01", "year"),
        "COD": ("2022-01-01", "year"),
        "SOM": ("2024-01-01", "year"),
    }
    assert not Bloc.objects.get(code="AfCFTA").memberships.exists()


def test_sources_invent_no_urls_or_dates():
    load_demo()
    assert list(Source.objects.order_by().values_list("url", flat=True).distinct()) == [""]
    assert list(Source.objects.exclude(published_on=None).values_list("citation", flat=True)) == [SEED_001]
    # Agreements cite the seed documents only; the trade demo adds its own, clearly labelled, sources.
    assert all(s.citation.startswith("Seed document ") for s in Source.objects.filter(citations__isnull=False))


@pytest.mark.postgres
def test_demo_satisfies_the_rules_postgresql_checks_at_commit():
    """Bilateral agreements have two countries, signatories' countries are parties,
    node countries are corridor members: deferred to commit, checked here now."""
    load_demo()
    load_demo()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_the_seeds_figures_with_their_sources_and_hedges():
    load_demo()
    seeds = {
        (o.corridor.slug, o.indicator.slug, o.destination.iso3, str(o.period)): o
        for o in IndicatorObservation.objects.filter(is_synthetic=False).select_related(
            "corridor", "indicator", "destination", "source"
        )
    }
    assert set(seeds) == {
        ("northern-corridor", "cargo-throughput", "RWA", "2024"),
        ("northern-corridor", "cargo-throughput", "RWA", "2025"),
        ("central-corridor", "trade-share", "RWA", "2026"),
    }
    cargo_2024 = seeds[("northern-corridor", "cargo-throughput", "RWA", "2024")]
    cargo_2025 = seeds[("northern-corridor", "cargo-throughput", "RWA", "2025")]
    share = seeds[("central-corridor", "trade-share", "RWA", "2026")]
    assert (cargo_2024.value, cargo_2024.qualifier, cargo_2024.indicator.unit) == (600000, "about", "t")
    assert (cargo_2025.value, cargo_2025.qualifier) == (800000, "more_than")
    assert cargo_2024.source.citation == cargo_2025.source.citation == SEED_002
    assert (share.value, share.qualifier, share.indicator.unit, share.source.citation) == (70, "about", "%", SEED_000)
    assert "without a period" in share.note


def test_synthetic_figures_are_flagged_and_cite_no_seed():
    load_demo()
    synthetic = IndicatorObservation.objects.filter(is_synthetic=True).select_related("source")
    assert synthetic.count() == 26
    assert {o.source.title for o in synthetic} == {"Synthetic corridor figures (not observed)"}
    assert not synthetic.filter(source__citation__startswith="Seed document").exists()
    # Never the seeds' own periods on the Northern Corridor.
    assert not synthetic.filter(corridor__slug="northern-corridor", period_kind="year", period_start__year__gte=2024)
