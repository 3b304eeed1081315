"""Pages over the curriculum. Every definition is fetched through its model's `visible_to`."""

from django.contrib.auth.decorators import permission_required
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, render

from .models import (
    AssessmentCriterion,
    AssessmentDefinition,
    Module,
    ProgrammeRevision,
    Qualification,
    modules_in_order,
)


@permission_required("accounts.manage_curriculum", raise_exception=True)
def home(request):
    """The programme admin's landing page: each revision and its modules by category."""
    revisions = (
        ProgrammeRevision.objects.visible_to(request.user)
        .select_related("programme", "published_by")
        .prefetch_related(
            Prefetch("modules", queryset=Module.objects.prefetch_related("assessments"))
        )
    )
    sections = [
        (
            revision,
            [
                (
                    value,
                    label,
                    [m for m in modules_in_order(revision.modules.all()) if m.category == value],
                )
                for value, label in Module.Category.choices
            ],
        )
        for revision in revisions
    ]
    return render(request, "curriculum/home.html", {"sections": sections})


def module_detail(request, pk: int):
    """A module: its competencies and behaviours, assessments, qualifications, prerequisites.

    Open to everyone with a role: trainees read what they will be judged on.
    """
    module = get_object_or_404(
        Module.objects.visible_to(request.user).select_related("revision__programme"), pk=pk
    )
    assessments = AssessmentDefinition.objects.filter(module=module).prefetch_related(
        Prefetch("criteria", queryset=AssessmentCriterion.objects.select_related("competency")),
        "assessors",
    )
    qualifications = Qualification.objects.filter(
        Q(conferred_by_module=module) | Q(conferred_by_assessment__module=module),
        revision=module.revision_id,
    ).select_related("renewed_by_module", "renewed_by_assessment")
    return render(
        request,
        "curriculum/module_detail.html",
        {
            "module": module,
            "competencies": module.competencies.all(),
            "assessments": assessments,
            "qualifications": qualifications,
            "prerequisites": module.prerequisites.order_by("order"),
            "unlocks": module.unlocks.order_by("order"),
        },
    )
