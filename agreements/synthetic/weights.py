"""How often each kind, scope and status of synthetic agreement occurs, and what each kind is about."""

from agreements.models import (
    Agreement,
    DatePrecision,
)

K, S, SC = Agreement.Kind, Agreement.Status, Agreement.Scope
YEAR, MONTH, DAY = DatePrecision.YEAR, DatePrecision.MONTH, DatePrecision.DAY


BILATERAL_KINDS = {K.MOU: 30, K.BIT: 13, K.COMMUNIQUE: 12, K.MOC: 9, K.TREATY: 9, K.FTA: 8, K.FRAMEWORK: 8}
BILATERAL_KINDS |= {K.PROTOCOL: 6, K.EPA: 3, K.CUSTOMS_UNION: 2}
PLURILATERAL_KINDS = {K.FTA: 22, K.TREATY: 18, K.PROTOCOL: 14, K.FRAMEWORK: 11, K.COMMUNIQUE: 10, K.MOU: 9}
PLURILATERAL_KINDS |= {K.EPA: 7, K.CUSTOMS_UNION: 5, K.MOC: 4}
SCOPES = {SC.BILATERAL: 60, SC.PLURILATERAL: 32, SC.BLOC: 5, SC.INSTITUTIONAL: 3}
STATUSES: dict[str, int] = {
    S.IN_FORCE: 44,
    S.SIGNED: 13,
    S.EXPIRED: 7,
    S.TERMINATED: 6,
    S.SUPERSEDED: 6,
    S.SUSPENDED: 2,
}
STATUSES |= {S.ANNOUNCED: 5, S.NEGOTIATING: 7}
STATUSES_BY_KIND: dict[str, dict[str, int]] = {
    K.COMMUNIQUE: {S.SIGNED: 60, S.ANNOUNCED: 25, S.IN_FORCE: 15},
    K.MOU: {S.IN_FORCE: 45, S.SIGNED: 25, S.EXPIRED: 12, S.TERMINATED: 4, S.ANNOUNCED: 6, S.NEGOTIATING: 6},
}
NOT_BINDING = {K.MOU, K.MOC, K.COMMUNIQUE}
ENDED = {S.TERMINATED, S.EXPIRED, S.SUPERSEDED}
TOPICS_BY_KIND = {
    K.BIT: ["investment"],
    K.FTA: ["trade-facilitation", "customs", "regional-integration"],
    K.CUSTOMS_UNION: ["customs", "regional-integration"],
    K.EPA: ["trade-facilitation", "investment", "customs"],
}
ROUTE_TOPICS = ["ports-and-logistics", "transport", "trade-facilitation", "infrastructure"]
KIND_SENTENCES: dict[str, str] = {
    K.MOU: "The memorandum sets up a joint technical committee that meets once a year.",
    K.MOC: "The parties will exchange experts and share data through named focal points.",
    K.BIT: "It provides for fair and equitable treatment, free transfer of returns and investor–state arbitration.",
    K.FTA: "It removes tariffs on most goods over a transition period and sets common rules of origin.",
    K.CUSTOMS_UNION: "It sets a common external tariff and a single customs territory.",
    K.EPA: "It opens markets asymmetrically and adds chapters on development cooperation.",
    K.TREATY: "It is ratified by each party and deposited with a designated depositary.",
    K.PROTOCOL: "It adds detailed commitments and a schedule of implementation.",
    K.FRAMEWORK: "It names the areas of cooperation and leaves the details to later instruments.",
    K.COMMUNIQUE: "The leaders directed their ministers to report back within six months.",
    K.ACCESSION: "The acceding state takes on the rights and obligations of the original parties.",
}
