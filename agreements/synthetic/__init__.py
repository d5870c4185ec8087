"""Synthetic agreements for load tests and the benchmark (``manage.py generate_synthetic``).

Seeded: the same seed over the same reference data (countries, linked groups) gives
the same agreements, parties, signatories and titles, whatever day it runs.
Realistic in shape: every current country takes part, a few far more often than
the rest; 60% are bilateral, the others have 3 to 60 parties; some parties
accede later; protocols amend earlier agreements and accession instruments point
to the agreement they join; dates from 1950 to 2026, many known only to the year,
always agreeing with the status; 5% are drafts.

Every synthetic agreement is marked twice: its slug starts with ``syn-`` and it
cites the dataset source "Synthetic data (generate_synthetic, seed N)".
``clear()`` removes them by the slug prefix.

Written for speed: rows are bulk-inserted, one transaction per batch, with no
history rows (bulk_create bypasses simple-history's signals). ``search_text``
is filled while generating, by ``agreements.search.search_document`` itself over
the generated rows, so search works at once and ``reindex`` would change nothing.
"""

from agreements.synthetic.reference import BATCH, END, load_reference, marker_title
from agreements.synthetic.writing import clear, generate, synthetic_agreements

__all__ = ["BATCH", "END", "clear", "generate", "load_reference", "marker_title", "synthetic_agreements"]
