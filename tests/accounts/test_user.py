import datetime as dt
import zoneinfo

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction

from accounts.models import Role, User
from accounts.services import user_set_roles
from tests.factories import UserFactory


def test_the_four_roles_are_groups_with_their_permissions(db):
    def perms(role):
        group = Group.objects.get(name=role)
        return set(group.permissions.values_list("codename", flat=True))

    assert perms(Role.PROGRAMME_ADMIN) == {
        "manage_curriculum",
        "manage_people",
        "log_training",
        "sign_assessment",
    }
    assert perms(Role.TRAINER) == {"log_training", "sign_assessment"}
    assert perms(Role.TRAINEE) == {"view_own_progress"}
    assert perms(Role.MEDICAL_OFFICER) == {"manage_medical"}


def test_permissions_follow_the_role(db):
    user = UserFactory(roles=[Role.TRAINEE])
    assert user.has_perm("accounts.view_own_progress")
    assert not user.has_perm("accounts.log_training")


def test_a_persons_permissions_are_their_roles_and_their_own_read_in_one_query(
    db, django_assert_num_queries
):
    person = UserFactory(roles=[Role.TRAINER, Role.MEDICAL_OFFICER])
    person.user_permissions.add(Permission.objects.get(codename="manage_people"))
    person = User.objects.get(pk=person.pk)
    with django_assert_num_queries(1):
        assert person.get_all_permissions() == {
            "accounts.log_training",
            "accounts.sign_assessment",
            "accounts.manage_medical",
            "accounts.manage_people",
        }
        assert person.has_perm("accounts.manage_medical")
        assert not person.has_perm("accounts.view_own_progress")
    person.is_active = False
    assert not person.has_perm("accounts.log_training")


def test_setting_roles_replaces_them_and_keeps_other_groups(db):
    other = Group.objects.create(name="choir")
    user = UserFactory(roles=[Role.TRAINEE])
    user.groups.add(other)
    user_set_roles(user=user, roles=[Role.TRAINER, Role.MEDICAL_OFFICER])
    assert user.roles == {Role.TRAINER, Role.MEDICAL_OFFICER}
    assert set(user.groups.values_list("name", flat=True)) == {
        "choir",
        Role.TRAINER,
        Role.MEDICAL_OFFICER,
    }


def test_the_primary_role_follows_the_order_of_precedence(db):
    user = UserFactory(roles=[Role.TRAINEE, Role.TRAINER])
    assert user.primary_role == Role.TRAINER
    assert UserFactory().primary_role is None


def test_names_are_kept_whole_in_two_scripts(db):
    user = UserFactory(display_name="Ayesha Khan", native_name="عائشہ خان")
    assert str(user) == user.get_full_name() == "Ayesha Khan"
    assert not hasattr(User, "first_name") or User.first_name is None


def test_the_default_time_zone_is_the_sites(db, settings):
    settings.TIME_ZONE = "Asia/Karachi"
    assert UserFactory().time_zone == zoneinfo.ZoneInfo("Asia/Karachi")


@pytest.mark.parametrize(
    ("start", "end", "local", "quiet"),
    [
        ("22:00", "07:00", "23:30", True),
        ("22:00", "07:00", "06:59", True),
        ("22:00", "07:00", "07:00", False),
        ("22:00", "07:00", "12:00", False),
        ("12:00", "14:00", "13:00", True),
        ("12:00", "14:00", "14:00", False),
    ],
)
def test_quiet_hours_are_read_in_the_persons_time_zone(db, start, end, local, quiet):
    user = UserFactory(
        time_zone="Asia/Karachi",
        quiet_hours_start=dt.time.fromisoformat(start),
        quiet_hours_end=dt.time.fromisoformat(end),
    )
    at = dt.datetime.combine(
        dt.date(2026, 11, 23), dt.time.fromisoformat(local), zoneinfo.ZoneInfo("Asia/Karachi")
    )
    # Handed over in UTC, as stored times are.
    assert user.in_quiet_hours(at.astimezone(dt.UTC)) is quiet


def test_no_quiet_hours_means_never_quiet(db):
    assert UserFactory().in_quiet_hours() is False


def test_the_database_refuses_half_quiet_hours(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(quiet_hours_start=dt.time(22, 0))


def test_the_database_refuses_an_unknown_language(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(preferred_language="fr")


def test_the_database_refuses_the_same_email_in_other_case(db):
    UserFactory(email="Ayesha@Example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(email="ayesha@example.org")
    # Many people may have no address yet.
    UserFactory(email="")
    UserFactory(email="")


@pytest.mark.django_db(transaction=True)
def test_the_roles_come_back_after_a_flush():
    from django.core.management import call_command

    call_command("flush", interactive=False, verbosity=0)
    assert set(Group.objects.values_list("name", flat=True)) == set(Role.values)
    assert UserFactory(roles=[Role.TRAINER]).has_perm("accounts.log_training")


def test_syncing_the_roles_mends_a_changed_group(db):
    from accounts.roles import roles_sync

    trainer_group = Group.objects.get(name=Role.TRAINER)
    trainer_group.permissions.clear()
    roles_sync()
    assert set(trainer_group.permissions.values_list("codename", flat=True)) == {
        "log_training",
        "sign_assessment",
    }
