"""What a DESTA entry is: its kind and scope from its name and membership type,
and the successions its names say ("Lome I" is followed by "Lome II")."""

import re

from agreements.imports.desta.reading import ACCESSION, Entry
from agreements.models import Agreement

# "Lome II": a base treaty numbered in a series, followed by the next number.
SERIES = re.compile(r"^(?P<stem>.*\S)\s+(?P<numeral>I|II|III|IV|V|VI|VII|VIII|IX|X)\s*$")
NUMERALS = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
# Successions DESTA lists both ends of without its names linking them, named here on purpose (as the
# country names are, agreements/imports/country_names.py): DESTA number -> (successor, year it ended).
# The Cotonou Agreement (DESTA 253, signed 2000) replaced the fourth Lomé Convention (587), which
# expired at the end of February 2000; the WTO's list has no record of Lomé IV.
NAMED_SUCCESSIONS = {"587": ("253", 2000)}

EPA_NAME = re.compile(r"\bEPA\b|\bEconomic Partnership\b", re.I)
FRAMEWORK_NAME = re.compile(r"\bFramework\b", re.I)
FREE_TRADE_NAME = re.compile(r"\bFree Trade (?:Area|Agreement|Zone|Association)\b|\bFTA\b", re.I)
PREFERENTIAL_NAME = re.compile(r"\bPreferential\b|\bPartial Scope\b|\bPr[eé]f[eé]rences?\b", re.I)
CUSTOMS_UNION_NAME = re.compile(r"\bCustoms (?:and Economic )?Union\b", re.I)
INSTITUTION_NAME = re.compile(r"\b(?:Treaty|Community|Common Market|Union)\b", re.I)
NAME_TRAILER = re.compile(r"\s+(?:\(consolidated\)|revised)\s*$", re.I)


def infer_kind(name: str, entry_type: str, typememb: int) -> str:
    """The agreement's kind, from DESTA's name and membership type.

    "Customs Union" or "Community" in a name mean the agreement establishes
    one only when it is among its own members (membership 1 or 2) and names
    that one body alone: "Southern Africa Customs Union (SACU)" is a customs
    union, "EFTA Southern African Customs Union (SACU)" (region-region) and
    "Caribbean Community (CARICOM) Colombia" are free trade agreements, and so
    is the Tripartite, which names COMESA, the EAC and SADC.
    """
    if entry_type == ACCESSION:
        return Agreement.Kind.ACCESSION
    if EPA_NAME.search(name):
        return Agreement.Kind.EPA
    if FRAMEWORK_NAME.search(name):
        return Agreement.Kind.FRAMEWORK
    core = name.strip()
    while NAME_TRAILER.search(core):
        core = NAME_TRAILER.sub("", core)
    one_body = typememb in (1, 2) and not core.partition(")")[2].strip()
    if one_body and CUSTOMS_UNION_NAME.search(core):
        return Agreement.Kind.CUSTOMS_UNION
    if one_body and INSTITUTION_NAME.search(core):
        return Agreement.Kind.TREATY
    if FREE_TRADE_NAME.search(core):
        return Agreement.Kind.FTA
    if PREFERENTIAL_NAME.search(core):
        return Agreement.Kind.PSA
    # DESTA says nothing of the kind: never guessed (the WTO's type, if merged, says it).
    return Agreement.Kind.UNKNOWN


def infer_scope(typememb: int, countries: int, region: str = "") -> str:
    """Bilateral only with exactly two countries (PostgreSQL checks it at commit);
    a plurilateral one within one continent (DESTA's ``regioncon``) is regional."""
    if typememb == 1 and countries == 2:
        return Agreement.Scope.BILATERAL
    if typememb in (4, 6):
        return Agreement.Scope.BLOC
    if typememb == 2 and region and region != "Intercontinental":
        return Agreement.Scope.REGIONAL
    return Agreement.Scope.PLURILATERAL


def successions(bases: dict[str, Entry]) -> None:
    """Mark each base treaty that a later one superseded, and the year it ended.

    In a numbered series ("Lome I" ... "Lome IV", "Yaounde I" and "II") each
    treaty ended when the next entered into force (DESTA's year); a next one
    not in force, or in force before its predecessor, ends nothing. Then the
    few successions ``NAMED_SUCCESSIONS`` names. Each says so in its note,
    which the agreement's summary carries.
    """
    series: dict[str, dict[int, Entry]] = {}
    for entry in bases.values():
        if match := SERIES.match(entry.name):
            series.setdefault(match["stem"].casefold(), {})[NUMERALS.index(match["numeral"])] = entry
    for numbered in series.values():
        for n, entry in numbered.items():
            after = numbered.get(n + 1)
            if after is None or after.in_force_year is None:
                continue
            if after.in_force_year >= max(entry.year, entry.in_force_year or entry.year):
                entry.successor, entry.ended_year = after.number, after.in_force_year
                entry.succession_note = (
                    f"Superseded by {after.name} (DESTA {after.number}), the next of its series in DESTA's list: "
                    f"ended when it entered into force, in {after.in_force_year} (DESTA's year)."
                )
    for number, (successor, year) in NAMED_SUCCESSIONS.items():
        ended, following = bases.get(number), bases.get(successor)
        if ended is None or following is None or year < max(ended.year, ended.in_force_year or ended.year):
            continue
        ended.successor, ended.ended_year = successor, year
        ended.succession_note = (
            f"Superseded by {following.name} (DESTA {following.number}) in {year}: DESTA lists both but does not link "
            "them; the succession is named by this import (agreements/imports/desta/kinds.py)."
        )
