"""The site's URLs: the admin, the API and the report pages."""

from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

urlpatterns = [
    # Without CSRF: a forged request can only switch a reader's language (and
    # `next` is checked against the site's hosts), and a page whose language
    # switcher holds no token can be cached for every anonymous reader
    # (tracker/freshness.py); a token is per reader and cannot be shared.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
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
