from django.contrib.auth.decorators import permission_required
from django.shortcuts import render
from django.utils.translation import gettext as _


@permission_required("accounts.view_own_progress", raise_exception=True)
def trainee_home(request):
    """The trainee's landing page."""
    return render(
        request,
        "accounts/landing.html",
        {
            "heading": _("My progress"),
            "purpose": _(
                "Your modules, assessments, qualifications and readiness for flight assignment "
                "will appear here as your trainers record your training."
            ),
        },
    )


@permission_required("accounts.log_training", raise_exception=True)
def trainer_home(request):
    """The trainer's landing page."""
    return render(
        request,
        "accounts/landing.html",
        {
            "heading": _("Training floor"),
            "purpose": _(
                "Your sessions, the logs of your cohorts and the assessments waiting for your "
                "signature will appear here."
            ),
        },
    )


@permission_required("accounts.manage_medical", raise_exception=True)
def medical_home(request):
    """The medical officer's landing page."""
    return render(
        request,
        "accounts/landing.html",
        {
            "heading": _("Medical"),
            "purpose": _(
                "Medical holds and certificates will appear here. Only medical officers read "
                "them in full."
            ),
        },
    )
