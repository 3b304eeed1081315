"""The one schema of each curriculum import format, checked before anything else reads a file.

A JSON Schema (draft 2020-12, the jsonschema library) holds each value to its column: text with
no NUL or lone surrogate and within the column's length, whole numbers within a smallint or an
integer, dates in the years a programme can mean (trainingtracker/inputs.py). What only the whole
file shows (codes used twice, references, prerequisite cycles) is checked after it, by
`services.revision_data_errors` and `services.modules_import`.
"""

from django.conf import settings
from jsonschema import Draft202012Validator

from trainingtracker import inputs

from .models import AssessmentDefinition, Competency, Module, Programme, Qualification
from .selectors import CSV_COLUMNS, EXPORT_FORMAT, EXPORT_VERSION

SMALL = {"type": "integer", "minimum": 0, "maximum": inputs.SMALLINT_MAX}
DAYS = {"type": "integer", "minimum": 0, "maximum": inputs.INTEGER_MAX}
DECIMAL = {
    "anyOf": [
        {"type": "null"},
        {"type": "string", "pattern": inputs.DECIMAL_PATTERN},
        {"type": "number", "minimum": -(10**12), "maximum": 10**12},
    ]
}
MODULE_CODE = inputs.column_text(Module, "code")
ASSESSMENT_REF = {
    "anyOf": [
        {"type": "null"},
        {
            "type": "array",
            "items": inputs.text(AssessmentDefinition._meta.get_field("code").max_length),
            "minItems": 2,
            "maxItems": 2,
        },
    ]
}

COMPETENCY = {
    "type": "object",
    "required": ["code"],
    "properties": {
        "code": inputs.column_text(Competency, "code"),
        "title": inputs.column_text(Competency, "title"),
        "behaviours": inputs.text(),
        "order": SMALL,
    },
}
ASSESSMENT = {
    "type": "object",
    "required": ["code"],
    "properties": {
        "code": inputs.column_text(AssessmentDefinition, "code"),
        "title": inputs.column_text(AssessmentDefinition, "title"),
        "kind": inputs.column_text(AssessmentDefinition, "kind"),
        "description": inputs.text(),
        "max_score": DECIMAL,
        "pass_score": DECIMAL,
        "max_attempts": SMALL,
        "order": SMALL,
        "minimum_grades": {
            "type": "object",
            "propertyNames": inputs.column_text(Competency, "code"),
            "additionalProperties": {"type": "integer", "minimum": 1, "maximum": 5},
        },
    },
}
MODULE = {
    "type": "object",
    "required": ["code"],
    "properties": {
        "code": MODULE_CODE,
        "title": inputs.column_text(Module, "title"),
        "category": inputs.column_text(Module, "category"),
        "description": inputs.text(),
        "required_hours": DECIMAL,
        "order": SMALL,
        "archived_at": {
            "anyOf": [{"type": "null"}, {"type": "string", "pattern": inputs.DATETIME_PATTERN}]
        },
        "prerequisites": {"type": "array", "items": MODULE_CODE},
        "competencies": {"type": "array", "items": COMPETENCY},
        "assessments": {"type": "array", "items": ASSESSMENT},
    },
}
QUALIFICATION = {
    "type": "object",
    "required": ["code"],
    "properties": {
        "code": inputs.column_text(Qualification, "code"),
        "title": inputs.column_text(Qualification, "title"),
        "conferred_by_module": {"anyOf": [{"type": "null"}, MODULE_CODE]},
        "renewed_by_module": {"anyOf": [{"type": "null"}, MODULE_CODE]},
        "conferred_by_assessment": ASSESSMENT_REF,
        "renewed_by_assessment": ASSESSMENT_REF,
        "validity_days": {"anyOf": [{"type": "null"}, DAYS]},
        "grace_days": DAYS,
    },
}

LANGUAGE = {"enum": [code for code, _name in settings.LANGUAGES]}
# A translation's longest text: a title's column bounds its own (checked by the import), and a
# description or a list of behaviours is text a person reads, not a book.
TRANSLATION_MAX = 20_000
TRANSLATION = {
    "type": "object",
    "required": ["text", "source_digest"],
    "properties": {
        "text": inputs.text(TRANSLATION_MAX),
        "source_digest": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "translated_at": {"type": "string", "pattern": inputs.DATETIME_PATTERN},
    },
}
TRANSLATIONS = {
    "type": "object",
    "propertyNames": LANGUAGE,
    "additionalProperties": {
        "type": "object",
        "propertyNames": inputs.text(500),
        "additionalProperties": TRANSLATION,
    },
}

# A revision as `selectors.revision_export` writes it.
REVISION = Draft202012Validator(
    {
        "type": "object",
        "required": ["format", "version", "programme", "modules", "qualifications"],
        "properties": {
            "format": {"const": EXPORT_FORMAT},
            "version": {"const": EXPORT_VERSION},
            "programme": {
                "type": "object",
                "required": ["code", "name"],
                "properties": {
                    # A slug, as the programme's own field (letters, digits, - and _).
                    "code": inputs.column_text(Programme, "code", pattern=r"^[-a-zA-Z0-9_]+$"),
                    "name": inputs.column_text(Programme, "name", minLength=1),
                    "description": inputs.text(),
                    "source_language": LANGUAGE,
                },
            },
            "revision": {"type": "object", "properties": {"summary": inputs.text()}},
            "modules": {"type": "array", "items": MODULE},
            "qualifications": {"type": "array", "items": QUALIFICATION},
            "translations": TRANSLATIONS,
        },
    }
)

# One row of a modules CSV, as `selectors.modules_csv_rows` writes it: every value is text.
MODULE_ROW = Draft202012Validator(
    {
        "type": "object",
        "properties": {
            **{name: inputs.text() for name in CSV_COLUMNS},
            "code": MODULE_CODE,
            "title": inputs.column_text(Module, "title"),
            "category": inputs.column_text(Module, "category"),
            # Its meaning ("a whole number") is checked by the import; this keeps int() sane.
            "order": inputs.text(len(str(inputs.SMALLINT_MAX))),
        },
    }
)
