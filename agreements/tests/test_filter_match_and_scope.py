"""How the chosen parties combine (``match``: all, any, exactly), the ``scope``
filter and accessions, against one hand-built set of agreements, through the
list page and its CSV export alike."""

import csv
import io

import pytest

from agreements.models import Agreement, Organisation
from agreements.tests.factories import OrganisationFactory, PartyFactory, bilateral
from agreements.tests.list_helpers import plurilateral, rejected, shown
from tradepacts.csv import without_trailer

pytestmark = pytest.mark.django_db

S = Agreement.Scope


@pytest.fixture
def registry():
    """Rwanda and Kenya alone (twice, one an MoU between their agencies), with Tanzania,
    with an intergovernmental body, a Kenya–Uganda one, a regional EAC one, a
    region-to-region one and an accession."""
    bilateral("RWA", "KEN", title="Rwanda–Kenya MoU", published=True)
    plurilateral("Rwanda–Kenya institutions", "RWA", "KEN", scope=S.INSTITUTIONAL)
    plurilateral("Rwanda, Kenya and Tanzania", "RWA", "KEN", "TZA", scope=S.REGIONAL)
    with_body = plurilateral("Rwanda, Kenya and a secretariat", "RWA", "KEN")
    body = OrganisationFactory(intergovernmental=True, kind=Organisation.Kind.INTERGOVERNMENTAL)
    PartyFactory(agreement=with_body, country=None, institution=body)
    bilateral("KEN", "UGA", title="Kenya–Uganda accord", published=True)
    plurilateral("EU–EAC partnership", "KEN", "RWA", "UGA", "TZA", "BDI", "BEL", "FRA", scope=S.BLOC)
    plurilateral("Kenya, Japan and Chile", "KEN", "JPN", "CHL")
    plurilateral("Accession of Burundi", "BDI", "KEN", in_default_lists=False, kind=Agreement.Kind.ACCESSION)


def titles(client, query: str) -> set[str]:
    return set(shown(client, query))


def test_all_of_these_is_the_default_and_the_same_as_match_all(client, registry):
    every = {
        "Rwanda–Kenya MoU",
        "Rwanda–Kenya institutions",
        "Rwanda, Kenya and Tanzania",
        "Rwanda, Kenya and a secretariat",
        "EU–EAC partnership",
    }
    assert titles(client, "party=RWA&party=KEN") == every
    assert titles(client, "party=RWA&party=KEN&match=all") == every


def test_any_of_these(client, registry):
    assert titles(client, "party=RWA&party=UGA&match=any") == {
        "Rwanda–Kenya MoU",
        "Rwanda–Kenya institutions",
        "Rwanda, Kenya and Tanzania",
        "Rwanda, Kenya and a secretariat",
        "Kenya–Uganda accord",
        "EU–EAC partnership",
    }
    assert titles(client, "party=JPN&match=any") == {"Kenya, Japan and Chile"}


def test_exactly_these_two_is_the_agreements_between_just_those_two(client, registry):
    # Not with Tanzania, not with an intergovernmental body, not the bloc's.
    assert titles(client, "party=RWA&party=KEN&match=exactly") == {"Rwanda–Kenya MoU", "Rwanda–Kenya institutions"}
    assert titles(client, "party=KEN&party=RWA&party=TZA&match=exactly") == {"Rwanda, Kenya and Tanzania"}
    assert titles(client, "party=KEN&match=exactly") == set()


def test_a_mode_without_parties_filters_nothing(client, registry):
    assert shown(client, "match=exactly") == shown(client, "")
    assert len(shown(client, "")) == 7  # the accession is left out by default


def test_an_unknown_mode_is_an_error(client, registry):
    assert "Select a valid choice" in rejected(client, "party=KEN&match=some")


def test_the_line_above_the_results_says_the_mode(client, registry):
    page = client.get("/agreements/?party=RWA&party=KEN&match=exactly").content.decode()
    assert "exactly Rwanda (RWA) and Kenya (KEN), no other party" in page
    page = client.get("/agreements/?party=RWA&party=UGA&match=any").content.decode()
    assert "Rwanda (RWA) or Uganda (UGA)" in page


def test_the_form_shows_the_mode_chosen_and_all_by_default(client, registry):
    page = client.get("/agreements/").content.decode()
    assert 'value="all" id="id_match_0" checked' in page.replace('name="match" ', "")
    page = client.get("/agreements/?match=any").content.decode()
    assert 'value="any" id="id_match_1" checked' in page.replace('name="match" ', "")
    assert "Hold Ctrl" not in page


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ("bilateral", {"Rwanda–Kenya MoU", "Kenya–Uganda accord"}),
        ("plurilateral", {"Rwanda, Kenya and a secretariat", "Kenya, Japan and Chile"}),
        ("regional", {"Rwanda, Kenya and Tanzania"}),
        ("region-to-region", {"EU–EAC partnership"}),
        ("institutional", {"Rwanda–Kenya institutions"}),
    ],
)
def test_each_scope_filters(client, registry, scope, expected):
    assert titles(client, f"scope={scope}") == expected


def test_scopes_are_repeatable_and_combine_with_parties(client, registry):
    assert titles(client, "scope=bilateral&scope=regional&party=RWA") == {
        "Rwanda–Kenya MoU",
        "Rwanda, Kenya and Tanzania",
    }
    assert titles(client, "scope=bilateral&party=RWA&party=KEN&match=exactly") == {"Rwanda–Kenya MoU"}


def test_an_unknown_scope_is_an_error_not_ignored(client, registry):
    assert "Select a valid choice" in rejected(client, "scope=bloc-ish")


def test_accessions_only_on_request(client, registry):
    assert "Accession of Burundi" not in titles(client, "party=BDI")
    assert "Accession of Burundi" in titles(client, "party=BDI&accessions=true")


def test_the_export_follows_the_same_modes_and_scope(client, registry):
    response = client.get("/agreements/export.csv?party=RWA&party=KEN&match=exactly&scope=bilateral")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(without_trailer(text))))  # the completion trailer is no row
    assert [row["title"] for row in rows] == ["Rwanda–Kenya MoU"]
    assert rows[0]["scope"] == "bilateral"
