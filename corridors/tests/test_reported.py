"""The corridor authorities' reported figures (corridors.reported, corridors.datasets): every
messy part decided on purpose, and units converted only by exact factors, the reported value kept."""

import datetime as dt
from decimal import Decimal

import pytest

from corridors import reported
from corridors.datasets import FILES, load_reported
from corridors.models import IndicatorObservation
from corridors.periods import Period, PeriodKind
from corridors.tests.test_demo import load_demo

HEADER = "corridor,indicator,country,period,value,unit,source\n"


def converted_rows(*lines: str) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(reported.convert(HEADER + "".join(lines)).text)))[1:]


def test_million_tonnes_become_tonnes_by_the_exact_factor_with_the_reported_value_beside():
    rows = converted_rows(
        'Northern,port_throughput_mombasa,KEN,2009,19.06,million tonnes,"KPA handbook via defenceWeb"\n'
    )
    assert rows == [["northern-corridor", "port-throughput", "", "2009", "19060000.00", "t", "KPA handbook via defenceWeb",
                     "", "", "19.06", "million tonnes"]]  # fmt: skip


def test_days_become_hours_and_tonnes_and_percent_stay_as_they_are():
    rows = converted_rows(
        'Northern,container_dwell_time_mombasa,KEN,2022,3.9,days,"KPA via Kahawatungu (Jan-Oct average)"\n',
        'Northern,port_transit_traffic_mombasa,UGA,2022,7319408,tonnes,"KPA data via The Standard"\n',
        'Northern,port_transit_share_mombasa,UGA,2022,71.5,percent,"KPA data via The Standard"\n',
    )
    assert [(r[1], r[2], r[4], r[5], r[8], r[9], r[10]) for r in rows] == [
        ("port-dwell-time", "", "93.6", "hours", "Jan-Oct average", "3.9", "days"),
        ("cargo-throughput", "UGA", "7319408", "t", "", "", ""),
        ("transit-share", "UGA", "71.5", "%", "", "", ""),
    ]
    assert rows[1][6].startswith("https://standardmedia.co.ke/")  # the page the figure was found on


def test_a_unit_without_an_exact_factor_is_never_guessed():
    with pytest.raises(KeyError):
        converted_rows("Northern,port_throughput_mombasa,KEN,2009,19,kilotonnes,KPA\n")


def test_all_is_the_corridor_as_a_whole_and_a_rounding_admitted_is_about():
    rows = converted_rows(
        'Northern,port_transit_traffic_mombasa,ALL,2016,7.75,million tonnes,"KPA via Busiweek"\n',
        "Central,port_transit_traffic_dar_es_salaam,RWA,FY2024/25,1700000,tonnes,"
        "\"Tanzania Ports Authority via Zawya (rounded '1.7 million')\"\n",
        'Central,port_transit_traffic_dar_es_salaam,ZMB,FY2024/25,3500000,tonnes,"TPA via Zawya"\n',
    )
    assert [(r[0], r[2], r[3], r[4], r[7], r[8]) for r in rows] == [
        ("northern-corridor", "", "2016", "7750000.00", "", ""),
        ("central-corridor", "RWA", "FY2024/25", "1700000", "about", "rounded '1.7 million'"),
    ]  # Zambia, not a member of the Central Corridor, left out


def test_a_fiscal_year_is_a_period_of_its_own():
    period = Period.parse("FY2023/24")
    assert (period.kind, period.start, str(period), period.end) == (
        PeriodKind.FISCAL_YEAR, dt.date(2023, 7, 1), "FY2023/24", dt.date(2024, 7, 1),
    )  # fmt: skip
    with pytest.raises(ValueError):
        Period.parse("FY2023/25")


def test_the_real_file_imports_with_its_conversions(db):
    load_demo()
    from agreements.trade.datasets import dataset_record, read_file

    file = FILES[0]
    result = load_reported(read_file(file.path), dataset_record(file))
    assert (result.rows, dict(result.skipped)) == (65, {"rows for Zambia (not a member of the Central Corridor)": 2})
    mombasa_2009 = IndicatorObservation.objects.get(
        corridor__slug="northern-corridor", indicator__slug="port-throughput", period_start=dt.date(2009, 1, 1)
    )
    assert (mombasa_2009.value, mombasa_2009.reported_value, mombasa_2009.reported_unit) == (
        Decimal("19060000"), Decimal("19.06"), "million tonnes",
    )  # fmt: skip
    kampala = IndicatorObservation.objects.get(
        indicator__slug="transit-time-mombasa-kampala", period_start=dt.date(2020, 10, 1)
    )
    assert (kampala.value, kampala.period_kind, kampala.source.publisher) == (
        Decimal("131"), "quarter", "Northern Corridor Transit and Transport Coordination Authority",
    )  # fmt: skip
