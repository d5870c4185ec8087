"""The six roles a flow can play for its pair-year (country A being the lower
id), shared by the refresh's two engines (agreements.trade.python, agreements.trade.sql)."""

AB_REPORTED, AB_MIRROR, BA_REPORTED, BA_MIRROR, TOTAL_A, TOTAL_B = range(6)


def role_of(reporter_id: int, partner_id: int, flow: str) -> int:
    if reporter_id < partner_id:  # the reporter is A
        return {"exports": AB_REPORTED, "imports": BA_MIRROR}.get(flow, TOTAL_A)
    return {"exports": BA_REPORTED, "imports": AB_MIRROR}.get(flow, TOTAL_B)
