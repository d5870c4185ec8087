"""/countries/: the country list, a country, and a pair of countries (either order)
with its trade statistics as CSV; each page also as JSON (``?format=json``, country_formats).

Codes are ISO 3166-1 alpha-3, in any case: ``/countries/ken/`` redirects to
``/countries/KEN/``. Anything that is not three letters is a 404 before any query.
"""

from django.urls import path, re_path

from agreements.views import countries as country_views
from agreements.views.country_formats import countries_json, country_list_params, pair_list_params
from agreements.views.list_formats import json_of_list, with_json_twin

app_name = "countries"

ISO3 = r"[A-Za-z]{3}"

urlpatterns = [
    # ?format=json: the countries as data; a country's or a pair's agreements, the list's JSON.
    path("", with_json_twin(country_views.country_list, countries_json), name="list"),
    re_path(
        rf"^(?P<code>{ISO3})/$",
        with_json_twin(country_views.country_detail, json_of_list(country_list_params)),
        name="detail",
    ),
    re_path(
        rf"^(?P<code>{ISO3})/(?P<other>{ISO3})/$",
        with_json_twin(country_views.country_pair, json_of_list(pair_list_params)),
        name="pair",
    ),
    re_path(
        rf"^(?P<code>{ISO3})/(?P<other>{ISO3})/trade\.csv$",
        country_views.country_pair_trade_csv,
        name="pair-trade-csv",
    ),
]
