"""The agreements app's database rules that span rows: they exist on PostgreSQL only, are
checked at commit, and are marked ``postgres``.
"""

import pytest

from agreements.models import Agreement, Party, Signatory
from agreements.tests.constraint_helpers import (
    BILATERAL_RULE,
    SIGNATORY_RULE,
    breaks_at_commit,
    check_deferred_constraints,
    update,
)
from agreements.tests.factories import (
    AgreementFactory,
    OrganisationFactory,
    PartyFactory,
    SignatoryFactory,
    bilateral,
    country,
)

pytestmark = pytest.mark.django_db


# PostgreSQL only: a bilateral agreement has two parties, two countries ------------


@pytest.mark.postgres
def test_bilateral_with_two_countries_commits():
    bilateral("RWA", "KEN")

    check_deferred_constraints()


@pytest.mark.postgres
def test_bilateral_with_one_party():
    with breaks_at_commit(BILATERAL_RULE):
        agreement = AgreementFactory(scope=Agreement.Scope.BILATERAL)
        PartyFactory(agreement=agreement, country=country("KEN"))


@pytest.mark.postgres
def test_bilateral_with_no_party():
    with breaks_at_commit(BILATERAL_RULE):
        AgreementFactory(scope=Agreement.Scope.BILATERAL)


@pytest.mark.postgres
def test_bilateral_with_three_parties():
    agreement = bilateral("RWA", "KEN")
    check_deferred_constraints()

    with breaks_at_commit(BILATERAL_RULE):
        PartyFactory(agreement=agreement, country=country("UGA"))


@pytest.mark.postgres
def test_bilateral_with_an_institution_only_party():
    with breaks_at_commit(BILATERAL_RULE):
        agreement = AgreementFactory(scope=Agreement.Scope.BILATERAL)
        PartyFactory(agreement=agreement, country=country("KEN"))
        PartyFactory(agreement=agreement, country=None, institution=OrganisationFactory(intergovernmental=True))


@pytest.mark.postgres
def test_plurilateral_with_three_parties_changed_to_bilateral():
    agreement = AgreementFactory(scope=Agreement.Scope.PLURILATERAL)
    for iso3 in ["KEN", "UGA", "RWA"]:
        PartyFactory(agreement=agreement, country=country(iso3))
    check_deferred_constraints()

    with breaks_at_commit(BILATERAL_RULE):
        update(agreement, scope=Agreement.Scope.BILATERAL)


@pytest.mark.postgres
def test_deleting_one_of_two_parties_of_a_bilateral():
    agreement = bilateral("RWA", "KEN")
    check_deferred_constraints()

    with breaks_at_commit(BILATERAL_RULE):
        agreement.parties.get(country__iso3="KEN").delete()


@pytest.mark.postgres
def test_moving_a_party_to_another_agreement_rechecks_the_bilateral_it_left():
    agreement = bilateral("RWA", "KEN")
    check_deferred_constraints()

    with breaks_at_commit(BILATERAL_RULE):
        agreement.parties.filter(country__iso3="KEN").update(agreement=AgreementFactory())


# PostgreSQL only: a signatory's country is a party ---------------------------------


@pytest.mark.postgres
def test_signatory_of_a_party_country_commits():
    agreement = bilateral("RWA", "KEN")
    SignatoryFactory(agreement=agreement, country=country("KEN"))
    SignatoryFactory(agreement=agreement, country=None)

    check_deferred_constraints()


@pytest.mark.postgres
def test_signatory_whose_country_is_not_a_party():
    agreement = bilateral("RWA", "KEN")
    check_deferred_constraints()

    with breaks_at_commit(SIGNATORY_RULE):
        Signatory.objects.create(agreement=agreement, name="A. Visitor", country=country("TZA"))


@pytest.mark.postgres
def test_deleting_a_party_whose_country_has_a_signatory():
    # Plurilateral, so that only the signatory rule can object.
    agreement = AgreementFactory(scope=Agreement.Scope.PLURILATERAL)
    for iso3 in ["KEN", "UGA", "RWA"]:
        PartyFactory(agreement=agreement, country=country(iso3))
    SignatoryFactory(agreement=agreement, country=country("KEN"))
    check_deferred_constraints()

    with breaks_at_commit(SIGNATORY_RULE):
        agreement.parties.get(country__iso3="KEN").delete()


@pytest.mark.postgres
def test_deleting_an_agreement_with_parties_and_signatories_commits():
    agreement = bilateral("RWA", "KEN")
    SignatoryFactory(agreement=agreement, country=country("RWA"))
    SignatoryFactory(agreement=agreement, country=country("KEN"))
    check_deferred_constraints()

    agreement.delete()
    check_deferred_constraints()

    assert not Party.objects.filter(agreement_id=agreement.pk).exists()
    assert not Signatory.objects.filter(agreement_id=agreement.pk).exists()
