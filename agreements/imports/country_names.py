"""Country names, as the WTO's RTA list and GPTAD spell them, to ISO 3166-1 alpha-3 codes.

Names are read deliberately: first this module's table (the datasets' own
spellings, older names and misspellings, each chosen by hand and tested one by
one in agreements/imports/tests/test_country_names.py), then pycountry's exact
lookup (name, official name, common name or code; never a fuzzy match). A name
neither knows is an error the import reports with its line: nothing is guessed.

Blocs and institutions that are parties in their own right (the European
Union, EFTA, MERCOSUR ...) are in ``BLOCS``: the import makes each an
institution acting alone (an intergovernmental Organisation, no country), so
the record says the EU is the party, as the WTO does. They are not expanded
into member states: membership changes over time and the datasets disagree
on it (DESTA lists the member states of the day as parties; where DESTA's
record is merged, its member states are parties too, each claimed by DESTA).

Historic names resolve the way the DESTA import resolves ISO numeric codes: a
country that still exists under another name is the current one (Zaire is DR
Congo, Swaziland is Eswatini, "Libyan Arab Jamahiriya" is Libya), a country
that no longer exists is the historic one (Yugoslavia, Serbia and Montenegro,
the Netherlands Antilles).
"""

import re

import pycountry

# The datasets' spellings that pycountry does not know, or knows as something else.
TABLE: dict[str, str] = {
    # WTO RTA list
    "Aruba, the Netherlands with respect to": "ABW",
    "Bahrain, Kingdom of": "BHR",
    "British Overseas Territory of Saint Helena, Ascension and Tristan da Cunha": "SHN",
    "Chinese Taipei": "TWN",
    "CÙte d'Ivoire": "CIV",  # the WTO file's mojibake for Côte d'Ivoire
    "Democratic Republic of the Congo": "COD",
    "Faeroe Islands": "FRO",
    "Hong Kong, China": "HKG",
    "Kuwait, the State of": "KWT",
    "Kyrgyz Republic": "KGZ",
    "Lebanese Republic": "LBN",
    "Macao, China": "MAC",
    "Netherlands Antilles": "ANT",
    "Palestine": "PSE",
    "Saudi Arabia, Kingdom of": "SAU",
    "Serbia and Montenegro": "SCG",
    "Tanzania": "TZA",
    "The Gambia": "GMB",
    "Turkey": "TUR",
    "UNMIK/Kosovo": "XKX",
    "UNMIC/Kosovo": "XKX",
    "Wallis and Futuna Islands": "WLF",
    "Yugoslavia, Socialist Federal Republic of": "YUG",
    "Korea, Republic of": "KOR",
    # GPTAD
    "Zaire": "COD",
    "Republic of Zaire": "COD",
    "Swaziland": "SWZ",
    "Libyan Arab Jamahiriya": "LBY",
    "Allemagne": "DEU",
    "Antigua": "ATG",
    "Belgique": "BEL",
    "Bénin": "BEN",
    "Bolivarian Republic of Venezuela": "VEN",
    "Bosnia": "BIH",
    "Bosnia & Herzegovina": "BIH",
    "Herzegovina": "BIH",
    "Buglaria": "BGR",
    "Cameroun": "CMR",
    "Cape Verde": "CPV",
    "Centrafricaine": "CAF",
    "China (Taiwan)": "TWN",
    "Congo": "COG",
    "People’s Republic of the Congo": "COG",
    "Cote d'Ivoire": "CIV",
    "Danemark": "DNK",
    "Espagne": "ESP",
    "Falkland Islands (Islas Malvinas)": "FLK",
    "Fiji Islands": "FJI",
    "Finlande": "FIN",
    "Former Yugoslav Republic of Macedonia": "MKD",
    "The Former Yugoslav Republic of Macedonia": "MKD",
    "Macedonia": "MKD",
    "Macedonia(Former Yugoslav Republic of Macedonia)": "MKD",
    "Gabonaise": "GAB",
    "Gabonese Republic": "GAB",
    "Grèce": "GRC",
    "Guinea Bissau": "GNB",
    "Guinée Équatoriale": "GNQ",
    "Hong Kong": "HKG",
    "Irelande": "IRL",
    "Italie": "ITA",
    "Jordon": "JOR",
    "Korea": "KOR",
    "Republic of Korea": "KOR",
    "The Republic of Korea": "KOR",
    "Kosovo": "XKX",
    "Kyrgyz": "KGZ",
    "Lao": "LAO",
    "Lao PDR": "LAO",
    "Lichtenstein": "LIE",
    "Luxembourt": "LUX",
    "Luxemburg": "LUX",
    "Macao": "MAC",
    "Malte": "MLT",
    "Micronesia": "FSM",
    "Northern Ireland": "GBR",
    "Palestine Liberation Organization": "PSE",
    "Palestine Liberation Organization (Palestine Authority)": "PSE",
    "Palestinian Authority": "PSE",
    "Pays-Bas": "NLD",
    "The Netherlands": "NLD",
    "Republic of Armenia": "ARM",
    "Republic of Chad": "TCD",
    "Tchad": "TCD",
    "Republic of Equatorial Guinea": "GNQ",
    "Republic of Georgia": "GEO",
    "Republic of Sao Tome and Principe": "STP",
    "Royaume-Uni": "GBR",
    "Russia": "RUS",
    "Sahrawi": "ESH",
    "Saint Helena": "SHN",
    "Slovakia": "SVK",
    "St. Kitts and Nevis": "KNA",
    "St. Kitts-Nevis-Anguilla": "KNA",
    "St. Lucia": "LCA",
    "St. Vincent": "VCT",
    "St. Vincent and the Grenadines": "VCT",
    "Suède": "SWE",
    "Sénégal": "SEN",
    "United Arab Emirates (UAE)": "ARE",
    "United Kingdom of Great Britain and Northern Ireland": "GBR",
    "United Republic of Cameroon": "CMR",
    "United States": "USA",
    "Virgin Islands": "VGB",
    "Western Samoa": "WSM",
    "Yugoslavia": "YUG",
    "the Philippines": "PHL",
    "Autriche": "AUT",
    "the Former Yugoslav Republic of Macedonia": "MKD",
}

