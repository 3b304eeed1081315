"""Writes to people: creating, inviting, changing roles and profiles, deactivating.

Nobody sets another person's password here: a new person is sent a one-time link to set their
own, made by Django's password-reset token generator (void once the password changes, or after
PASSWORD_RESET_TIMEOUT).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from trainingtracker.helpers import refused_when_raced

from . import audit
from .models import Role, User

USERNAME_TAKEN = _("This user name was taken meanwhile.")

# What a person may change about themselves, and what a programme admin may change about them.
PROFILE_FIELDS = (
    "display_name",
    "native_name",
    "preferred_language",
    "time_zone",
    "notify_in_app",
    "notify_email",
    "quiet_hours_start",
    "quiet_hours_end",
)
PERSON_FIELDS = ("display_name", "native_name", "email", "password_sign_in")


@dataclass(frozen=True)
class LinkSite:
    """Where links in an e-mail point: the host the admin used, and whether over HTTPS."""

    domain: str
    use_https: bool

    @classmethod
    def from_request(cls, request) -> "LinkSite":
        return cls(domain=request.get_host(), use_https=request.is_secure())

    @property
    def protocol(self) -> str:
        return "https" if self.use_https else "http"


@transaction.atomic
def user_set_roles(*, user: User, roles: Iterable[Role], by: User | None = None) -> None:
    """Give `user` exactly these roles, keeping any group that is not a role. A change is in the
    person's history (the groups are tracked) and in the audit log (accounts/audit.py)."""
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
    if to_add or to_remove:
        audit.roles_changed(
            user=user,
            added=[g.name for g in to_add],
            removed=[g.name for g in to_remove],
            by=by,
        )


def _save(user: User, fields: Iterable[str], *, by: User | None) -> None:
    """Validate and save `fields` of `user`, naming `by` in the person's history."""
    user.full_clean(exclude=["password"])
    if by is not None:
        user._history_user = by
    user.save(update_fields=list(fields))


@refused_when_raced(USERNAME_TAKEN, field="username")
@transaction.atomic
def person_create(
    *,
    username: str,
    display_name: str,
    email: str,
    roles: Iterable[Role],
    by: User,
    native_name: str = "",
    preferred_language: str = "en",
    time_zone: str | None = None,
    invite_via: LinkSite | None = None,
) -> User:
    """Add a person with their roles and no password; they set it from the invitation.

    With `invite_via`, the invitation is queued once the transaction commits, so a creation that
    rolls back (a bulk import with a bad row) e-mails no one.
    """
    roles = list(roles)
    if not roles:
        raise ValidationError(_("Give the person at least one role."))
    if not email:
        raise ValidationError({"email": _("A new person needs an e-mail address for the link.")})
    user = User(
        username=username,
        display_name=display_name,
        native_name=native_name,
        email=email,
        preferred_language=preferred_language,
    )
    if time_zone:
        user.time_zone = time_zone
    user.set_unusable_password()
    user.full_clean()
    user._history_user = by
    user.save()
    user_set_roles(user=user, roles=roles, by=by)
    if invite_via is not None:
        user_invitation_request(user=user, site=invite_via, by=by)
    return user


def user_invitation_request(*, user: User, site: LinkSite, by: User | None = None) -> None:
    """Queue the invitation (`user_invitation_send`) for after the commit: a Celery worker
    sends it, and tries again while the mail server is away, so the admin's page never waits
    for the mail server nor fails with it."""
    from .tasks import invitation_send as task

    task.delay_on_commit(
        user_id=user.pk,
        domain=site.domain,
        use_https=site.use_https,
        by_id=getattr(by, "pk", None),
    )


def user_invitation_send(*, user: User, site: LinkSite, by: User | None = None) -> bool:
    """E-mail `user`, in their language, a one-time link to set their password.

    The link is the password-reset link: it stops working once the password is set (the token
    hashes the password and the last sign-in) and after PASSWORD_RESET_TIMEOUT.
    """
    from .forms import PasswordResetForm  # forms import this module's field lists

    if not user.is_active or not user.email:
        return False
    context = {
        "email": user.email,
        "domain": site.domain,
        "site_name": site.domain,
        "protocol": site.protocol,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "user": user,
        "invited_by": by,
        "valid_hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
    }
    # The reset form's sender renders in the owner's language: the same machinery, new words.
    PasswordResetForm().send_mail(
        "emails/invitation_subject.txt",
        "emails/invitation.txt",
        context,
        None,
        user.email,
        html_email_template_name="emails/invitation.html",
    )
    return True


