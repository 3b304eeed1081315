from functools import partial

from .models import Notification


def _unread(user) -> int:
    return Notification.objects.visible_to(user).unread().count()


def bell(request):
    """The bell's unread count: one query, made only when a page's navigation shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": partial(_unread, user)}
