"""The pages of personal access tokens: each person makes and revokes their own (under their
profile); a programme admin also revokes those of the people they manage."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.forms import AccessTokenForm
from api.models import AccessToken
from api.services import access_token_create, access_token_revoke
from trainees.services import AlreadySubmitted, submission_claim, submission_done
from trainingtracker.helpers import refusal_shown

TOKENS_SHOWN = 200


def tokens(request):
    """The person's tokens, and the form that makes one; the new secret is shown once, here."""
    user = request.user
    form = AccessTokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with refusal_shown(form), transaction.atomic():
                claim = submission_claim(key=data["submission_key"], user=user)
                token, secret = access_token_create(
                    user=user, name=data["name"], scope=data["scope"], expires_on=data["expires_on"]
                )
                submission_done(claim=claim, target=str(token.pk))
                form = AccessTokenForm()  # a new key for the next token
        except AlreadySubmitted:
            messages.info(request, _("This token was already made; its secret was shown once."))
            return redirect("api:tokens")
    listed = (
        AccessToken.objects.visible_to(user)
        .select_related("user", "revoked_by")
        .order_by("revoked_at", "-created_at")[:TOKENS_SHOWN]
    )
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "secret": secret,
            "own": [t for t in listed if t.user_id == user.pk],
            "others": [t for t in listed if t.user_id != user.pk and t.revoked_at is None],
        },
    )


@require_POST
def token_revoke(request, pk: int):
    """Revoke a token: the person's own, or one of someone they manage."""
    token = get_object_or_404(AccessToken.objects.visible_to(request.user), pk=pk)
    access_token_revoke(token=token, by=request.user)
    messages.success(request, _("The token %(name)s no longer works.") % {"name": token.name})
    return redirect("api:tokens")


def api_docs(request):
    """The API's documentation page: Swagger UI reading the schema, from vendored files."""
    return render(request, "api/docs.html")