# Pieces that name several countries with the separator missing.
SEVERAL: dict[str, tuple[str, ...]] = {
    "Finland France": ("FIN", "FRA"),
    "Spain Sweden": ("ESP", "SWE"),
    "Thailand Vietnam": ("THA", "VNM"),
    "Singapore - Korea": ("SGP", "KOR"),
    "Virgin Islands, British": ("VGB",),
}

# Parties that are blocs or institutions: (acronym, name of the institution).
BLOCS: dict[str, tuple[str, str]] = {
    "European Union": ("EU", "European Union"),
    "European Community": ("EU", "European Union"),
    "European Communitiy": ("EU", "European Union"),
    "EC": ("EU", "European Union"),
    "Communauté européenne": ("EU", "European Union"),
    "European Atomic Energy Community": ("Euratom", "European Atomic Energy Community"),
    "European Coal and Steel Community": ("ECSC", "European Coal and Steel Community"),
    "European Economic Area": ("EEA", "European Economic Area"),
    "European Free Trade Association (EFTA)": ("EFTA", "European Free Trade Association"),
    "EFTA": ("EFTA", "European Free Trade Association"),
    "ASEAN Free Trade Area (AFTA)": ("ASEAN", "Association of Southeast Asian Nations"),
    "ASEAN": ("ASEAN", "Association of Southeast Asian Nations"),
    "Eurasian Economic Union (EAEU)": ("EAEU", "Eurasian Economic Union"),
    "Gulf Cooperation Council (GCC)": ("GCC", "Gulf Cooperation Council"),
    "Gulf Cooperation Council": ("GCC", "Gulf Cooperation Council"),
    "Southern African Customs Union (SACU)": ("SACU", "Southern African Customs Union"),
    "SACU": ("SACU", "Southern African Customs Union"),
    "Southern Common Market (MERCOSUR)": ("MERCOSUR", "Southern Common Market"),
    "MERCOSUR": ("MERCOSUR", "Southern Common Market"),
    "Andean Community": ("CAN", "Andean Community"),
    "CARICOM": ("CARICOM", "Caribbean Community"),
    "Caribbean Community": ("CARICOM", "Caribbean Community"),
    "CARIFORUM States": ("CARIFORUM", "Caribbean Forum of ACP States"),
    "CEFTA": ("CEFTA", "Central European Free Trade Agreement"),
    "SAARC (South Asian Association for Regional Cooperation)": (
        "SAARC",
        "South Asian Association for Regional Cooperation",
    ),
    "SAARC": ("SAARC", "South Asian Association for Regional Cooperation"),
    "South Asian Association for Regional Cooperation": ("SAARC", "South Asian Association for Regional Cooperation"),
    "BIMST-EC": ("BIMSTEC", "Bay of Bengal Initiative for Multi-Sectoral Technical and Economic Cooperation"),
    "Overseas Countries and Territories": ("OCT", "Overseas Countries and Territories of the EU"),
}

