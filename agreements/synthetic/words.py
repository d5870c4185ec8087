"""The words synthetic agreements are made of: capitals, regions, positions, names, outlets."""

CAPITALS = {
    **{"KEN": "Nairobi", "RWA": "Kigali", "TZA": "Dar es Salaam", "UGA": "Kampala", "BDI": "Gitega"},
    **{"COD": "Kinshasa", "SSD": "Juba", "ETH": "Addis Ababa", "SOM": "Mogadishu", "DJI": "Djibouti"},
    **{"ZAF": "Pretoria", "NGA": "Abuja", "EGY": "Cairo", "MAR": "Rabat", "GHA": "Accra", "SEN": "Dakar"},
    **{"ZMB": "Lusaka", "MOZ": "Maputo", "AGO": "Luanda", "ZWE": "Harare", "MWI": "Lilongwe", "CIV": "Abidjan"},
    **{"CHN": "Beijing", "USA": "Washington", "DEU": "Berlin", "FRA": "Paris", "GBR": "London", "IND": "New Delhi"},
    **{"JPN": "Tokyo", "TUR": "Ankara", "ARE": "Abu Dhabi", "NLD": "The Hague", "ITA": "Rome", "BRA": "Brasília"},
    **{"KOR": "Seoul", "ESP": "Madrid", "CHE": "Geneva", "SGP": "Singapore", "CAN": "Ottawa", "AUS": "Canberra"},
    **{"BEL": "Brussels", "QAT": "Doha", "SAU": "Riyadh", "RUS": "Moscow", "IDN": "Jakarta", "MYS": "Kuala Lumpur"},
}
REGIONS = [
    *("Great Lakes", "Indian Ocean Rim", "Lake Victoria Basin", "Horn of Africa", "Gulf of Guinea", "Sahel"),
    *("Southern African", "Nile Basin", "Mekong", "Andean", "Baltic", "Black Sea", "Caspian", "Danube"),
    *("Pacific Islands", "Caribbean", "Central American", "Maghreb", "Central Asian", "South Asian"),
    *("Bay of Bengal", "Eastern Mediterranean", "Amazon", "Trans-Saharan", "Red Sea", "Zambezi Valley"),
    *("Western Balkans", "Nordic", "Tripartite", "Atlantic", "Arabian Gulf", "Lake Tanganyika"),
]


# (position, the institution it belongs to, or None)
POSITIONS = [
    ("Minister of Trade and Industry", "trade"),
    ("Minister of Foreign Affairs", "foreign"),
    ("Permanent Secretary, Ministry of Transport", "transport"),
    ("Minister of Transport", "transport"),
    ("Director General, Investment Promotion Agency", "investment"),
    ("Ambassador", "foreign"),
    ("President", None),
    ("Prime Minister", None),
]
GIVEN_NAMES = [
    *("Amina", "James", "Grace", "Jean", "Fatuma", "David", "Aline", "Peter", "Wanjiru", "Claude", "Mary", "Ali"),
    *("Esther", "Joseph", "Chen", "Hanna", "Kenji", "Priya", "Ahmed", "Sofia", "Carlos", "Olga", "Thomas", "Leila"),
    *("Samuel", "Yuki", "Ibrahim", "Marie", "Daniel", "Nadia", "Emmanuel", "Ana", "Musa", "Ingrid", "Ravi", "Zainab"),
]
FAMILY_NAMES = [
    *("Mwangi", "Uwimana", "Ochieng", "Nkurunziza", "Mushi", "Okello", "Habimana", "Kamau", "Njoroge", "Bizimana"),
    *("Wang", "Schmidt", "Dubois", "Smith", "Sato", "Sharma", "Hassan", "Rossi", "Garcia", "Ivanova", "Mensah"),
    *("Adeyemi", "Tesfaye", "Kariuki", "Mutesi", "Lindqvist", "Kowalski", "Nakamura", "Silva", "Haddad", "Banda"),
]
OUTLETS = ["The Continental Trade Review", "Regional Business Daily", "Corridor Post", "Harbour and Border Weekly"]


SMALL_WORDS = {"and", "of", "the", "on", "in", "for", "to"}
