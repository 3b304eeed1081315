"""Who the client is, and how often it may ask for something that costs the site work.

The client's address is the connection's, or behind a load balancer the one the proxies the
deployment trusts wrote (DJANGO_TRUSTED_PROXY_COUNT): each proxy appends to X-Forwarded-For the
address that connected to it, so the n-th address from the right was written by the outermost
trusted proxy; anything further left was written by the client and is not believed (as
Werkzeug's ProxyFix counts). django-axes takes it from here (AXES_CLIENT_IP_CALLABLE), and so do
the audit log and the rate limits.

A rate limit is a counter in the cache per what is limited and window: small, bounded, and
gone when the window ends, the only state a stranger may leave.
"""

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str | None:
    """The client's IP address, as the deployment's trusted proxies saw it."""
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR") or None
    if not count:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        # Not through the proxies (a health check from inside, a misconfiguration): the
        # connection is all there is to go by.
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _key(scope: str, value: str) -> str:
    # Hashed: the cache holds no address typed by a stranger, and the key's length is bounded.
    digest = hashlib.sha256(value.casefold().encode("utf-8", "surrogatepass")).hexdigest()
    return f"throttle:{scope}:{digest[:32]}"


def rate_allow(*, scope: str, value: str, limit: int, window: int) -> bool:
    """Count one more request for `value` in `scope`; False once more than `limit` came within
    `window` seconds (a fixed window, started by the first request)."""
    key = _key(scope, value)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= limit
