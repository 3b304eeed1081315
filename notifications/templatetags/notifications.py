from django import template
from django.urls import reverse

from notifications.delivery import absolute_url
from notifications.models import CalendarToken

register = template.Library()


@register.inclusion_tag("notifications/_calendar_feed.html", takes_context=True)
def calendar_feed_card(context):
    """The profile's calendar section: the person's feed URL (if they made one) and its buttons."""
    request = context["request"]
    token = CalendarToken.objects.active().filter(user=request.user).first()
    url = absolute_url(reverse("calendar_feed", args=[token.token])) if token else ""
    return {"url": url, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("notifications/_resource_feed_link.html", takes_context=True)
def resource_feed_link(context, resource):
    """A resource's "Subscribe": its feed under the person's calendar token, or the way to the
    profile where they make one."""
    request = context["request"]
    token = CalendarToken.objects.active().filter(user=request.user).first()
    url = ""
    if token:
        url = absolute_url(reverse("resource_calendar_feed", args=[token.token, resource.pk]))
    return {"url": url, "resource": resource}
