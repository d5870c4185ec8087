"""The corridor authorities' and port authorities' reported figures
(corridors/data/corridor_indicators_reported.csv, compiled from public reports)
turned into the app's layout, each messy part decided on purpose, then imported
through the one corridor importer (corridors.imports):

- **Corridors**: "Northern" and "Central" are the Northern and Central Corridor.
- **Units**: converted only by an exact factor, to the indicator's unit, the value
  as reported kept beside it (``reported_value``, ``reported_unit``): million
  tonnes x 1,000,000 = t; days x 24 = hours (container dwell time, whose
  indicator is in hours). Anything else stays in its own unit: each has an
  indicator of its own (TEU, percent, days for vessel turnaround, USD per km per
  container).
- **Periods**: "FY2023/24" is a fiscal year (July to June), a period kind of its
  own, never folded into a calendar year (corridors.periods).
- **ALL**, and a figure of the port as a whole (the port's own country: KEN for
  Mombasa, TZA for Dar es Salaam): the corridor as a whole (no destination).
- **Routes**: each transit-time route (Mombasa to Kampala, to Elegu ...) and each
  Charter target is an indicator of its own (several routes end in one country).
- **Sources**: the publisher named ("KPA", "NCTTCA", "Tanzania Ports Authority")
  is the source's publisher, the outlet it was reported through is in the title,
  with the page's URL where it was found; a rounding the source admits
  ("rounded '3.5 million'") makes the figure "about" and goes into its note.
- **Zambia** (transit cargo through Dar es Salaam) is not a member of the Central
  Corridor, whose figures these are: its rows are left out, and counted.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from corridors.models import Indicator

CORRIDORS = {"Northern": "northern-corridor", "Central": "central-corridor"}
NOT_MEMBERS = {("central-corridor", "ZMB"): "rows for Zambia (not a member of the Central Corridor)"}
# (reported unit, indicator unit): the exact factor.
FACTORS = {("million tonnes", "t"): Decimal(1_000_000), ("days", "hours"): Decimal(24)}
# The same unit written two ways: no conversion.
SAME_UNITS = {"percent": "%", "tonnes": "t"}
# The pages where a publisher's figures were found (looked up for this import).
URLS = {
    "KPA data via The Standard": "https://standardmedia.co.ke/shipping-logistics/article/2001489224/"
    "ugandan-cargo-volumes-through-mombasa-port-drop-by-28-per-cent",
    "Tanzania Ports Authority via The EastAfrican/Zawya": "https://www.zawya.com/en/economy/africa/"
    "how-drc-crowded-zambia-out-of-dar-port-m49ntl8x",
    "Tanzania Ports Authority via Zawya": "https://www.zawya.com/en/economy/africa/"
    "how-drc-crowded-zambia-out-of-dar-port-m49ntl8x",
}
PUBLISHERS = {
    "KPA": "Kenya Ports Authority",
    "NCTTCA": "Northern Corridor Transit and Transport Coordination Authority",
    "Mombasa Port and Northern Corridor Community Charter": "Northern Corridor Transit and Transport Coordination "
    "Authority",
    "TPA": "Tanzania Ports Authority",
    "Tanzania Ports Authority": "Tanzania Ports Authority",
    "Central Corridor Transport Observatory": "Central Corridor Transit Transport Facilitation Agency",
}

CARGO = "cargo-throughput"  # the demo's indicator: cargo through the gateway bound for a destination (t)


def _indicator(slug: str, name: str, unit: str, better: str, description: str, additive: bool = False) -> dict:
    return {
        "slug": slug,
        "name": name,
        "unit": unit,
        "better": better,
        "additive": additive,
        "description": description,
    }


LOWER, HIGHER = Indicator.Better.LOWER, Indicator.Better.HIGHER
ROUTES = {
    "kampala": "Kampala",
    "elegu": "Elegu",
    "kigali": "Kigali",
    "mpondwe": "Mpondwe",
    "malaba": "Malaba",
    "busia": "Busia",
}
INDICATORS: dict[str, dict] = {
    **{
        f"transit_time_mombasa_{key}": _indicator(
            f"transit-time-mombasa-{key}",
            f"Transit time, Mombasa to {place}",
            "hours",
            LOWER,
            f"Hours from the Port of Mombasa to {place}, as the NCTTCA's dashboard and observatory report them.",
        )
        for key, place in ROUTES.items()
    },
    **{
        f"transit_time_mombasa_{key}_target": _indicator(
            f"transit-time-target-mombasa-{key}",
            f"Charter target: transit time, Mombasa to {ROUTES[key]}",
            "hours",
            LOWER,
            "The target set by the Mombasa Port and Northern Corridor Community Charter.",
        )
        for key in ("malaba", "busia")
    },
    "port_throughput_mombasa": _indicator(
        "port-throughput", "Port throughput", "t", HIGHER, "All cargo the gateway port handled, in metric tonnes."
    ),
    "port_throughput_dar_es_salaam": _indicator(
        "port-throughput", "Port throughput", "t", HIGHER, "All cargo the gateway port handled, in metric tonnes."
    ),
    "port_transit_traffic_mombasa": {"slug": CARGO},
    "port_transit_traffic_dar_es_salaam": {"slug": CARGO},
    "container_traffic_mombasa": _indicator(
        "container-traffic", "Container traffic", "TEU", HIGHER, "Containers the gateway port handled, in TEU."
    ),
    "port_transit_share_mombasa": _indicator(
        "transit-share",
        "Share of the port's transit cargo",
        "%",
        HIGHER,
        "The destination's part of all transit cargo through the gateway port.",
    ),
    "container_dwell_time_mombasa": {"slug": "port-dwell-time"},
    "container_vessel_turnaround_mombasa": _indicator(
        "vessel-turnaround", "Container vessel turnaround", "days", LOWER, "Days a container vessel spends in port."
    ),
    **{
        name: _indicator(
            "road-transport-cost",
            "Road transport cost",
            "USD per km per container",
            LOWER,
            "What moving one container one kilometre by road costs, from the gateway port to the destination.",
        )
        for name in (
            "road_cost_per_km_per_container_dar_bujumbura",
            "road_cost_per_km_per_container_dar_kigali",
            "road_cost_per_km_per_container_dar_kampala",
            "road_cost_per_km_per_container_dar_goma",
            "road_cost_per_km_per_container_mombasa_bujumbura",
            "road_cost_per_km_per_container_mombasa_kigali",
            "road_cost_per_km_per_container_mombasa_kampala",
            "road_cost_per_km_per_container_mombasa_goma",
        )
    },
}
# Indicators whose figures are for the corridor (or its port) as a whole, whatever the country cell says.
WHOLE_CORRIDOR = {"port-throughput", "container-traffic", "vessel-turnaround", "port-dwell-time"}
WHOLE_CORRIDOR |= {d["slug"] for d in INDICATORS.values() if d["slug"].startswith("transit-time")}
UNITS = {d["slug"]: d["unit"] for d in INDICATORS.values() if "unit" in d} | {CARGO: "t", "port-dwell-time": "hours"}

_ROUNDED = re.compile(r"\s*\((rounded [^)]*|[^)]*average)\)\s*$")


@dataclass
class Converted:
    """The file in the app's layout, and what was left out, by reason."""

    text: str
    skipped: dict[str, int]
    converted: int


