"""/corridors/: the corridor list and one corridor's page."""

from django.urls import path

from agreements.views.list_formats import json_of_list, with_json_twin
from corridors import views

app_name = "corridors"

urlpatterns = [
    path("", views.CorridorListView.as_view(), name="list"),
    # ?format=json: its agreements, the list's JSON (?corridor=<slug>).
    path(
        "<slug:slug>/",
        with_json_twin(views.CorridorDetailView.as_view(), json_of_list(views.corridor_list_params)),
        name="detail",
    ),
    path("<slug:slug>/indicators.csv", views.indicators_csv, name="indicators_csv"),
]
