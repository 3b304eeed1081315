"""What each role may do: the one definition of the role groups and their permissions.

`roles_sync` runs in migration 0002 and again after every `migrate` (and every test-database
flush), so the groups always match this file: a permission added here reaches existing sites on
their next deploy.
"""

from django.apps import apps as global_apps

from .models import Role

# Capability permissions of accounts.User (see User.Meta.permissions), by role.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.PROGRAMME_ADMIN: [
        "manage_curriculum",
        "manage_people",
        "log_training",
        "sign_assessment",
    ],
    Role.TRAINER: ["log_training", "sign_assessment"],
    Role.TRAINEE: ["view_own_progress"],
    Role.MEDICAL_OFFICER: ["manage_medical"],
}


def roles_sync(*, apps=global_apps, using: str = "default") -> None:
    """Create the role groups and give each exactly its permissions. Idempotent.

    Takes the migration's historical `apps` too, so it must only use what 0001 already had.
    """
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("accounts", "User")
    names = dict(User._meta.permissions)
    # Django makes permissions after migrate; the groups need them now.
    user_type, _ = ContentType.objects.using(using).get_or_create(
        app_label="accounts", model="user"
    )
    for role, codenames in ROLE_PERMISSIONS.items():
        permissions = [
            Permission.objects.using(using).get_or_create(
                content_type=user_type, codename=codename, defaults={"name": str(names[codename])}
            )[0]
            for codename in codenames
        ]
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        group.permissions.set(permissions)


def roles_sync_after_migrate(sender, *, apps=global_apps, using="default", **kwargs) -> None:
    roles_sync(apps=apps, using=using)
