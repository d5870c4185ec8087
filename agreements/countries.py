"""The list of countries, from pycountry: never typed by hand."""

import datetime as dt

import pycountry
from django.db import models

# Not in ISO 3166 but in trade data: XK/XKX is the customary user-assigned
# code, and DESTA numbers Kosovo 900.
KOSOVO = {"iso3": "XKX", "iso2": "XK", "numeric": "900", "name": "Kosovo", "official_name": "Republic of Kosovo"}


# pycountry's names are index forms ("Congo, The Democratic Republic of the");
# analysts read the everyday name. Only the current countries that need it.
EVERYDAY_NAMES = {
    "COD": "DR Congo",
    "FSM": "Micronesia",
    "PSE": "Palestine",
    "VGB": "British Virgin Islands",
    "VIR": "US Virgin Islands",
}


def _withdrawal_date(value: str) -> dt.date:
    """ISO 3166-3 gives a day ("1997-07-14") or only a year ("1977")."""
    return dt.date.fromisoformat(value) if len(value) == 10 else dt.date(int(value[:4]), 1, 1)


def country_rows() -> list[dict]:
    """Every current ISO 3166-1 country, Kosovo, then the historic ones whose
    alpha-3 code was not reused (ATF now means the French Southern Territories)."""
    rows = [
        {
            "iso3": c.alpha_3,
            "iso2": c.alpha_2,
            "numeric": c.numeric,
            "name": EVERYDAY_NAMES.get(c.alpha_3) or getattr(c, "common_name", c.name),
            "official_name": getattr(c, "official_name", ""),
            "is_historic": False,
            "withdrawn_on": None,
        }
        for c in pycountry.countries
    ]
    rows.append({**KOSOVO, "is_historic": False, "withdrawn_on": None})
    taken = {row["iso3"] for row in rows}
    rows += [
        {
            "iso3": c.alpha_3,
            "iso2": getattr(c, "alpha_2", ""),
            "numeric": getattr(c, "numeric", ""),
            "name": c.name,
            "official_name": "",
            "is_historic": True,
            "withdrawn_on": _withdrawal_date(c.withdrawal_date),
        }
        for c in pycountry.historic_countries
        if c.alpha_3 not in taken
    ]
    return rows


def sync_countries(country_model: type[models.Model] | None = None) -> int:
    """Insert or update every country on its alpha-3 code; running it again
    changes nothing. Takes the historical model when called from a migration."""
    if country_model is None:
        from agreements.models import Country

        country_model = Country
    rows = country_rows()
    fields = [f for f in rows[0] if f != "iso3"]
    country_model._default_manager.bulk_create(
        [country_model(**row) for row in rows], update_conflicts=True, unique_fields=["iso3"], update_fields=fields
    )
    return len(rows)
