from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from agreements.views.list_formats import json_alias
from agreements.views.sources import sources
from tradepacts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    # Browsers ask for /favicon.ico on every page, the admin's included.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("agreements/", include("agreements.urls")),
    path("agreements.json", json_alias),  # the list's JSON is /agreements/?format=json
    path("countries/", include("agreements.country_urls")),
    path("corridors/", include("corridors.urls")),
    path("sources/", sources, name="sources"),
    path("admin/", admin.site.urls),
]
