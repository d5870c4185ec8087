"""The trade data the default run loads (agreements/trade/data/, with its README):
the WTO's bilateral imports and its HS2 detail, the Correlates of War's dyadic
trade, and the World Bank's exchange rates, each through the import framework's
importers (agreements.trade.imports).

``load_datasets(FILES)`` imports each file whose SHA-256 its Dataset record does
not already hold (a second run imports nothing), and records on the Dataset what
the "Sources and coverage" page shows: credits, years, countries, rows, when.
Call it inside one transaction: every import's refresh joins one batch, sent
once at commit (agreements.runs), so the default run refreshes once.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from agreements.models import Dataset, Origin, Source
from agreements.trade.imports import import_exchange_rates, import_trade_flows
from agreements.trade.imports.products import import_product_trade
from tradepacts.imports import ImportResult

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class DataFile:
    """One dataset file and how it is imported and described."""

    slug: str
    path: Path
    title: str
    description: str
    licence: str
    citation: str
    url: str
    publisher: str
    load: Callable[[bytes, Dataset], ImportResult]
    # Columns of its years and of its countries (csv module, read independently of the import).
    year_column: str = "year"
    country_columns: tuple[str, ...] = ("reporter", "partner")
    version: str = ""


def read_file(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def coverage(
    data: bytes, year_column: str, country_columns: tuple[str, ...]
) -> tuple[int, int | None, int | None, int]:
    """(rows, first year, last year, countries) of a file, read with the csv module alone."""
    years: set[int] = set()
    countries: set[str] = set()
    rows = 0
    for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")):
        rows += 1
        year = row[year_column].strip()
        years.add(int(year[2:6]) if year.upper().startswith("FY") else int(year[:4]))
        countries.update(row[c].strip() for c in country_columns)
    countries -= {"", "000", "ALL", "World"}
    return rows, min(years, default=None), max(years, default=None), len(countries)


def dataset_record(file: DataFile) -> Dataset:
    """The file's Dataset, its credits as a Source, made or brought up to date."""
    source = Source.objects.filter(url=file.url).first() if file.url else None
    if source is None:
        source = Source.objects.create(
            title=file.title, publisher=file.publisher, url=file.url, kind=Source.Kind.DATASET, citation=file.citation
        )
    dataset, _ = Dataset.objects.update_or_create(
        slug=file.slug,
        defaults={
            "title": file.title,
            "version": file.version,
            "licence": file.licence,
            "citation": file.citation,
            "url": file.url,
            "source": source,
            "description": file.description,
        },
    )
    return dataset


def load_datasets(files: list[DataFile], report: Callable[[str], None] = print) -> list[str]:
    """Import every file not imported before as it is; returns the slugs imported."""
    imported = []
    for file in files:
        data = read_file(file.path)
        digest = hashlib.sha256(data).hexdigest()
        if Dataset.objects.filter(slug=file.slug, sha256=digest).exists():
            report(f"{file.path.name}: imported before, unchanged: skipped.")
            continue
        dataset = dataset_record(file)
        result = file.load(data, dataset)
        rows, first, last, countries = coverage(data, file.year_column, file.country_columns)
        dataset.sha256, dataset.filename, dataset.imported_at = (
            digest,
            file.path.name.removesuffix(".gz"),
            timezone.now(),
        )
        dataset.records, dataset.first_year, dataset.last_year, dataset.countries = rows, first, last, countries
        dataset.save()
        report(f"{file.path.name}: {result}")
        imported.append(file.slug)
    return imported


AMBIGUOUS = "rows whose reporter, partner and year are given twice (left out: which one is right cannot be told)"


def without_repeated_keys(data: bytes) -> tuple[bytes, int]:
    """The file without the rows whose (reporter, partner, year, flow) appear more than once, and how many.

    COW v4.0 as reduced here has 614 such keys, all pairs of Nigeria (NGA) with East Africa, often with
    different values (0 and 1 million): two of COW's country codes were mapped to NGA. Rather than pick one
    (the importer refuses a file that repeats a key), all their rows are left out and counted.
    """
    lines = data.decode("utf-8").splitlines(keepends=True)
    rows = list(csv.reader(lines[1:]))
    keys = Counter(tuple(row[:4]) for row in rows)
    kept = [line for line, row in zip(lines[1:], rows, strict=True) if keys[tuple(row[:4])] == 1]
    return (lines[0] + "".join(kept)).encode(), len(rows) - len(kept)


