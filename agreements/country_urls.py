"""/countries/: the country list, a country, and a pair of countries (either order)
with its trade statistics as CSV.

Codes are ISO 3166-1 alpha-3, in any case: ``/countries/ken/`` redirects to
``/countries/KEN/``. Anything that is not three letters is a 404 before any query.
"""

from django.urls import path, re_path

from agreements.views import countries as country_views

app_name = "countries"

ISO3 = r"[A-Za-z]{3}"

urlpatterns = [
    path("", country_views.country_list, name="list"),
    re_path(rf"^(?P<code>{ISO3})/$", country_views.country_detail, name="detail"),
    re_path(rf"^(?P<code>{ISO3})/(?P<other>{ISO3})/$", country_views.country_pair, name="pair"),
    re_path(
        rf"^(?P<code>{ISO3})/(?P<other>{ISO3})/trade\.csv$",
        country_views.country_pair_trade_csv,
        name="pair-trade-csv",
    ),
]
