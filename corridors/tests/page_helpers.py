"""The corridor page tests' query budgets, the Northern Corridor as the seeds describe it,
and a corridor's pages read as HTML."""

from agreements.models import Agreement
from agreements.tests.factories import OrganisationFactory
from corridors.models import Corridor, CorridorMember, Node
from corridors.tests.factories import CorridorAgreementFactory, corridor_through, member, node

LIST_QUERIES = 2  # corridors with counts and authority, their members
# corridor and authority, members, nodes, sources, agreements, their parties, figures, before/after rows
DETAIL_QUERIES = 8


def get(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def northern_corridor() -> Corridor:
    """Kenya (gateway), Uganda (transit), Rwanda (destination), with three nodes entered out of order."""
    authority = OrganisationFactory(
        intergovernmental=True,
        name="Northern Corridor Transit and Transport Coordination Authority",
        acronym="NCTTCA",
        slug="ncttca",
    )
    corridor = corridor_through(
        "KEN",
        "UGA",
        name="Northern Corridor",
        slug="northern-corridor",
        gateway_port="Mombasa",
        coordinating_authority=authority,
        description="From the Port of Mombasa to inland markets.",
    )
    member(corridor, "RWA", role=CorridorMember.Role.DESTINATION)
    node(corridor, "RWA", name="Kigali Logistics Platform", kind=Node.Kind.LOGISTICS_PLATFORM, position=3)
    node(corridor, "KEN", name="Port of Mombasa", kind=Node.Kind.SEAPORT, position=1)
    node(
        corridor,
        "KEN",
        name="Standard Gauge Railway",
        kind=Node.Kind.RAIL_LINE,
        position=2,
        status=Node.Status.UNDER_CONSTRUCTION,
    )
    return corridor


def concerning(corridor: Corridor, agreement: Agreement) -> Agreement:
    CorridorAgreementFactory(corridor=corridor, agreement=agreement)
    return agreement
