"""Demo data built from the three seed documents (``shared/seeds/``).

Every fact here comes from the seeds; where they are silent a field stays
empty rather than guessed (no URLs, no publishers the text does not name).
The EAC's membership dates are the one addition: commonly documented facts,
given to the year where the day is less certain.

``load_demo()`` can run any number of times. Each row is upserted on its
natural key (slug, ISO3 code, bloc code, agreement and country ...) and saved
only when a value differs, so a second run writes nothing, not even history.
The demo's own agreements are the loader's: their parties, signatories, topics
and citations are brought back to exactly the seeds' on every run.

The corridors' part is ``corridors.demo``: this app never imports corridors.
"""

from agreements.demo.loading import countries, load_demo, prune, upsert
from agreements.demo.seeds import (
    CCTTFA,
    CORRIDOR_AGENCIES_MOC,
    KPA_LIAISON_OFFICE_MOU,
    NCTTCA,
    RWANDA_TANZANIA_TALKS,
    SEED_000,
    SEED_001,
    SEED_002,
    TOPICS,
)

__all__ = [
    "CCTTFA",
    "CORRIDOR_AGENCIES_MOC",
    "KPA_LIAISON_OFFICE_MOU",
    "NCTTCA",
    "RWANDA_TANZANIA_TALKS",
    "SEED_000",
    "SEED_001",
    "SEED_002",
    "TOPICS",
    "countries",
    "load_demo",
    "prune",
    "upsert",
]
