"""A limit per token: `API_TOKEN_RATE_PER_MINUTE` requests in a minute (a fixed window), counted
in the cache as the site's other rate limits are (`accounts.throttle.rate_allow`)."""

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from accounts.throttle import rate_allow

WINDOW = 60


class PerTokenThrottle(BaseThrottle):
    def allow_request(self, request, view):
        if request.auth is None:
            return True  # refused anyway (401): nothing to count, nothing stored
        return rate_allow(
            scope="api-token",
            value=str(request.auth.pk),
            limit=settings.API_TOKEN_RATE_PER_MINUTE,
            window=WINDOW,
        )

    def wait(self):
        return WINDOW
