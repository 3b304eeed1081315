"""Pages of the assessments: record an attempt, grant an allowance, sign, amend, acknowledge.

Thin: an access check, the form, a service, then a redirect or the page again. Every record is
fetched through its model's `visible_to`, so a record the person may not see is a 404. The rules
(who may sign, what refuses an attempt, what an amendment keeps) live in `trainees.services`.

Capabilities: recording and amending attempts is `log_training` (a trainer for the cohorts they
train, a programme admin for everyone); signing is `sign_assessment` and, checked by the
service, being one of the assessment's authorised assessors; allowances are `manage_people`,
since an allowance is an exception in one person's record (the programme admins' role, who hold
`manage_curriculum` too); acknowledging a debrief is the trainee's own (`view_own_progress`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import single_sign_on
from curriculum.models import AssessmentDefinition
from trainees.access import MANAGES_PEOPLE, SEES_TRAINEES
from trainees.assessments import services
from trainees.assessments.forms import (
    NOT_OBSERVED,
    AcknowledgeForm,
    AllowanceForm,
    AmendForm,
    AttemptForm,
    DefinitionChoiceForm,
    SignForm,
)
from trainees.models import (
    AssessmentAllowance,
    AssessmentAmendment,
    AssessmentResult,
    Cohort,
    QualificationGrant,
    SignatureMeaning,
    Trainee,
)
from trainees.services import AlreadySubmitted, submission_claim, submission_done
from trainingtracker.helpers import errors_to_form, permission_any_required

TEMPLATES = "trainees/assessments/"


def _trainee_or_404(user, pk: int, *, to_record: bool = False) -> Trainee:
    """A trainee the person may see; `to_record`: and whose training they record (a trainer's
    own cohorts, Cohort.objects.trained_by, even when another role lets them see more)."""
    trainees = Trainee.objects.visible_to(user)
    if to_record:
        trainees = trainees.filter(cohort__in=Cohort.objects.trained_by(user).values("pk"))
    return get_object_or_404(trainees.select_related("user", "cohort"), pk=pk)


def _result_or_404(user, pk: int, *, to_record: bool = False) -> AssessmentResult:
    results = AssessmentResult.objects.visible_to(user)
    if to_record:
        results = results.filter(trainee__cohort__in=Cohort.objects.trained_by(user).values("pk"))
    return get_object_or_404(
        results.select_related(
            "trainee__user", "trainee__cohort", "definition__module", "assessor", "signed_by"
        ),
        pk=pk,
    )


def _definitions(trainee: Trainee):
    """The assessments of the revision the trainee is pinned to."""
    return (
        AssessmentDefinition.objects.filter(module__revision_id=trainee.cohort.revision_id)
        .select_related("module")
        .order_by("module__order", "module__code", "order", "code")
    )


def _chosen_definition(request, trainee: Trainee):
    """The chooser of the first step, and the assessment it names (None until one is chosen)."""
    chooser = DefinitionChoiceForm(
        request.GET if "definition" in request.GET else None, definitions=_definitions(trainee)
    )
    if chooser.is_bound and chooser.is_valid():
        return chooser, chooser.cleaned_data["definition"]
    return chooser, None


def _save_once(request, form, write, *, saved: str):
    """Run `write` (which returns the address of what it saved) once per form key.

    The key is claimed in the same transaction as the write, so a refusal frees it for the
    corrected form, and a second submission of the same form is sent to what the first saved.
    Returns the redirect, or None when the service refused (its reasons are on the form).
    """
    try:
        with transaction.atomic():
            claim = submission_claim(key=form.cleaned_data["submission_key"], user=request.user)
            target = write()
            submission_done(claim=claim, target=target)
    except AlreadySubmitted as exc:
        messages.info(request, _("This was already saved."))
        return redirect(exc.target or request.get_full_path())
    except ValidationError as exc:
        errors_to_form(form, exc)
        return None
    messages.success(request, saved)
    return redirect(target)


def _with_definition(url: str, definition: AssessmentDefinition) -> str:
    return f"{url}?definition={definition.pk}"


# Attempts and allowances -----------------------------------------------------------------------


@permission_required("accounts.log_training", raise_exception=True)
def attempt_record(request, pk: int):
    """Record a trainee's next attempt: choose the assessment, then its score and grades."""
    user = request.user
    trainee = _trainee_or_404(user, pk, to_record=True)
    chooser, definition = _chosen_definition(request, trainee)
    context = {"trainee": trainee, "chooser": chooser, "definition": definition}
    if definition is None:
        return render(request, TEMPLATES + "attempt_record.html", context)

    # Someone who signs at their sign-in provider signs on the result's own page, afterwards.
    may_sign = user.signs_with_password and services.assessment_signer_authorised(
        definition=definition, user=user
    )
    form = AttemptForm(
        request.POST or None,
        definition=definition,
        competencies=list(definition.module.competencies.all()),
        criteria=list(definition.criteria.all()),
        user=user,
        may_sign=may_sign,
        meaning=SignatureMeaning.ASSESSED.label,
    )
    here = _with_definition(reverse("trainees:attempt_record", args=[trainee.pk]), definition)
    form.helper.form_action = here
    if request.method == "POST" and form.is_valid():

        def write():
            result = services.assessment_record(
                trainee=trainee,
                definition=definition,
                assessor=user,
                taken_at=form.cleaned_data["taken_at"],
                score=form.cleaned_data.get("score"),
                grades=form.grades(),
                remarks=form.cleaned_data["remarks"],
                signature=form.signature,
            )
            return reverse("trainees:result_detail", args=[result.pk])

        saved = (
            _("The attempt is recorded and signed.")
            if form.signature
            else _("The attempt is recorded. It counts once an authorised assessor signs it.")
        )
        if response := _save_once(request, form, write, saved=saved):
            return response
    context |= {
        "form": form,
        "check": services.assessment_attempt_check(trainee=trainee, definition=definition),
        "allowances": _allowances(user, trainee, definition),
        "allowance_url": _with_definition(
            reverse("trainees:allowance_grant", args=[trainee.pk]), definition
        ),
    }
    return render(request, TEMPLATES + "attempt_record.html", context)


