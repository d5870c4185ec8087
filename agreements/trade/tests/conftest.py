"""The agreements app's fixtures serve the trade statistics' tests too, and the figures
worked out by hand serve every trade test module."""

from agreements.tests.conftest import refresh  # noqa: F401 (a fixture)
from agreements.trade.tests.page_helpers import pair  # noqa: F401 (a fixture)
from agreements.trade.tests.refresh_helpers import figures, regional_trade  # noqa: F401 (fixtures)
