from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers


class UserPreferencesMiddleware:
    """Shows a signed-in person the site in their own language and time zone.

    Their profile wins over the language cookie and the browser's Accept-Language, so the
    interface follows them from one device to the next. Goes after AuthenticationMiddleware and
    LocaleMiddleware (which then labels the response with the language chosen here).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
            timezone.activate(user.time_zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class NoStoreMiddleware:
    """Marks every answer to a signed-in person `Cache-Control: no-store`.

    Every page behind the sign-in carries someone's records: medical holds and certificates,
    grades, the trainee's download, transcripts and boards as PDF or CSV. Marking them one view
    at a time would miss the next one added; marking every signed-in answer misses none, and
    costs little (a page is built per person anyway, never served from a shared cache). What
    an anonymous visitor gets (the sign-in page, static files, served by WhiteNoise before this)
    is left alone, and so is a view that chose its own caching (the calendar feed). Goes after
    AuthenticationMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
