from django import template

from api.models import AccessToken

register = template.Library()


@register.inclusion_tag("api/_tokens_card.html", takes_context=True)
def access_tokens_card(context):
    """The profile's section on API tokens: how many of the person's work, and the way to them."""
    user = context["request"].user
    return {"active": AccessToken.objects.usable().filter(user=user).count()}
