from functools import wraps

from django.core.exceptions import PermissionDenied


def permission_any_required(*perms: str):
    """The page belongs to several roles: let in whoever holds any of `perms`, refuse the rest
    with 403 (the page exists; records inside it are still gated by `visible_to`)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not any(request.user.has_perm(perm) for perm in perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
