"""Accession instruments on the country and pair pages: the agreement list's default rule
(``in_default_lists``), except that an acceding country's own pages show the instrument by
which it joined (agreements.default_lists.shown_for); the agreement list with ``?party=`` the same."""

import datetime as dt

import pytest

from agreements.models import Agreement, AgreementRelation, DatePrecision
from agreements.tests.factories import AgreementFactory, AgreementRelationFactory, PartyFactory, country
from agreements.tests.list_helpers import shown
from agreements.views.countries import agreement_markers, countries_with_counts, timeline
from agreements.views.entries import AgreementEntry

pytestmark = pytest.mark.django_db
JOINED = {"joined_on": dt.date(2007, 1, 1), "joined_precision": DatePrecision.YEAR}


@pytest.fixture
def community():
    """A community of KEN, TZA and UGA (1999) that RWA joined in 2007 by an accession
    instrument, and a third country's (BDI's, 2009) accession, each listing every party."""
    base = AgreementFactory(title="Community", kind="treaty", published=True, signed_on=dt.date(1999, 1, 1))
    for code in ("KEN", "TZA", "UGA"):
        PartyFactory(agreement=base, country=country(code))
    PartyFactory(agreement=base, country=country("RWA"), **JOINED)
    PartyFactory(agreement=base, country=country("BDI"), joined_on=dt.date(2009, 1, 1), joined_precision="year")
    instruments = {}
    for code, year in (("RWA", 2007), ("BDI", 2009)):
        accession = AgreementFactory(
            title=f"Community accession of {code}", kind=Agreement.Kind.ACCESSION, published=True,
            signed_on=dt.date(year, 1, 1),
        )  # fmt: skip
        for member in ("KEN", "TZA", "UGA", "RWA", "BDI")[: 4 if code == "RWA" else 5]:
            PartyFactory(agreement=accession, country=country(member))
        AgreementRelationFactory(from_agreement=accession, kind=AgreementRelation.Kind.ACCESSION_TO, to_agreement=base)
        instruments[code] = accession
    return base, instruments


def test_a_country_page_lists_no_third_countrys_accession(client, community):
    page = client.get("/countries/KEN/").content.decode()

    assert "Community" in page
    assert "Community accession of" not in page


def test_the_acceding_countrys_page_shows_its_own_accession_only(client, community):
    page = client.get("/countries/RWA/").content.decode()

    assert "Community accession of RWA" in page
    assert "Community accession of BDI" not in page


def test_pair_timeline_and_chart_markers_leave_out_third_countries_accessions(community):
    base, instruments = community
    kenya_tanzania = list(timeline(country("KEN"), country("TZA")))
    assert kenya_tanzania == [base]

    rwanda_tanzania = list(timeline(country("RWA"), country("TZA")))
    assert rwanda_tanzania == [base, instruments["RWA"]]
    markers = agreement_markers(AgreementEntry.of(a) for a in rwanda_tanzania)
    assert [marker.label.split(" (")[0] for marker in markers] == ["Community", "Community accession of RWA"]


def test_the_agreement_list_follows_the_same_rule(client, community):
    """/agreements/?party= is the pages' list (their links and JSON point at it): the same rows."""
    assert set(shown(client, "party=RWA")) == {"Community", "Community accession of RWA"}
    assert set(shown(client, "party=KEN")) == {"Community"}
    assert set(shown(client, "party=RWA&party=KEN&match=any")) == {"Community", "Community accession of RWA"}
    assert set(shown(client, "party=KEN&accessions=true")) == {
        "Community",
        "Community accession of RWA",
        "Community accession of BDI",
    }


def test_the_country_list_counts_what_each_countrys_list_shows(client, community):
    counts = {row.iso3: row.agreement_count for row in countries_with_counts() if row.agreement_count}
    assert counts == {"KEN": 1, "TZA": 1, "UGA": 1, "RWA": 2, "BDI": 2}
    for code, count in counts.items():
        assert len(shown(client, f"party={code}")) == count, code
