"""The "Sources and coverage" page: every dataset loaded, what it is, its licence and citation,
the years and countries it covers, when it was imported, how many rows, and how old that is."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agreements.models import Dataset


def sources(request: HttpRequest) -> HttpResponse:
    datasets = Dataset.objects.select_related("source").order_by("title")
    return render(request, "sources.html", {"datasets": datasets})