def _allowances(user, trainee, definition):
    return (
        AssessmentAllowance.objects.visible_to(user)
        .filter(trainee=trainee, definition=definition)
        .select_related("granted_by", "prerequisite")
        .order_by("granted_at")
    )


@permission_required(MANAGES_PEOPLE, raise_exception=True)
def allowance_grant(request, pk: int):
    """A programme admin grants a trainee an extra attempt or waives a prerequisite."""
    user = request.user
    trainee = _trainee_or_404(user, pk)
    chooser, definition = _chosen_definition(request, trainee)
    context = {"trainee": trainee, "chooser": chooser, "definition": definition}
    if definition is None:
        return render(request, TEMPLATES + "allowance_grant.html", context)

    form = AllowanceForm(request.POST or None, definition=definition)
    form.helper.form_action = _with_definition(
        reverse("trainees:allowance_grant", args=[trainee.pk]), definition
    )
    if request.method == "POST" and form.is_valid():

        def write():
            services.allowance_grant(
                trainee=trainee,
                definition=definition,
                kind=form.cleaned_data["kind"],
                prerequisite=form.cleaned_data["prerequisite"],
                reason=form.cleaned_data["reason"],
                by=user,
            )
            return _with_definition(
                reverse("trainees:attempt_record", args=[trainee.pk]), definition
            )

        if response := _save_once(request, form, write, saved=_("The allowance is granted.")):
            return response
    context |= {
        "form": form,
        "check": services.assessment_attempt_check(trainee=trainee, definition=definition),
        "allowances": _allowances(user, trainee, definition),
    }
    return render(request, TEMPLATES + "allowance_grant.html", context)


# Results: the record, its signature, amendments and the debrief ---------------------------------


@permission_any_required(*SEES_TRAINEES, "accounts.view_own_progress")
def result_detail(request, pk: int):
    """A result with its grades, signature, amendment history, allowances and grants."""
    user = request.user
    result = _result_or_404(user, pk)
    grades = list(
        result.grades.select_related("competency").order_by("competency__order", "competency__code")
    )
    titles = {grade.competency.code: grade.competency.title for grade in grades}
    amendments = (
        AssessmentAmendment.objects.visible_to(user)
        .filter(result=result)
        .select_related("amended_by")
        .order_by("-amended_at", "-pk")
    )
    own = result.trainee.user_id == user.pk
    context = {
        "result": result,
        "trainee": result.trainee,
        "grades": grades,
        "amendments": [_amendment_row(amendment, titles) for amendment in amendments],
        "allowances": _allowances(user, result.trainee, result.definition),
        "grants": QualificationGrant.objects.visible_to(user)
        .filter(result=result)
        .select_related("qualification"),
        "own": own,
        "may_sign": not result.is_signed
        and services.assessment_signer_authorised(definition=result.definition, user=user),
        "may_amend": user.has_perm("accounts.log_training"),
    }
    if own and result.is_signed and result.debrief_acknowledged_at is None:
        context["acknowledge_form"] = AcknowledgeForm(
            initial={"version": result.version},
            action=reverse("trainees:result_acknowledge", args=[result.pk]),
        )
    return render(request, TEMPLATES + "result_detail.html", context)