def _flows(origin: int, drop_repeated: bool = False) -> Callable[[bytes, Dataset], ImportResult]:
    def load(data: bytes, dataset: Dataset) -> ImportResult:
        dropped = 0
        if drop_repeated:
            data, dropped = without_repeated_keys(data)
        result = import_trade_flows(data, source=dataset.url, filename=dataset.slug, origin=origin)
        if dropped:
            result.skipped[AMBIGUOUS] += dropped
        return result

    return load


def _rates(data: bytes, dataset: Dataset) -> ImportResult:
    return import_exchange_rates(data, source=dataset.url, filename=dataset.slug)


def _products(data: bytes, dataset: Dataset) -> ImportResult:
    return import_product_trade(data, source=dataset.source, filename=dataset.slug)


WTO_CITATION = (
    "World Trade Organization, WTO Stats: merchandise imports by product group (HS), by reporter and partner, "
    "annual, in US dollars (built from national returns). Source: WTO."
)
FILES = [
    DataFile(
        slug="wb_fx",
        path=DATA / "wb_official_rate_units_per_usd_1960-2022.csv.gz",
        title="World Bank WDI: official exchange rate (LCU per US$, period average), PA.NUS.FCRF",
        description="Units of each currency per US dollar, annual average, 148 currencies from their home "
        "countries' series (EUR from the euro area's, from 1999). Redenominations are not undone.",
        licence="CC BY 4.0",
        citation="World Bank, World Development Indicators, series PA.NUS.FCRF (2023-09 release). CC BY 4.0.",
        url="https://data.worldbank.org/indicator/PA.NUS.FCRF",
        publisher="World Bank",
        load=_rates,
        country_columns=("currency",),
        version="2023-09",
    ),
    DataFile(
        slug="wto_trade",
        path=DATA / "wto_bilateral_imports_1996-2020.csv.gz",
        title="WTO: bilateral merchandise imports by reporter and partner, 1996-2020",
        description="Each reporter's merchandise imports from each partner, the sum over the HS chapters, in US "
        "dollars. Imports only: a country's exports are its partners' imports (mirror). No reporter has 2009; Kenya "
        "reports 1999-2010 only; DR Congo and South Sudan never report.",
        licence="WTO data, free reuse with attribution",
        citation=WTO_CITATION,
        url="https://stats.wto.org/",
        publisher="World Trade Organization",
        load=_flows(Origin.WTO),
    ),
    DataFile(
        slug="wto_hs2",
        path=DATA / "wto_imports_by_hs2_east_african_reporters.csv.gz",
        title="WTO: merchandise imports by HS chapter, East African reporters",
        description="The WTO's bilateral imports before summing, by HS chapter (two digits), for the East African "
        "reporters: what two countries trade, not only how much.",
        licence="WTO data, free reuse with attribution",
        citation=WTO_CITATION,
        url="https://stats.wto.org/",
        publisher="World Trade Organization",
        load=_products,
        year_column="Year",
        country_columns=("ReportingEconomyCode", "PartnerEconomyCode"),
    ),
    DataFile(
        slug="cow_trade",
        path=DATA / "cow_dyadic_trade_v4_east_africa.csv.gz",
        title="Correlates of War: dyadic trade v4.0 (rows touching East Africa)",
        description="Imports between country pairs, 1960-2014, mostly from the IMF's Direction of Trade "
        "Statistics, for pairs with Kenya, Uganda, Tanzania, Rwanda, Burundi, DR Congo or South Sudan. Published in "
        "whole millions of US dollars: small flows read 0, 1 or 2 million.",
        licence="Free with citation",
        citation="Barbieri, Katherine and Omar M. G. Omar Keshk (2016). Correlates of War Project Trade Data Set "
        "Codebook, Version 4.0. Online: https://correlatesofwar.org.",
        url="https://correlatesofwar.org/data-sets/bilateral-trade/",
        publisher="Correlates of War Project",
        load=_flows(Origin.COW, drop_repeated=True),
        version="4.0",
    ),
]
