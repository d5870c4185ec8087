from django.contrib import admin
from django.urls import include, path

from tradepacts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("agreements/", include("agreements.urls")),
    path("countries/", include("agreements.country_urls")),
    path("corridors/", include("corridors.urls")),
    path("admin/", admin.site.urls),
]
