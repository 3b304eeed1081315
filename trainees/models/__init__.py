"""Training records: what happened to whom, made against the curriculum's definitions.

One module per area (cohorts, sessions, assessments, medical, progress), all re-exported here:
import models from `trainees.models`, as Django and the migrations know them.

Every record model keeps its history, and every query a view makes goes through the model's
`visible_to(user)`, the one access gate:
- a programme admin sees the training records of everyone and the medical records of no one;
- the medical officer sees the medical records of everyone and the training records read-only;
- a trainer sees the trainees of the cohorts they train;
- a trainee sees only themselves.
Physiological measurements follow DOMAIN.md: the trainee, their trainers and the medical officer.
"""

from .absences import AbsenceCategory, AbsenceNotice, AbsenceNoticeQuerySet
from .assessments import (
    IMPORT_METHOD,
    AssessmentAllowance,
    AssessmentAmendment,
    AssessmentResult,
    CompetencyGrade,
    CompetencyGradeQuerySet,
    Currency,
    QualificationGrant,
    ResultRecordQuerySet,
    SignatureMeaning,
)
from .cohorts import (
    Cohort,
    CohortPlanEntry,
    CohortQuerySet,
    CohortRevisionMove,
    CohortRevisionMoveQuerySet,
    Trainee,
    TraineeQuerySet,
    TraineeRecordQuerySet,
    TraineeStatus,
    TraineeStatusChange,
)
from .common import HOUR, SubmissionKey
from .medical import (
    METRIC_SPECS,
    CertificateKind,
    CertificateLack,
    Measurement,
    MeasurementQuerySet,
    MedicalCertificate,
    MedicalCertificateQuerySet,
    MedicalHold,
    MedicalHoldQuerySet,
    Metric,
    certificates_lacking,
)
from .resources import (
    MAX_CAPACITY,
    Resource,
    ResourceKind,
    ResourceQuerySet,
    ResourceUnavailability,
    TrainerAuthorisation,
    TrainerAuthorisationQuerySet,
)
from .sessions import (
    WEEKDAY_NAMES,
    PastImport,
    PastImportQuerySet,
    SessionAttendance,
    SessionLogDraft,
    SessionLogDraftQuerySet,
    SessionResource,
    SessionSeries,
    SessionStatus,
    SessionTrainee,
    TrainingSession,
    TrainingSessionQuerySet,
)

__all__ = [
    "HOUR",
    "IMPORT_METHOD",
    "MAX_CAPACITY",
    "METRIC_SPECS",
    "WEEKDAY_NAMES",
    "AbsenceCategory",
    "AbsenceNotice",
    "AbsenceNoticeQuerySet",
    "AssessmentAllowance",
    "AssessmentAmendment",
    "AssessmentResult",
    "CertificateKind",
    "CertificateLack",
    "Cohort",
    "CohortPlanEntry",
    "CohortQuerySet",
    "CohortRevisionMove",
    "CohortRevisionMoveQuerySet",
    "CompetencyGrade",
    "CompetencyGradeQuerySet",
    "Currency",
    "Measurement",
    "MeasurementQuerySet",
    "MedicalCertificate",
    "MedicalCertificateQuerySet",
    "MedicalHold",
    "MedicalHoldQuerySet",
    "Metric",
    "PastImport",
    "PastImportQuerySet",
    "QualificationGrant",
    "Resource",
    "ResourceKind",
    "ResourceQuerySet",
    "ResourceUnavailability",
    "ResultRecordQuerySet",
    "SessionAttendance",
    "SessionLogDraft",
    "SessionLogDraftQuerySet",
    "SessionResource",
    "SessionSeries",
    "SessionStatus",
    "SessionTrainee",
    "SignatureMeaning",
    "SubmissionKey",
    "Trainee",
    "TraineeQuerySet",
    "TraineeRecordQuerySet",
    "TraineeStatus",
    "TraineeStatusChange",
    "TrainerAuthorisation",
    "TrainerAuthorisationQuerySet",
    "TrainingSession",
    "TrainingSessionQuerySet",
    "certificates_lacking",
]
