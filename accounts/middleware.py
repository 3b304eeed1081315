from django.utils import timezone, translation


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
