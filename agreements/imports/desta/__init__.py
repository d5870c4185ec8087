"""DESTA's list of trade agreements (dyadic version) turned into agreements.

DESTA (Design of Trade Agreements; Dür, Baccini and Elsig 2014) lists one row
per pair of countries (dyad) per agreement entry. The entry's number says
what it is: "787" a base treaty, "787+1" an accession to base treaty 787,
"694a" a consolidated version of the base treaty its ``base_treaty`` names.

What the import makes of an entry
- Every entry is one agreement: DESTA's name as its title, signed in ``year``
  and in force from ``entryforceyear`` (both to the year; status "in force"
  when that year is known, else "signed"), binding, published, citing the
  DESTA dataset as its source and carrying its number as its "desta"
  identifier. Its parties are the countries of its dyads.
- The kind is read from the name (``infer_kind``): an agreement among its own
  members named as a customs union is a customs union; one named as a
  community, common market, union or treaty is the treaty establishing it;
  EPAs and frameworks by their names; a "free trade area" or "FTA" a free trade
  agreement, "preferential" a partial scope agreement; anything else "kind not
  known" (never a free trade agreement by default: the WTO's type says it, when
  the WTO record is merged, agreements.imports.wto_rta).
- Accessions and consolidated versions are left out of the default lists
  (``in_default_lists``): an accession shows as its acceding parties' joining
  dates on the base treaty, and as its own record when asked for.
- What each entry says is also recorded as DESTA's claims (agreements.models.datasets),
  with its ``wto_name``, which links it to the WTO's record (agreements.imports.merge).
- The scope from DESTA's membership type: 1 bilateral (if it really has two
  countries), 4 and 6 bloc (region-region, region-country), 2 within one continent
  (its ``regioncon``) regional, others plurilateral.
- An accession is its own agreement, of kind "accession" (the instrument DESTA
  numbers, with the countries of its dyads, the acceding ones and those they
  joined), "accession to" its base treaty. Its acceding countries, those of
  its dyads not yet parties of the base (original parties, or acceded in an
  earlier accession), also become parties of the base treaty, joined in the
  accession's year: the EAC (1999) has Burundi and Rwanda, joined in 2007.
- A consolidated version is its own agreement, which "consolidates" its base.
- A base treaty that is neither in the file nor in the database (DESTA 02_01
  has accessions to 672 and consolidated versions of 23, 27, 356 and 694, but
  no such base treaties) leaves its accessions and versions without that
  relation; each is reported as a warning.

Countries are matched on their ISO numeric code, never their name. DESTA gives
every country its current code (900 for Kosovo, XKX): a code held by a current
country is that country, whatever the year (180 is DR Congo even in 1993, not
Zaire: an analyst finds COMESA on DR Congo's page). A code held only by
historic countries is the one that still existed in the entry's year (891 is
Yugoslavia until 2003, then Serbia and Montenegro).

Re-import: an entry is matched on its DESTA number, and only on it. An entry
whose number the database already holds is left exactly as it is (its
fields, parties, relations, publication), whoever wrote it last: only missing
entries are created. Importing twice changes nothing, a curator's
corrections survive a new version of the file, and an agreement without a
DESTA number is never touched, whatever its title. The one thing this forgoes:
a new accession whose base treaty is already in the database does not add its
acceding countries to it; each is reported as a warning, for a curator.

Validation is whole-file, as for the agreements CSV (agreements.imports.agreements):
every row is read and checked first, and any error, reported with its line
as a spreadsheet numbers it (the header is line 1), means nothing of the file
is written. Then everything is written in one transaction, in bulk, with a
history row each, and the new agreements are reindexed for search.

The package: ``reading`` (the file, checked row by row, into entries),
``kinds`` (kind, scope and successions from what DESTA says), ``planning``
(the agreements to create, as unsaved rows) and ``importer`` (the writing, on
the one import framework, tradepacts.imports).
"""

from agreements.imports.desta.importer import DestaImporter, import_desta
from agreements.imports.desta.kinds import infer_kind, infer_scope
from agreements.imports.desta.reading import (
    ACCESSION,
    BASE,
    CONSOLIDATED,
    CREDITS,
    SOURCE_TITLE,
    CountryCodes,
)

__all__ = [
    "ACCESSION",
    "BASE",
    "CONSOLIDATED",
    "CREDITS",
    "SOURCE_TITLE",
    "CountryCodes",
    "DestaImporter",
    "import_desta",
    "infer_kind",
    "infer_scope",
]
