"""The mix of requests ``make loadtest`` sends (run by tradepacts.ops.loadtest, or by hand:
``locust -f tradepacts/ops/locustfile.py --headless -u 8 -t 60s --host http://127.0.0.1:8000``).

An analyst's visit, weighted: filtered list pages (often past page 1), agreement
pages, free-text searches, and CSV exports of a filtered list (a country pair and
a kind, or a country and a decade with a kind, a status or a word: from none to
about a thousand rows, never the whole table). Filters and pages are drawn at random so most requests miss the page
cache, as they would with real readers. Any status other than 200 is an error.

LOADTEST_SLUGS names a file of agreement slugs to open (one a line); without it
detail pages are reached through the list's links.
"""

import os
import random
import re

from locust import HttpUser, between, task

COUNTRIES = ["KEN", "RWA", "TZA", "UGA", "BDI", "COD", "SSD", "ETH", "ZAF", "NGA", "CHN", "DEU", "FRA", "USA", "GBR"]
COUNTRIES += ["IND", "JPN", "BRA", "EGY", "GHA", "MAR", "SEN", "ZMB", "MOZ", "CAN", "ITA", "ESP", "TUR", "ARE", "SAU"]
KINDS = ["treaty", "fta", "customs_union", "epa", "bit", "mou", "moc", "protocol", "framework", "communique"]
STATUSES = ["signed", "in_force", "announced", "negotiating", "terminated", "expired"]
SORTS = ["newest", "oldest", "title"]
WORDS = ["ports", "trade", "energy", "customs", "investment", "cooperation", "infrastructure", "security"]
WORDS += ["Kenya", "Rwanda", "logistics", "transit", "Northern Corridor", "free trade", "railway", "agriculture"]
# The share of searches sorted by relevance (LOADTEST_RELEVANCE_SHARE, default 0.3).
RELEVANCE_SHARE = float(os.environ.get("LOADTEST_RELEVANCE_SHARE", "0.3"))
SLUG_LINK = re.compile(r'href="/agreements/(syn-[^/"]+)/"')


def load_slugs() -> list[str]:
    path = os.environ.get("LOADTEST_SLUGS")
    if not path:
        return []
    with open(path) as lines:
        return [line.strip() for line in lines if line.strip()]


SLUGS = load_slugs()


def some_filters() -> dict[str, object]:
    """One to three filters, as an analyst combines them."""
    params: dict[str, object] = {}
    choices = random.sample(["party", "party2", "kind", "status", "years", "sort"], k=random.randint(1, 3))
    if "party" in choices or "party2" in choices:
        params["party"] = random.sample(COUNTRIES, k=2 if "party2" in choices else 1)
    if "kind" in choices:
        params["kind"] = random.choice(KINDS)
    if "status" in choices:
        params["status"] = random.choice(STATUSES)
    if "years" in choices:
        start = random.randint(1960, 2020)
        params["signed_from"], params["signed_to"] = start, start + random.randint(0, 10)
    if "sort" in choices:
        params["sort"] = random.choice(SORTS)
    return params


class Analyst(HttpUser):
    wait_time = between(0, float(os.environ.get("LOADTEST_MAX_WAIT", "0.5")))
    seen: list[str]

    def on_start(self) -> None:
        self.seen = []

    @task(4)
    def filtered_list(self) -> None:
        params = some_filters()
        # Most readers stay on the first pages; some page far on.
        page = random.choice([1, 1, 1, 2, 3, random.randint(4, 40)])
        if page > 1:
            params["page"] = page
        name = "list" if page == 1 else "list page>1"
        with self.client.get("/agreements/", params=params, name=name, catch_response=True) as response:
            if response.status_code == 404 and page > 1:
                response.success()  # past the last page of a narrow filter: a correct answer
            elif response.status_code == 200:
                self.seen = SLUG_LINK.findall(response.text)[:20] or self.seen
            else:
                response.failure(f"status {response.status_code}")

    @task(3)
    def detail(self) -> None:
        pool = SLUGS or self.seen
        if not pool:
            return self.filtered_list()
        self.client.get(f"/agreements/{random.choice(pool)}/", name="detail")

    @task(2)
    def search(self) -> None:
        params: dict[str, object] = {"q": random.choice(WORDS)}
        if random.random() < 0.3:
            params["party"] = random.choice(COUNTRIES)
        if random.random() < RELEVANCE_SHARE:
            params["sort"] = "relevance"
        self.client.get("/agreements/", params=params, name="search")

    @task(1)
    def export(self) -> None:
        country, decade = random.choice(COUNTRIES), random.randrange(1960, 2030, 10)
        params: dict[str, object] = random.choice(
            [
                {"party": random.sample(COUNTRIES, k=2), "kind": random.choice(KINDS)},
                {"party": country, "kind": random.choice(KINDS), "signed_from": decade, "signed_to": decade + 9},
                {"party": country, "status": random.choice(STATUSES), "signed_from": decade, "signed_to": decade + 9},
                {"q": random.choice(WORDS), "party": country, "signed_from": decade, "signed_to": decade + 9},
            ]
        )
        with self.client.get("/agreements/export.csv", params=params, name="export.csv", catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
            elif not r.content.startswith(b"\xef\xbb\xbfid,title,"):
                r.failure("not the CSV header")
