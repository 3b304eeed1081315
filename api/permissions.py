"""What a token may do: its scope, then the roles of the page the endpoint mirrors.

The records inside are still fetched through each model's `visible_to(user)`, the one gate the
pages use, so that what a person may not see answers 404 here as there."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions


class TokenScope(permissions.BasePermission):
    """A request carries a usable token (else 401); a read token only reads (else 403)."""

    message = _("This token may only read: make one that may read and write.")

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated and request.auth is not None):
            return False
        return request.method in permissions.SAFE_METHODS or request.auth.writes


def roles(*perms: str):
    """A permission class letting in whoever holds any of `perms` (as the pages'
    `permission_any_required`), after the token's scope."""

    class Roles(TokenScope):
        def has_permission(self, request, view):
            if not super().has_permission(request, view):
                return False
            if not any(request.user.has_perm(perm) for perm in perms):
                self.message = _("Your roles do not include this.")
                return False
            return True

    return Roles