def source_parts(text: str) -> tuple[str, str, str, str]:
    """(title, publisher, URL, note) of a source cell, e.g. "KPA via Busiweek"."""
    note = ""
    if m := _ROUNDED.search(text):
        note, text = m[1], text[: m.start()]
    head = text.split(" via ")[0].split(" report")[0].strip()
    publisher = next((name for key, name in PUBLISHERS.items() if head.startswith(key)), head)
    url = next((url for key, url in URLS.items() if text.startswith(key)), "")
    return text.strip(), publisher, url, note


def convert(data: str) -> Converted:
    """The reported file as the corridor importer's CSV (with reported_value and reported_unit)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = ["corridor", "indicator", "country", "period", "value", "unit", "source", "qualifier", "note"]
    writer.writerow([*columns, "reported_value", "reported_unit"])
    skipped: dict[str, int] = {}
    converted = 0
    for row in csv.DictReader(io.StringIO(data)):
        corridor = CORRIDORS[row["corridor"].strip()]
        country = row["country"].strip().upper()
        if reason := NOT_MEMBERS.get((corridor, country)):
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        indicator = INDICATORS[row["indicator"].strip()]["slug"]
        if country == "ALL" or indicator in WHOLE_CORRIDOR:
            country = ""
        unit, reported_unit = UNITS[indicator], row["unit"].strip()
        reported_unit = SAME_UNITS.get(reported_unit, reported_unit)
        value = Decimal(row["value"].strip())
        reported: list[str] = ["", ""]
        if reported_unit.lower() != unit.lower():
            factor = FACTORS[(reported_unit, unit)]  # KeyError: a unit with no exact factor, never guessed
            reported = [row["value"].strip(), reported_unit]
            value *= factor
            converted += 1
        title, _, url, note = source_parts(row["source"].strip())
        qualifier = "about" if note.startswith("rounded") else ""
        writer.writerow([corridor, indicator, country, row["period"].strip(), f"{value:f}", unit, url or title,
                         qualifier, note, *reported])  # fmt: skip
    return Converted(out.getvalue(), skipped, converted)


def sources(data: str) -> dict[str, tuple[str, str, str]]:
    """Every source the file names: {URL or title: (title, publisher, URL)}, as the import will name them."""
    found: dict[str, tuple[str, str, str]] = {}
    for row in csv.DictReader(io.StringIO(data)):
        title, publisher, url, _ = source_parts(row["source"].strip())
        found.setdefault(url or title, (title, publisher, url))
    return found
