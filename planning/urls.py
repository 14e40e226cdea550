"""The site's URLs: the admin, the API and the report pages."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", include("tracker.api.urls")),
    path("", include("tracker.urls")),
    # The report pages at the root; last, so they never shadow the admin or the API.
    path("", include("tracker.reports.urls")),
]

# JSON under /api/ for a URL no route matches; Django's page elsewhere.
handler404 = "tracker.api.not_found.page_not_found"
# JSON under /api/ for an error outside the views (a 503 for a database fault).
handler500 = "tracker.api.exceptions.server_error"
