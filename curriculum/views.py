"""Pages over the curriculum. Every definition is fetched through its model's `visible_to`."""

from django.contrib.auth.decorators import permission_required
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject

from trainingtracker import versioned

from .models import (
    AssessmentCriterion,
    AssessmentDefinition,
    Module,
    Programme,
    ProgrammeRevision,
    Qualification,
    modules_in_order,
)
from .texts import texts_preload


@permission_required("accounts.manage_curriculum", raise_exception=True)
def home(request):
    """The programme admin's landing page: each programme's current revision by category, its
    draft if one is open, and its earlier revisions.

    All of it is one `{% cached_fragment %}` under the versions of the programmes and their
    revisions (read first, in one query), the reader, language and time zone: a programme page
    whose curriculum did not change costs that query and one cache read. The buttons that start
    a revision post through one form outside it, which carries the CSRF token."""
    user = request.user
    versions = (
        Programme.objects.visible_to(user)
        .order_by("pk", "revisions__pk")
        .values_list("pk", "cache_version", "revisions__pk", "revisions__cache_version")
    )
    page = versioned.fragment(versioned.stamp(versions), "programmes", *versioned.reader(user))
    return render(
        request,
        "curriculum/home.html",
        {"page": page, "programmes": SimpleLazyObject(lambda: _programmes(user))},
    )


def _programmes(user) -> list[Programme]:
    """The programmes with their draft, current and earlier revisions, and the current
    revision's modules by category (all the current revisions' modules read at once)."""
    programmes = list(
        Programme.objects.visible_to(user).prefetch_related(
            Prefetch(
                "revisions",
                queryset=ProgrammeRevision.objects.visible_to(user)
                .select_related("published_by")
                .order_by("-number"),
            )
        )
    )
    current = {}
    for programme in programmes:
        revisions = list(programme.revisions.all())
        programme.draft = next((r for r in revisions if not r.is_published), None)
        programme.current = next((r for r in revisions if r.is_published), None)
        programme.earlier = [r for r in revisions if r.is_published and r != programme.current]
        if programme.current:
            current[programme.current.pk] = programme
    # Every programme's current revision in the reader's language: one query for them all.
    texts_preload(current)
    modules = modules_in_order(
        Module.objects.filter(revision__in=current).prefetch_related(
            "assessments", Prefetch("prerequisites", queryset=Module.objects.order_by("code"))
        )
    )
    for programme in programmes:
        programme.categories = [
            (
                value,
                label,
                [
                    m
                    for m in modules
                    if m.category == value
                    and programme.current
                    and m.revision_id == programme.current.pk
                ],
            )
            for value, label in Module.Category.choices
        ]
    return programmes


def module_detail(request, pk: int):
    """A module: its competencies and behaviours, assessments, qualifications, prerequisites.

    Open to everyone with a role: trainees read what they will be judged on.
    """
    module = get_object_or_404(
        Module.objects.visible_to(request.user).select_related("revision__programme"), pk=pk
    )
    assessments = AssessmentDefinition.objects.filter(module=module).prefetch_related(
        Prefetch(
            "criteria",
            queryset=AssessmentCriterion.objects.select_related("competency__module"),
        ),
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