PASSWORD_RESET_TEMPLATES = {
    "subject_template_name": "emails/password_reset_subject.txt",
    "email_template_name": "emails/password_reset.txt",
    "html_email_template_name": "emails/password_reset.html",
}


def password_reset_request(*, email: str, site: LinkSite) -> None:
    """Someone asked for a link to set a password again for `email`: queue the e-mail.

    The same work whether or not anyone has this address, so that neither the answer nor its
    time tells a stranger who has an account: the request only queues the task, after commit,
    and the task (`password_reset_send`) decides whether there is anyone to write to.
    """
    from .tasks import password_reset_send as task

    task.delay_on_commit(email=email, domain=site.domain, use_https=site.use_https)


def password_reset_send(*, email: str, site: LinkSite) -> int:
    """E-mail a link to set a password again to every active person with the address `email`
    (none, for an unknown one), in their language; returns how many were sent."""
    from .forms import PasswordResetForm  # forms import this module's field lists

    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    people = list(form.get_users(email))
    form.save(
        domain_override=site.domain,
        use_https=site.use_https,
        from_email=None,
        **PASSWORD_RESET_TEMPLATES,
    )
    return len(people)


@transaction.atomic
def lockout_release(*, lockout, by: User) -> None:
    """Unlock `lockout` (from `lockouts_current`) before its cool-off ends: the person may sign
    in from that client again. Recorded in the person's history (who unlocked, when, for which
    client) and in the audit log."""
    from axes.models import AccessAttempt

    if not AccessAttempt.objects.filter(pk=lockout.id).delete()[0]:
        return  # unlocked meanwhile (the cool-off ended, another admin, a right password)
    person = lockout.person
    person._history_user = by
    person._change_reason = _(
        "Sign-in unlocked for the client %(address)s after %(failures)s failed attempts."
    ) % {"address": lockout.ip_address or "-", "failures": lockout.failures}
    # Nothing of the person changes: the save only writes the history row that says so.
    person.save(update_fields=["display_name"])
    audit.lockout_released(user=person, ip_address=lockout.ip_address, by=by)


@transaction.atomic
def user_roles_change(*, user: User, roles: Iterable[Role], by: User) -> None:
    """Change a person's roles. A programme admin cannot take their own admin role away."""
    roles = set(roles)
    if not roles:
        raise ValidationError(
            {"roles": _("Give at least one role; to remove someone, deactivate them.")}
        )
    if (
        user.pk == by.pk
        and Role.PROGRAMME_ADMIN in user.roles
        and Role.PROGRAMME_ADMIN not in roles
    ):
        raise ValidationError(
            {"roles": _("You cannot remove your own programme admin role; ask another admin.")}
        )
    user._history_user = by
    user_set_roles(user=user, roles=roles, by=by)


@transaction.atomic
def user_deactivate(*, user: User, by: User) -> None:
    """Stop a person from signing in, keeping everything they made or received.

    Nothing is deleted: every record names people through a PROTECT foreign key, and the person
    stays on them. Their open sessions end at their next request (Django refuses inactive users).
    """
    if user.pk == by.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    if not user.is_active:
        raise ValidationError(_("This person is already deactivated."))
    user.is_active = False
    _save(user, ["is_active"], by=by)


@transaction.atomic
def user_reactivate(*, user: User, by: User) -> None:
    """Let a deactivated person sign in again, with the password they had."""
    if user.is_active:
        raise ValidationError(_("This person is already active."))
    user.is_active = True
    _save(user, ["is_active"], by=by)


@transaction.atomic
def user_profile_update(*, user: User, data: Mapping[str, Any]) -> User:
    """Change a person's own profile: names, language, time zone, notifications, quiet hours."""
    return _update(user, data, PROFILE_FIELDS, by=user)


@transaction.atomic
def person_update(*, user: User, data: Mapping[str, Any], by: User) -> User:
    """A programme admin corrects a person's names or e-mail address (never their password)."""
    return _update(user, data, PERSON_FIELDS, by=by)


def _update(user: User, data: Mapping[str, Any], allowed: tuple[str, ...], *, by: User) -> User:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    changed = [field for field, value in data.items() if getattr(user, field) != value]
    for field in changed:
        setattr(user, field, data[field])
    if changed:
        _save(user, changed, by=by)
    return user
