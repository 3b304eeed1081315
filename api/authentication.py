"""Who an API request is: the person whose personal access token it carries.

`Authorization: Bearer <token>`. A token that is unknown, revoked or expired, or whose person
has been deactivated, is refused with 401 and the same words for each, so that an answer tells
nobody which tokens once existed. Each accepted use is recorded (`access_token_used`).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.throttle import client_address
from api.services import access_token_find, access_token_used

REFUSED = _("The access token is unknown, expired or revoked.")


class AccessTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None  # no token: anonymous, refused by the permission with 401
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after Bearer, and no more."))
        try:
            secret = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(REFUSED) from None
        token = access_token_find(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(REFUSED)
        access_token_used(
            token=token,
            address=client_address(request),
            client=request.META.get("HTTP_USER_AGENT", ""),
        )
        return token.user, token

    def authenticate_header(self, request):
        # A 401 names the scheme, so that clients know to send the token.
        return self.keyword


class AccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = AccessTokenAuthentication
    name = "accessToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token, made under Profile, API tokens.",
        }
