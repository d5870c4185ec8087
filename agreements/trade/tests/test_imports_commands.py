"""The trade import commands: their output and exit status."""

import os
import re
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from agreements.models import ExchangeRate, TradeFlow
from agreements.trade.tests.import_helpers import HEADER, PLAIN, lines, stored

# Imports and admin changes ask for refreshes: record them instead (conftest.refresh).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("refresh")]


# --- the commands ----------------------------------------------------------------------


def test_the_command_imports_and_says_what_it_did(tmp_path, refresh):
    path = tmp_path / "national.csv"
    path.write_bytes(PLAIN)
    out = StringIO()

    call_command("import_trade_flows", str(path), "--source", "Tanzania National Bureau of Statistics", stdout=out)

    assert (
        out.getvalue()
        == "Imported national.csv: 3 trade figure(s) (plain layout): 3 created, 0 updated, 0 unchanged.\n"
    )
    assert TradeFlow.objects.get(reporter__iso3="RWA").source.title == "Tanzania National Bureau of Statistics"
    assert TradeFlow.objects.get(reporter__iso3="TZA").source.title == "Rwanda and Tanzania agree to deepen cooperation"


def test_the_rates_command_imports_rates(tmp_path):
    path = tmp_path / "rates.csv"
    path.write_bytes(lines("currency,year,units_per_usd", "TZS,2025,2550"))
    out = StringIO()

    call_command("import_exchange_rates", str(path), "--source", "https://www.bot.go.tz/", stdout=out)

    assert "1 exchange rate(s) (exchange rates layout): 1 created" in out.getvalue()
    assert ExchangeRate.objects.get().source.url == "https://www.bot.go.tz/"


def test_the_command_prints_every_error_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        lines(HEADER, "RWA,TZA,2025,exports,1,USD", "XYZ,RWA,2025,exports,1,USD", "KEN,RWA,2025,exports,-1,USD")
    )
    before = stored()
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError) as failure:
        call_command("import_trade_flows", str(path), stdout=out, stderr=err)

    assert failure.value.returncode == 1
    assert str(failure.value) == "2 error(s) in bad.csv: nothing was imported."
    assert err.getvalue().splitlines() == [
        "line 3, column reporter: Unknown country code “XYZ”: use ISO 3166 alpha-3 codes, e.g. KEN.",
        "line 4, column value: -1 is negative: a value is never below zero.",
    ]
    assert out.getvalue() == ""
    assert stored() == before


def test_the_command_refuses_a_missing_file_and_a_bad_source(tmp_path):
    with pytest.raises(CommandError, match=r"Cannot read .*nowhere.csv: No such file or directory\."):
        call_command("import_trade_flows", str(tmp_path / "nowhere.csv"))
    with pytest.raises(CommandError, match=re.escape("--source: “https://exa mple.org” is not a valid URL.")):
        call_command("import_trade_flows", str(tmp_path / "nowhere.csv"), "--source", "https://exa mple.org")


def test_the_command_exits_with_status_1(tmp_path):
    """Through manage.py, as a script would run it (a header error needs no database)."""
    path = tmp_path / "rates.csv"
    path.write_bytes(lines("currency,year,units_per_usd", "TZS,2025,2550"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}

    run = subprocess.run(
        [sys.executable, "manage.py", "import_trade_flows", str(path)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr.splitlines()[0].startswith("line 1: This file has the exchange-rate columns")
    assert "CommandError: 1 error(s) in rates.csv: nothing was imported." in run.stderr
