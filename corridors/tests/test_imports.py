"""Importing indicator figures from CSV: checked whole-file (every error with
its line, nothing written), idempotent on the natural key, from a shell
command and from the admin."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from agreements.models import Source
from agreements.tests.factories import SourceFactory
from corridors.imports import import_corridor_indicators
from corridors.models import IndicatorObservation
from corridors.tests.factories import IndicatorFactory, cargo, corridor_through
from tradepacts.imports import ImportFailed
from tradepacts.tests.upload_helpers import upload_and_confirm

pytestmark = pytest.mark.django_db

HEADER = "corridor,indicator,country,period,value,unit,source\n"


@pytest.fixture
def reference():
    corridor_through("KEN", "UGA", "RWA", name="Northern Corridor", slug="northern-corridor")
    corridor_through("TZA", "RWA", name="Central Corridor", slug="central-corridor")
    cargo()
    IndicatorFactory(slug="transit-time", name="Transit time", unit="hours", additive=False)
    SourceFactory(title="KPA annual report", url="")


GOOD = (
    HEADER
    + "northern-corridor,cargo,RWA,2024,600000,t,KPA annual report\n"
    + "Northern Corridor,Cargo throughput,rwa,2025-Q3,210000.5,,https://example.org/kpa-2025\n"
    + "central-corridor,transit-time,,2024-07,96,hours,\n"
)


def figures() -> list[tuple]:
    return list(
        IndicatorObservation.objects.order_by("period_start", "corridor__slug").values_list(
            "corridor__slug",
            "indicator__slug",
            "destination__iso3",
            "period_kind",
            "period_start",
            "value",
            "source__title",
        )
    )


def test_a_good_file_is_imported(reference):
    result = import_corridor_indicators(GOOD)

    assert (result.rows, result.created, result.updated) == (3, 3, 0)
    rows = {(r[0], str(r[4]), r[3]): r for r in figures()}
    assert rows[("northern-corridor", "2024-01-01", "year")][5] == Decimal("600000")
    assert rows[("northern-corridor", "2024-01-01", "year")][6] == "KPA annual report"
    assert rows[("northern-corridor", "2025-07-01", "quarter")][5] == Decimal("210000.5")
    assert rows[("central-corridor", "2024-07-01", "month")][2] is None
    created = Source.objects.get(url="https://example.org/kpa-2025")
    assert created.kind == Source.Kind.DATASET


def test_importing_again_changes_nothing(reference):
    import_corridor_indicators(GOOD)
    before = list(IndicatorObservation.objects.order_by("pk").values_list())
    history = IndicatorObservation.history.count()

    result = import_corridor_indicators(GOOD)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert list(IndicatorObservation.objects.order_by("pk").values_list()) == before
    assert IndicatorObservation.history.count() == history


def test_a_changed_value_updates_the_figure_on_its_natural_key(reference):
    import_corridor_indicators(GOOD)
    result = import_corridor_indicators(HEADER + "northern-corridor,cargo,RWA,2024,650000,t,\n")
    assert (result.created, result.updated) == (0, 1)
    figure = IndicatorObservation.objects.get(period_kind="year", corridor__slug="northern-corridor")
    assert figure.value == 650000 and figure.source.title == "KPA annual report", "a blank source keeps the old one"


def test_a_bad_file_is_refused_whole_with_every_error_by_line(reference):
    bad = (
        HEADER
        + "northern-corridor,cargo,RWA,2024,600000,t,\n"  # good, but not written
        + "southern-corridor,cargo,RWA,2024,1,t,\n"  # line 3
        + "northern-corridor,tonnage,RWA,2024,1,t,\n"  # line 4
        + "northern-corridor,cargo,TZA,2024,1,t,\n"  # line 5: not a member
        + "northern-corridor,cargo,RWA,2024-Q5,-3,kg,\n"  # line 6: two errors and a unit
        + "northern-corridor,cargo,RWA,2024,1 000,t,\n"  # line 7: duplicate key, bad number
        + "northern-corridor,cargo,RWA,2024,5,t,\n"  # line 8: the same figure as line 2
        + "northern-corridor,cargo,XXX,2024,5,t\n"  # line 9: six cells
    )
    with pytest.raises(ImportFailed) as failure:
        import_corridor_indicators(bad)

    errors = [str(e) for e in failure.value.errors]
    assert errors == [
        "line 3, column corridor: Unknown corridor “southern-corridor”: give its slug or name.",
        "line 4, column indicator: Unknown indicator “tonnage”: give its slug or name.",
        "line 5, column country: TZA is not a member country of corridor “northern-corridor”.",
        "line 6, column period: “2024-Q5” is not a period: write a year (2024), a quarter (2024-Q3), a month "
        "(2024-07) or a fiscal year (FY2023/24, July 2023 to June 2024).",
        "line 6, column value: -3 is negative: a value is never below zero.",
        "line 6, column unit: “kg” is not this indicator's unit (t): figures are never converted; give them in t.",
        "line 7, column value: “1 000” is not a number: digits with a point for decimals, no thousands separators.",
        "line 8, column period: The same figure (corridor, indicator, country, period) as line 2.",
        "line 9: This row has 6 cells; the header has 7.",
    ]
    assert not IndicatorObservation.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: The file is empty: it needs a header row."),
        (HEADER, "file: The file has a header but no rows."),
        ("corridor,indicator,period,value,colour\n", "line 1: Unknown column(s): colour."),
        ("corridor,indicator,period,value\n", "line 1: Missing column(s): country, unit, source."),
        (b"corridor,indicator\n\xff\xfe", "file: The file is not UTF-8"),
    ],
)
def test_files_refused_at_the_header(reference, text, message):
    with pytest.raises(ImportFailed) as failure:
        import_corridor_indicators(text)
    assert any(str(e).startswith(message) for e in failure.value.errors), failure.value.errors


def test_the_export_imports_back_unchanged(reference, client):
    import_corridor_indicators(
        HEADER.strip() + ",qualifier,note,synthetic\n"
        'northern-corridor,cargo,RWA,2024,600000,t,KPA annual report,about,"“approximately 600,000”",no\n'
        "northern-corridor,cargo,RWA,2023,-0,t,,,=formula?,yes\n"
    )
    exported = client.get("/corridors/northern-corridor/indicators.csv").getvalue()
    before = list(IndicatorObservation.objects.order_by("pk").values_list())

    result = import_corridor_indicators(exported)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert list(IndicatorObservation.objects.order_by("pk").values_list()) == before
    assert IndicatorObservation.objects.get(period_start__year=2023).note == "=formula?"


def test_command_imports_and_reports(reference, tmp_path):
    path = tmp_path / "figures.csv"
    path.write_text(GOOD, encoding="utf-8")
    out = StringIO()
    call_command("import_corridor_indicators", str(path), stdout=out)
    assert "Imported figures.csv: 3 indicator figure(s): 3 created, 0 updated, 0 unchanged." in out.getvalue()


def test_command_prints_errors_and_writes_nothing(reference, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "northern-corridor,cargo,RWA,2024,x,t,\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_corridor_indicators", str(path), stderr=err)
    assert "line 2, column value: “x” is not a number" in err.getvalue()
    assert not IndicatorObservation.objects.exists()


def test_admin_upload(reference, admin_client):
    url = reverse("admin:corridors_indicatorobservation_import")
    changelist = admin_client.get(reverse("admin:corridors_indicatorobservation_changelist")).content.decode()
    assert f'href="{url}"' in changelist

    bad = upload_and_confirm(
        admin_client, url, {"file": _upload("bad.csv", HEADER + "northern-corridor,cargo,RWA,20x4,1,t,\n")}
    )
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "The file has 1 error: nothing of it was imported." in html
    assert "line 2, column period: “20x4” is not a period" in html
    assert not IndicatorObservation.objects.exists()

    good = upload_and_confirm(admin_client, url, {"file": _upload("good.csv", GOOD)})
    assert "Imported good.csv: 3 indicator figure(s): 3 created" in good.content.decode()
    assert IndicatorObservation.objects.count() == 3


def _upload(name: str, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")
