"""URLs of the app that are neither the API nor the report pages."""

from django.urls import path

from tracker.evidence import evidence_download

urlpatterns = [
    path("evidence/<int:pk>/", evidence_download, name="evidence-download"),
]
