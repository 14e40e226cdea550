"""The site's 404 handler: JSON under /api/, the usual page elsewhere.

DRF answers a missing object in JSON, but a URL that no route matches (an id
with a slash in it, a misspelt resource) reaches Django's handler, whose HTML
page is not what the schema promises API clients. Used when DEBUG is off.
"""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found as html_page_not_found


def page_not_found(request, exception):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return html_page_not_found(request, exception)
