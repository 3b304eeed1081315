from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Role, User


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[Role]) -> None:
    """Give `user` exactly these roles, keeping any group that is not a role."""
    wanted = set(roles)
    groups = list(Group.objects.filter(name__in=Role.values))
    # Only what changes, so that the person's history shows one record per real change.
    current = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    if to_remove := [g for g in groups if g.name in current - wanted]:
        user.groups.remove(*to_remove)
    if to_add := [g for g in groups if g.name in wanted - current]:
        user.groups.add(*to_add)
    # The cached roles of this instance are now stale.
    user.__dict__.pop("roles", None)
