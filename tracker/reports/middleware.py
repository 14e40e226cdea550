"""Chinese first: the interface is in Chinese until its reader chooses English."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, minus the browser's Accept-Language header.

    The plans, targets and quotes are Chinese whatever the interface says, so
    the interface starts in Chinese (LANGUAGE_CODE) for every reader, and
    switches to English only when the reader asks with the language switcher
    (its cookie, set by django.views.i18n.set_language).

    API clients keep Django's negotiation: a program that sends
    Accept-Language asks on purpose, and has no switcher to click.
    """

    def process_request(self, request):
        if request.path_info.startswith("/api/"):
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = settings.LANGUAGE_CODE
        if chosen:
            try:
                language = translation.get_supported_language_variant(chosen)
            except LookupError:
                pass
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
