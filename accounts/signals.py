from django.utils import timezone


def last_login_record(sender, user, **kwargs) -> None:
    """Note the time of a sign-in on the person without adding to their history.

    A deliberate narrow UPDATE: the sign-in itself is recorded by django-axes' access log, and
    a history record per sign-in would bury the changes that matter (profile, roles).
    """
    user.last_login = timezone.now()
    type(user).objects.filter(pk=user.pk).update(last_login=user.last_login)
