from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.utils.translation import gettext as _


@permission_required("accounts.manage_curriculum", raise_exception=True)
def home(request):
    """The programme admin's landing page."""
    return render(
        request,
        "accounts/landing.html",
        {
            "heading": _("Programme"),
            "purpose": _(
                "The curriculum, its revisions, the cohorts and the people of the programme will "
                "be managed here."
            ),
        },
    )
