"""The agreements app's admin: each module registers its own models.

The agreements registry first; the DESTA upload and the trade statistics add
their URLs to the registered Agreement admin, so they come after it.
"""

from agreements.admin import agreements, datasets, desta  # noqa: F401 (registers)
from agreements.trade import admin as trade_admin  # noqa: F401 (registers)
