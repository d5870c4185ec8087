"""The mix of requests ``make loadtest`` sends (run by tradepacts.ops.loadtest, or by hand:
``locust -f tradepacts/ops/locustfile.py --headless -u 8 -t 60s --host http://127.0.0.1:8000``).

An analyst's visit, weighted: filtered list pages (often past page 1), agreement
pages, free-text searches, country and country-pair pages, the home page, CSV
exports of a filtered list, and full exports of every agreement (about 5% of the
requests, so a few run at once). Every page request carries a query string of its
own, so a page cache could not answer it from an earlier one: each is rendered.

Each simulated analyst is one client address (X-Forwarded-For, as a reverse proxy
would set it; the server under test trusts one proxy), so the per-client export cap
applies to each on its own, as it would to real readers.

A request fails on any status but 200 (a 404 past the last page of a narrow filter
aside) and an export fails when its file is cut (no completion trailer, or a count
other than its rows). The home page is reported apart while a full export is running:
``/ (exports running)``.

LOADTEST_SLUGS names a file of agreement slugs to open (one a line); without it
detail pages are reached through the list's links.
"""

import itertools
import os
import random
import re

from locust import HttpUser, between, task

from tradepacts.csv import complete_rows

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
# Full exports running now, across the users of this process (locust runs them as greenlets).
FULL_EXPORTS_RUNNING = [0]
CLIENTS = itertools.count(1)
REQUESTS = itertools.count(1)


def load_slugs() -> list[str]:
    path = os.environ.get("LOADTEST_SLUGS")
    if not path:
        return []
    with open(path) as lines:
        return [line.strip() for line in lines if line.strip()]


SLUGS = load_slugs()


def fresh() -> str:
    """A query-string value no earlier request had: no page cache can answer from before."""
    return f"{next(REQUESTS)}-{random.randrange(10**9)}"


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
        n = next(CLIENTS)
        self.client.headers["X-Forwarded-For"] = f"198.51.{n // 250}.{n % 250 + 1}"

    def page(self, path: str, name: str, params: dict[str, object] | None = None, allow_404: bool = False) -> str:
        params = {**(params or {}), "v": fresh()}
        with self.client.get(path, params=params, name=name, catch_response=True) as response:
            if response.status_code == 200:
                return response.text
            if response.status_code == 404 and allow_404:
                response.success()  # past the last page of a narrow filter: a correct answer
            else:
                response.failure(f"status {response.status_code}")
        return ""

    @task(16)
    def filtered_list(self) -> None:
        params = some_filters()
        # Most readers stay on the first pages; some page far on.
        page = random.choice([1, 1, 1, 2, 3, random.randint(4, 40)])
        if page > 1:
            params["page"] = page
        text = self.page("/agreements/", "list" if page == 1 else "list page>1", params, allow_404=page > 1)
        self.seen = SLUG_LINK.findall(text)[:20] or self.seen

    @task(12)
    def detail(self) -> None:
        pool = SLUGS or self.seen
        if not pool:
            return self.filtered_list()
        self.page(f"/agreements/{random.choice(pool)}/", "detail")

    @task(8)
    def search(self) -> None:
        params: dict[str, object] = {"q": random.choice(WORDS)}
        if random.random() < 0.3:
            params["party"] = random.choice(COUNTRIES)
        if random.random() < RELEVANCE_SHARE:
            params["sort"] = "relevance"
        self.page("/agreements/", "search", params)

    @task(6)
    def country(self) -> None:
        self.page(f"/countries/{random.choice(COUNTRIES)}/", "country")

    @task(4)
    def pair(self) -> None:
        first, second = random.sample(COUNTRIES, k=2)
        self.page(f"/countries/{first}/{second}/", "pair")

    @task(8)
    def home(self) -> None:
        self.page("/", "/ (exports running)" if FULL_EXPORTS_RUNNING[0] else "/")

    @task(4)
    def filtered_export(self) -> None:
        country, decade = random.choice(COUNTRIES), random.randrange(1960, 2030, 10)
        params: dict[str, object] = random.choice(
            [
                {"party": random.sample(COUNTRIES, k=2), "kind": random.choice(KINDS)},
                {"party": country, "kind": random.choice(KINDS), "signed_from": decade, "signed_to": decade + 9},
                {"party": country, "status": random.choice(STATUSES), "signed_from": decade, "signed_to": decade + 9},
                {"q": random.choice(WORDS), "party": country, "signed_from": decade, "signed_to": decade + 9},
            ]
        )
        self.export(params, "export.csv (filtered)")

    @task(3)  # 3 of 61: about 5% of the requests
    def full_export(self) -> None:
        FULL_EXPORTS_RUNNING[0] += 1
        try:
            self.export({}, "export.csv (all)")
        finally:
            FULL_EXPORTS_RUNNING[0] -= 1

    def export(self, params: dict[str, object], name: str) -> None:
        with self.client.get("/agreements/export.csv", params=params, name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code}")
                return
            body = r.content
            rows = complete_rows(body)
            if not body.startswith(b"\xef\xbb\xbfid,title,"):
                r.failure("not the CSV header")
            elif rows is None:
                r.failure("cut: no completion trailer")
            elif rows != body.count(f"{self.host}/agreements/".encode()):  # each row's url cell
                r.failure(f"cut: the trailer says {rows} rows")
