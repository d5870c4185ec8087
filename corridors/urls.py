"""/corridors/: the corridor list and one corridor's page."""

from django.urls import path

from corridors import views

app_name = "corridors"

urlpatterns = [
    path("", views.CorridorListView.as_view(), name="list"),
    path("<slug:slug>/", views.CorridorDetailView.as_view(), name="detail"),
    path("<slug:slug>/indicators.csv", views.indicators_csv, name="indicators_csv"),
]
