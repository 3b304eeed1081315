"""Reads for the programme admin's cohort pages: what moving a cohort to a newer revision would
change for each trainee."""

import copy
from dataclasses import dataclass

from trainees.models import (
    Trainee,
)
from trainees.progress.selectors import (
    ModuleProgress,
    ModuleStatus,
    TraineeProgress,
    trainee_progress,
)


@dataclass
class TraineeMoveEffect:
    """What a move changes for one trainee: their progress now and as it would be after."""

    trainee: Trainee
    before: TraineeProgress
    after: TraineeProgress

    def _by_code(self, progress: TraineeProgress) -> dict[str, ModuleProgress]:
        return {p.module.code: p for p in progress.modules}

    @property
    def carried_over(self) -> list[ModuleProgress]:
        """Modules of the new revision in which work already done counts."""
        return [p for p in self.after.modules if p.hours or p.passed]

    @property
    def left_behind(self) -> list[ModuleProgress]:
        """Modules the new revision no longer requires, in which the trainee has work."""
        after = self._by_code(self.after)
        return [p for p in self.before.modules if p.module.code not in after and p.hours]

    @property
    def no_longer_complete(self) -> list[ModuleProgress]:
        """Modules complete now but not under the new requirements (more hours, a new exam)."""
        done = {ModuleStatus.COMPLETE, ModuleStatus.EXPIRED}
        before = self._by_code(self.before)
        return [
            p
            for p in self.after.modules
            if p.status not in done
            and p.module.code in before
            and before[p.module.code].status in done
        ]


def cohort_move_preview(*, cohort, revision) -> list[TraineeMoveEffect]:
    """Each trainee of `cohort`, their progress now and as it would be on `revision`.

    The projection runs the one progress rule, `trainee_progress`, on an unsaved copy of the
    cohort pinned to `revision`, so the preview cannot disagree with what the move produces
    (pace aside: the plan follows the modules only once moved). Two progress computations per
    trainee: a preview of one cohort, not a list page.
    """
    projected_cohort = copy.copy(cohort)
    projected_cohort.revision = revision
    effects = []
    for trainee in cohort.trainees.select_related("user").order_by("user__display_name"):
        trainee.cohort = cohort
        projected = copy.copy(trainee)
        projected.cohort = projected_cohort
        effects.append(
            TraineeMoveEffect(
                trainee=trainee,
                before=trainee_progress(trainee=trainee),
                after=trainee_progress(trainee=projected),
            )
        )
    return effects
