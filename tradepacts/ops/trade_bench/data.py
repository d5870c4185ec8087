"""The trade refresh benchmark's data: a million synthetic flow rows between all current countries,
exchange rates, and 320 published agreements in force, written once and reused."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

ROWS = 1_000_000
YEARS = 30
FIRST_YEAR = 1995
SLUG_PREFIX = "trade-bench-"
REGIONAL_SIZES = [54, 27, 21, 16, 15, 15, 11, 10, 8, 7, 6, 5, 5, 4, 4, 3, 3, 3, 3, 3]
BILATERAL = 300
CURRENCIES = {  # units per USD around 2010; reporters not listed here report in USD
    "EUR": 0.75,
    "GBP": 0.65,
    "JPY": 90.0,
    "CNY": 6.7,
    "INR": 45.0,
    "BRL": 1.8,
    "ZAR": 7.3,
    "KES": 80.0,
    "TZS": 1400.0,
    "UGX": 2000.0,
    "RWF": 590.0,
    "SSP": 3.0,
}


class TradeData:
    """Writes and recognises the bench's data; mixed into ``Bench``, whose rows, seed and connection it uses."""

    rows: int
    seed: int
    connection: Any

    # --- the data --------------------------------------------------------------------

    def _data_present(self) -> bool:
        from agreements.models import Agreement, TradeFlow

        return (
            TradeFlow.objects.count() == self.rows
            and not TradeFlow.objects.filter(is_synthetic=False).exists()
            and Agreement.objects.filter(slug__startswith=SLUG_PREFIX).count() == BILATERAL + len(REGIONAL_SIZES)
        )

    def _generate(self) -> None:
        from django.db import transaction

        from agreements.models import Country

        rng = random.Random(self.seed)
        countries = list(Country.objects.filter(is_historic=False).order_by("iso3").values_list("id", flat=True))
        years = list(range(FIRST_YEAR, FIRST_YEAR + YEARS))
        currency = {c: (rng.choice(list(CURRENCIES)) if rng.random() < 0.4 else "USD") for c in countries}
        rates = {}
        for code, base in CURRENCIES.items():
            for year in years:
                if code == "SSP" and year < 2011:  # South Sudan's pound: none before 2011
                    continue
                rates[(code, year)] = round(base * (1 + 0.03 * (year - 2010)) * rng.uniform(0.95, 1.05), 6)
        pairs = [(a, b) for i, a in enumerate(countries) for b in countries[i + 1 :]]
        rng.shuffle(pairs)
        now = dt.datetime.now(dt.UTC)

        with transaction.atomic(), self.connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE agreements_pairyearstatistic, agreements_agreementtradestatistic,"
                " agreements_tradeflow, agreements_exchangerate"
            )
            raw = cursor.connection  # psycopg's own connection: COPY
            with raw.cursor().copy(
                "COPY agreements_exchangerate (created_at, updated_at, currency, year, units_per_usd) FROM STDIN"
            ) as copy:
                for (code, year), units in rates.items():
                    copy.write_row((now, now, code, year, f"{units:.6f}"))
            written = 0
            columns = "created_at, updated_at, reporter_id, partner_id, year, flow, value, currency, is_synthetic"
            with raw.cursor().copy(f"COPY agreements_tradeflow ({columns}) FROM STDIN") as copy:
                for a, b in pairs:
                    size = math.exp(rng.gauss(15, 2.2))  # a pair's trade in USD: lognormal
                    for year in years:
                        rows = []
                        for reporter, partner in ((a, b), (b, a)):
                            for kind in ("exports", "imports"):
                                if rng.random() < 0.85:
                                    rows.append((reporter, partner, kind))
                            if rng.random() < 0.01:
                                rows.append((reporter, partner, "total"))
                        for reporter, partner, kind in rows:
                            code = currency[reporter]
                            usd = size * rng.uniform(0.6, 1.4) * (2 if kind == "total" else 1)
                            value = usd if code == "USD" else usd * rates.get((code, year), CURRENCIES[code])
                            copy.write_row((now, now, reporter, partner, year, kind, f"{value:.2f}", code, True))
                            written += 1
                            if written == self.rows:
                                break
                        if written == self.rows:
                            break
                    if written == self.rows:
                        break
            if written < self.rows:
                raise RuntimeError(f"only {written} rows: too few pairs for {self.rows}")
            self._agreements(rng, countries)
        with self.connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE agreements_tradeflow")
            cursor.execute("VACUUM ANALYZE agreements_exchangerate")

    def _agreements(self, rng: random.Random, countries: list[int]) -> None:
        """Published agreements in force: bilateral ones and regional ones of realistic sizes."""
        from django.utils import timezone

        from agreements.models import Agreement, Party

        Agreement.objects.filter(slug__startswith=SLUG_PREFIX).delete()
        planned = [2] * BILATERAL + REGIONAL_SIZES
        agreements = []
        for n, size in enumerate(planned):
            signed = dt.date(rng.randint(1990, 2020), rng.randint(1, 12), 1)
            agreements.append(
                Agreement(
                    title=f"Synthetic trade benchmark agreement {n}",
                    slug=f"{SLUG_PREFIX}{n}",
                    kind=Agreement.Kind.FTA,
                    scope=Agreement.Scope.BILATERAL if size == 2 else Agreement.Scope.PLURILATERAL,
                    status=Agreement.Status.IN_FORCE,
                    signed_on=signed,
                    in_force_on=signed + dt.timedelta(days=rng.randint(30, 700)),
                    is_published=True,
                    published_at=timezone.now(),
                    summary="Synthetic: generated by tradepacts.ops.trade_bench.",
                )
            )
        Agreement.objects.bulk_create(agreements)
        parties = []
        for agreement, size in zip(agreements, planned, strict=True):
            for country_id in rng.sample(countries, size):
                parties.append(Party(agreement=agreement, country_id=country_id))
        Party.objects.bulk_create(parties)
