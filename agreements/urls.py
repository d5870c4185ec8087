from django.urls import path

from agreements.views import agreements as views
from agreements.views import exports, feeds, listing

app_name = "agreements"

urlpatterns = [
    path("", listing.AgreementListView.as_view(), name="list"),
    # Before the detail pattern: "export.csv" is not a slug, but keep the order obvious.
    path("export.csv", exports.export_csv, name="export"),
    path("feed.atom", feeds.agreement_feed, name="feed"),
    path("<slug:slug>/", views.AgreementDetailView.as_view(), name="detail"),
]
