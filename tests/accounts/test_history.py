"""Changes to a person are kept with who made them; sign-ins and password hashes are not."""

from django.urls import reverse

from accounts.models import Role, User
from accounts.services import user_set_roles
from tests.factories import PASSWORD


def test_a_change_made_in_a_request_records_who_made_it(client, trainer):
    client.force_login(trainer)
    client.post(reverse("set_language"), {"language": "ur", "next": "/trainer/"})
    latest = trainer.history.latest()
    assert latest.history_user == trainer
    assert latest.history_type == "~"
    delta = latest.diff_against(latest.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("preferred_language", "en", "ur")]


def test_a_role_change_is_in_the_history_with_the_earlier_roles(db, trainee):
    before = trainee.history.count()
    user_set_roles(user=trainee, roles=[Role.TRAINER])
    records = list(trainee.history.all()[: trainee.history.count() - before])
    assert len(records) == 2  # the trainee role removed, the trainer role added
    latest, earlier = records
    assert [g.group.name for g in latest.groups.all()] == [Role.TRAINER]
    assert [g.group.name for g in earlier.prev_record.groups.all()] == [Role.TRAINEE]


def test_setting_the_same_roles_again_records_nothing(db, trainee):
    before = trainee.history.count()
    user_set_roles(user=trainee, roles=[Role.TRAINEE])
    assert trainee.history.count() == before


def test_signing_in_updates_last_login_without_a_history_record(client, trainer):
    before = trainer.history.count()
    client.post("/accounts/login/", {"username": trainer.username, "password": PASSWORD})
    trainer.refresh_from_db()
    assert trainer.last_login is not None
    assert trainer.history.count() == before


def test_the_history_never_holds_a_password_hash(db, trainer):
    trainer.set_password("a-brand-new-secret-42")
    trainer.save()
    fields = {field.name for field in User.history.model._meta.get_fields()}
    assert "password" not in fields and "last_login" not in fields
    assert trainer.history.latest().history_type == "~"
