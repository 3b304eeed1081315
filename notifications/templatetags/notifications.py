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