def _amendment_row(amendment: AssessmentAmendment, titles: dict[str, str]) -> dict:
    """An amendment and the values it replaced, ready to print (they are stored as JSON)."""
    previous = amendment.previous
    meaning = previous.get("signature_meaning")
    signed_at = previous.get("signed_at")
    return {
        "amendment": amendment,
        "score": previous.get("score"),
        "passed": previous.get("passed"),
        "remarks": previous.get("remarks", ""),
        "grades": [
            (code, titles.get(code, ""), grade)
            for code, grade in (previous.get("grades") or {}).items()
        ],
        "signed_by": previous.get("signed_by"),
        "signed_at": parse_datetime(signed_at) if signed_at else None,
        "meaning": SignatureMeaning(meaning).label if meaning else "",
    }


@permission_required("accounts.sign_assessment", raise_exception=True)
def result_sign(request, pk: int):
    """An authorised assessor signs a result, stating what it means: with their password, or,
    for someone who signs in through their agency, after confirming who they are at its
    provider (the confirmation, made for this page, signs once)."""
    user = request.user
    result = _result_or_404(user, pk)
    meaning = services.result_signature_meaning_due(result=result)
    confirmation = single_sign_on.confirmation_for(request, purpose=request.path)
    form = SignForm(
        request.POST or None,
        user=user,
        meaning=SignatureMeaning(meaning).label,
        confirmation=confirmation,
        initial={"version": result.version},
    )
    if request.method == "POST" and form.is_valid():

        def write():
            services.result_sign(
                result=result,
                signature=form.signature,
                meaning=meaning,
                version=form.cleaned_data["version"],
            )
            single_sign_on.confirmation_spent(request)
            return reverse("trainees:result_detail", args=[result.pk])

        if response := _save_once(request, form, write, saved=_("The result is signed.")):
            return response
    context = {
        "result": result,
        "trainee": result.trainee,
        "form": form,
        "meaning": SignatureMeaning(meaning).label,
        "authorised": services.assessment_signer_authorised(
            definition=result.definition, user=user
        ),
        "confirmation": confirmation,
        "providers": single_sign_on.provider_buttons(),
    }
    response = render(request, TEMPLATES + "result_sign.html", context)
    return single_sign_on.provider_forms_allowed(response)


@permission_required("accounts.log_training", raise_exception=True)
def result_amend(request, pk: int):
    """Amend a result: new values and the reason, the old values kept; it is signed again."""
    user = request.user
    result = _result_or_404(user, pk, to_record=True)
    definition = result.definition
    current = {grade.competency_id: grade.grade for grade in result.grades.all()}
    initial = {
        "version": result.version,
        "score": result.score,
        "remarks": result.remarks,
        **{
            f"grade_{competency_id}": NOT_OBSERVED if grade is None else str(grade)
            for competency_id, grade in current.items()
        },
    }
    form = AmendForm(
        request.POST or None,
        definition=definition,
        competencies=list(definition.module.competencies.all()),
        criteria=list(definition.criteria.all()),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():

        def write():
            services.result_amend(
                result=result,
                by=user,
                reason=form.cleaned_data["reason"],
                score=form.cleaned_data.get("score"),
                grades=form.grades(),
                remarks=form.cleaned_data["remarks"],
                version=form.cleaned_data["version"],
            )
            return reverse("trainees:result_detail", args=[result.pk])

        saved = _("The amendment is saved. The result needs a new signature.")
        if response := _save_once(request, form, write, saved=saved):
            return response
    context = {"result": result, "trainee": result.trainee, "form": form}
    return render(request, TEMPLATES + "result_amend.html", context)


@permission_required("accounts.view_own_progress", raise_exception=True)
@require_POST
def result_acknowledge(request, pk: int):
    """The trainee acknowledges the debrief of their own signed result."""
    result = _result_or_404(request.user, pk)
    url = reverse("trainees:result_detail", args=[result.pk])
    form = AcknowledgeForm(request.POST, action=url)
    if not form.is_valid():
        messages.error(request, _("Reload the result and acknowledge it again."))
        return redirect(url)
    try:
        services.result_debrief_acknowledge(
            result=result, by=request.user, version=form.cleaned_data["version"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Your acknowledgement of the debrief is recorded."))
    return redirect(url)
