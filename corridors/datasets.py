"""The corridor figures the default run loads (corridors/data/, with its README):
the corridor and port authorities' reported figures, converted on purpose
(corridors.reported) and imported through the corridor importer."""

from __future__ import annotations

from pathlib import Path

from agreements.models import Dataset, Source
from agreements.trade.datasets import DataFile
from corridors import reported
from corridors.imports import import_corridor_indicators
from corridors.models import Indicator
from tradepacts.imports import ImportResult

DATA = Path(__file__).resolve().parent / "data"


def load_reported(data: bytes, dataset: Dataset) -> ImportResult:
    text = data.decode("utf-8-sig")
    for definition in reported.INDICATORS.values():
        if "name" in definition:
            Indicator.objects.update_or_create(slug=definition["slug"], defaults=definition)
    for _key, (title, publisher, url) in reported.sources(text).items():
        if not Source.objects.filter(**({"url": url} if url else {"title": title})).exists():
            Source.objects.create(title=title, publisher=publisher, url=url, kind=Source.Kind.NEWS_REPORT)
    converted = reported.convert(text)
    result = import_corridor_indicators(converted.text, filename=dataset.slug)
    result.skipped.update(converted.skipped)
    return result


FILES = [
    DataFile(
        slug="corridor_reported",
        path=DATA / "corridor_indicators_reported.csv",
        title="Northern and Central Corridor figures as reported by the corridor and port authorities",
        description="Transit times (2020, with the Charter's targets), Mombasa throughput 2009-2023 and transit "
        "cargo by destination, Dar es Salaam throughput and transit cargo (fiscal years), dwell and turnaround "
        "times, road cost per km per container (2019). Each figure cites its publisher and the outlet it was "
        "reported through.",
        licence="Public reports; each figure cites its publisher",
        citation="Compiled for tradepacts from NCTTCA dashboard and observatory reports, Kenya Ports Authority and "
        "Tanzania Ports Authority figures as reported in the press; each figure names its source.",
        url="",
        publisher="NCTTCA, KPA, TPA, CCTTFA (compiled)",
        load=load_reported,
        year_column="period",
        country_columns=("country",),
    ),
]
