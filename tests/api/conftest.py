"""Clients of the API: a person's personal access token in the Authorization header."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from api.services import access_token_create


def token_for(user, scope: str = "write", days: int = 30) -> str:
    """A new token of `user`'s, its secret."""
    _token, secret = access_token_create(
        user=user,
        name=f"{scope} token",
        scope=scope,
        expires_on=timezone.localdate(timezone.now(), user.time_zone) + dt.timedelta(days=days),
    )
    return secret


def bearer(user, scope: str = "write") -> Client:
    """A test client sending a new token of `user`'s with every request."""
    return Client(headers={"Authorization": f"Bearer {token_for(user, scope)}"})