# A name with a bloc's list of members in brackets: "European Community (Austria; Belgium ...)".
SPACES = re.compile(r"\s+")
LITERAL_NEWLINES = re.compile(r"(?:\\r|\\n)+")


def clean(name: str) -> str:
    """Whitespace, the files' literal "\\r\\n" and stray edge punctuation away."""
    name = LITERAL_NEWLINES.sub(" ", name)
    name = SPACES.sub(" ", name).strip(" .;,")
    name = re.sub(r"^and\b\s*", "", name)
    while name.endswith(")") and name.count(")") > name.count("("):
        name = name[:-1].rstrip(" .;,")
    while name.startswith("(") and name.count("(") > name.count(")"):
        name = name[1:].lstrip()
    return name


def lookup(name: str) -> tuple[str, str] | None:
    """("country", ISO3), ("bloc", acronym) or None for a name nobody mapped."""
    name = clean(name)
    if not name:
        return None
    if name in TABLE:
        return "country", TABLE[name]
    if name in BLOCS:
        return "bloc", BLOCS[name][0]
    try:
        return "country", pycountry.countries.lookup(name).alpha_3
    except LookupError:
        return None


def bloc_name(acronym: str) -> str:
    return next(full for short, full in BLOCS.values() if short == acronym)


def split_members(text: str, separators: str = ";,") -> tuple[list[tuple[str, str]], list[str]]:
    """A party list: the parties found (each once, in order), and the names nobody mapped.

    The WTO separates names with "; " (its names contain commas: "Korea,
    Republic of"); GPTAD mixes ", " and "; " and writes "A and B". A bloc may
    be followed by its members in brackets, "EFTA (Iceland; Norway)": the bloc
    and each member are parties. A whole name is always tried first, so
    "Bosnia and Herzegovina" and "China (Taiwan)" stay one name each.
    """
    text = LITERAL_NEWLINES.sub(" ", text)
    for several in SEVERAL:
        text = text.replace(several, f"{separators[0]}{several.replace(',', '|')}{separators[0]}")
    found: list[tuple[str, str]] = []
    unknown: list[str] = []

    def add(piece: str) -> None:
        piece = clean(piece.replace("|", ","))
        if not piece:
            return
        if piece in SEVERAL:
            found.extend(("country", code) for code in SEVERAL[piece])
            return
        if (hit := lookup(piece)) is not None:
            found.append(hit)
            return
        if "(" in piece:  # "European Community (Austria", "CARIFORUM States (Antigua and Barbuda"
            head, _, rest = piece.partition("(")
            add(head)
            add(rest)
            return
        if ")" in piece:  # "Switzerland) and Lebanon"
            for part in piece.split(")"):
                add(part)
            return
        if (hits := split_and(piece)) is not None:
            found.extend(hits)
            return
        unknown.append(piece)

    for piece in re.split(f"[{re.escape(separators)}]", text):
        add(piece)
    return list(dict.fromkeys(found)), unknown


def split_and(piece: str) -> list[tuple[str, str]] | None:
    """ "Suriname and Trinidad and Tobago" as the names it joins, if each one is known."""
    if (hit := lookup(piece)) is not None:
        return [hit]
    parts = piece.split(" and ")
    for i in range(1, len(parts)):
        first = lookup(" and ".join(parts[:i]))
        if first is not None and (rest := split_and(" and ".join(parts[i:]))) is not None:
            return [first, *rest]
    return None
