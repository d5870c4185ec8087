"""The environment contract of tradepacts/settings.py.

Each case loads the settings in a fresh interpreter with a controlled
environment: the variables settings.py reads are removed from a copy of this
process's environment, then the case sets its own. A developer's .env file is
not read there, so these checks mean the same on every machine.
"""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SETTINGS = REPO / "tradepacts" / "settings.py"


def settings_variables() -> set[str]:
    """The names settings.py reads, found by its calls: env.bool("DEBUG", ...)."""
    return set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", SETTINGS.read_text()))


# Loads Django's settings with .env reading switched off, then runs the body.
PRELUDE = """
import environ
environ.Env.read_env = classmethod(lambda cls, *args, **kwargs: None)
"""


# Set by the browser tests for their own process; a deployment never has it.
TEST_ONLY_VARIABLES = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def clean_environment() -> dict[str, str]:
    """This process's environment without anything settings.py or the test run put there."""
    skip = settings_variables() | TEST_ONLY_VARIABLES
    return {name: value for name, value in os.environ.items() if name not in skip}


def run_python(body: str, **variables: str) -> subprocess.CompletedProcess[str]:
    env = clean_environment()
    env["DJANGO_SETTINGS_MODULE"] = "tradepacts.settings"
    env.update(variables)
    return subprocess.run(
        [sys.executable, "-c", PRELUDE + body],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def load_settings(*names: str, **variables: str) -> dict:
    """The named settings, as loaded with these environment variables."""
    body = f"""
import json
from django.conf import settings
print(json.dumps({{name: getattr(settings, name) for name in {list(names)!r}}}))
"""
    result = run_python(body, **variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def production(**variables: str) -> dict[str, str]:
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "tradepacts.example.org",
        **variables,
    }


def test_the_variable_finder_sees_the_settings():
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"} <= settings_variables()


@pytest.mark.parametrize(
    "database_url",
    ["sqlite:////tmp/tradepacts-deploy-check.sqlite3", "postgres://tradepacts@db.example.org:5432/tradepacts"],
)
def test_production_settings_pass_the_deploy_check(database_url):
    env = clean_environment()
    env.update(production(DATABASE_URL=database_url, CELERY_BROKER_URL="redis://127.0.0.1:6379/0"))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("debug", ["0", "1"])
def test_a_real_host_without_secret_key_refuses_to_load(debug):
    result = run_python(
        "from django.conf import settings; settings.DEBUG",
        DEBUG=debug,
        ALLOWED_HOSTS="tradepacts.example.org",
    )
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("django.core.exceptions.ImproperlyConfigured:")
    assert "SECRET_KEY" in message


def test_local_hosts_load_without_secret_key():
    loaded = load_settings("ALLOWED_HOSTS", "SECRET_KEY", ALLOWED_HOSTS="127.0.0.1,localhost")
    assert loaded["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]
    assert loaded["SECRET_KEY"]


def test_a_real_host_with_secret_key_loads():
    key = secrets.token_urlsafe(64)
    loaded = load_settings("SECRET_KEY", "ALLOWED_HOSTS", **production(SECRET_KEY=key))
    assert loaded == {"SECRET_KEY": key, "ALLOWED_HOSTS": ["tradepacts.example.org"]}


CELERY_APP_EAGER = """
import json
from django.conf import settings
from tradepacts.celery import app
print(json.dumps([settings.CELERY_TASK_ALWAYS_EAGER, app.conf.task_always_eager, app.conf.broker_url]))
"""


def test_without_a_broker_tasks_run_in_process():
    result = run_python(CELERY_APP_EAGER)
    assert result.returncode == 0, result.stderr
    settings_eager, app_eager, _ = json.loads(result.stdout.splitlines()[-1])
    assert settings_eager is True
    assert app_eager is True


def test_with_a_broker_tasks_are_queued():
    result = run_python(CELERY_APP_EAGER, CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stderr
    settings_eager, app_eager, broker_url = json.loads(result.stdout.splitlines()[-1])
    assert settings_eager is False
    assert app_eager is False
    assert broker_url == "redis://127.0.0.1:6379/0"


def test_debug_is_off_unless_asked_for():
    assert load_settings("DEBUG") == {"DEBUG": False}


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("true", True), ("0", False), ("false", False)])
def test_debug_follows_the_variable(value, expected):
    assert load_settings("DEBUG", DEBUG=value) == {"DEBUG": expected}


def test_env_example_documents_every_variable():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (REPO / ".env.example").read_text(), re.MULTILINE))
    assert settings_variables() - documented == set()
