"""Notification pages: the list and marking read, the reminders' lead times and the scheduled
jobs (programme admins), the calendar feed's token (everyone's own), the feed itself and a
resource's feed under the same token."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from trainees.access import SEES_RESOURCES
from trainees.models import Resource

from . import selectors, services
from .calendar import calendar_feed as feed_build
from .calendar import resource_calendar_feed as resource_calendar_feed_build
from .delivery import render_summary
from .forms import ReminderSettingsForm
from .models import CalendarToken, Notification, ReminderSettings

ADMIN = "accounts.manage_curriculum"
PER_PAGE = 20


def notification_list(request):
    """The signed-in person's notifications, newest first, written in their current language."""
    page = Paginator(
        Notification.objects.visible_to(request.user).only(
            "pk", "kind", "params", "created_at", "read_at", "recipient_id"
        ),
        PER_PAGE,
    ).get_page(request.GET.get("page"))
    rows = [(n, render_summary(n.kind, request.user, n.params)) for n in page.object_list]
    return render(request, "notifications/list.html", {"page": page, "rows": rows})


@require_POST
def notification_open(request, pk: int):
    """Mark one notification read and go where it points (or back to the list)."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    services.notifications_mark_read(user=request.user, pk=notification.pk)
    url = render_summary(notification.kind, request.user, notification.params).url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return redirect(url)
    return redirect("notifications:list")


@require_POST
def notifications_read_all(request):
    count = services.notifications_mark_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


@permission_required(ADMIN, raise_exception=True)
def reminder_settings(request):
    """The reminders' lead times, for programme admins."""
    form = ReminderSettingsForm(
        request.POST if request.method == "POST" else None, instance=ReminderSettings.load()
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The reminders' lead times are saved."))
        return redirect("notifications:reminder_settings")
    return render(request, "notifications/reminder_settings.html", {"form": form})


@permission_required(ADMIN, raise_exception=True)
def jobs(request):
    """Each scheduled job: its schedule, when it last ran, how long it took and how it ended."""
    return render(request, "notifications/jobs.html", {"jobs": selectors.jobs_status()})


@require_POST
def calendar_token_new(request):
    """Make the person's calendar feed URL, or a new one that replaces (revokes) the old."""
    services.calendar_token_regenerate(user=request.user)
    messages.success(
        request, _("Your calendar link is ready. The old link, if any, no longer works.")
    )
    return redirect("accounts:profile")


@require_POST
def calendar_token_revoke(request):
    if services.calendar_token_revoke(user=request.user):
        messages.success(request, _("Your calendar link no longer works."))
    return redirect("accounts:profile")


@login_not_required
def calendar_feed(request, token: str):
    """The feed: the only page open without signing in, to whoever holds the secret token."""
    return _feed_response(feed_build(user=_token_holder(token)))


def _feed_response(feed: bytes) -> HttpResponse:
    response = HttpResponse(feed, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _token_holder(token: str):
    """The active person whose token this is, or 404: a revoked or made-up token opens nothing."""
    found = (
        CalendarToken.objects.active()
        .select_related("user")
        .filter(token=token, user__is_active=True)
        .first()
    )
    if found is None:
        raise Http404
    return found.user


@login_not_required
def resource_calendar_feed(request, token: str, pk: int):
    """A resource's bookings under the person's calendar token: a resource they may read (staff,
    as the resource pages), else not found (a feed confirms nothing)."""
    user = _token_holder(token)
    if not any(user.has_perm(perm) for perm in SEES_RESOURCES):
        raise Http404
    resource = get_object_or_404(Resource.objects.visible_to(user), pk=pk)
    return _feed_response(resource_calendar_feed_build(user=user, resource=resource))
