from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Role, User


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[Role]) -> None:
    """Give `user` exactly these roles, keeping any group that is not a role."""
    wanted = set(roles)
    groups = Group.objects.filter(name__in=Role.values)
    user.groups.remove(*[g for g in groups if g.name not in wanted])
    user.groups.add(*[g for g in groups if g.name in wanted])
    # The cached roles of this instance are now stale.
    user.__dict__.pop("roles", None)
