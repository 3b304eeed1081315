"""Writes to the curriculum."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .models import AssessmentDefinition, ProgrammeRevision, PublishedRevisionError


@transaction.atomic
def revision_publish(*, revision: ProgrammeRevision, by: User) -> ProgrammeRevision:
    """Publish a draft revision, after which its content is frozen.

    Refuses a revision with no modules, or with an assessment that nothing could judge (neither
    a pass mark nor a minimum grade).
    """
    revision = ProgrammeRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.is_published:
        raise PublishedRevisionError()
    if not revision.modules.exists():
        raise ValidationError(_("A revision needs at least one module before it is published."))
    unjudged = (
        AssessmentDefinition.objects.filter(module__revision=revision, pass_score__isnull=True)
        .annotate(n=Count("criteria"))
        .filter(Q(n=0))
        .values_list("code", flat=True)
    )
    if unjudged:
        raise ValidationError(
            _("These assessments have neither a pass mark nor a minimum grade: %(codes)s")
            % {"codes": ", ".join(unjudged)}
        )
    revision.published_at = timezone.now()
    revision.published_by = by
    revision.save()
    return revision
