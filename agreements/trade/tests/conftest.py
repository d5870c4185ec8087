"""The agreements app's fixtures serve the trade statistics' tests too."""

from agreements.tests.conftest import refresh  # noqa: F401 (a fixture)
