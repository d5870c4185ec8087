"""The agreements app's admin: each module registers its own models.

The reference data first (the agreement's autocompletes need it), then the
agreements; the DESTA, WTO and GPTAD uploads and the trade statistics add their
URLs to the registered Agreement admin, so they come after it.
"""

from agreements.admin import reference  # noqa: F401, I001 (registers; the order matters)
from agreements.admin import agreements, datasets, desta  # noqa: F401 (registers)
from agreements.trade import admin as trade_admin  # noqa: F401 (registers)
