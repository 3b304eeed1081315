"""Every refusal of the API as a problem document (RFC 9457, `application/problem+json`).

    {"type": "about:blank", "title": "Bad request", "status": 400,
     "detail": "Some fields are not valid.",
     "errors": [{"field": "entries.0.hours_credited", "pointer": "#/entries/0/hours_credited",
                 "detail": "No more than the session lasted (2.00 hours) can be credited."}]}

`errors` names each field that is wrong, by its dotted name and its JSON pointer; a refusal of
the whole request has `field` "" (pointer "#"). A service's refusal (Django's ValidationError)
reads the same as a serializer's: the same words the pages show beside the field.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_TYPE = "application/problem+json"
NON_FIELD = {"non_field_errors", "__all__"}

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    415: "Unsupported media type",
    429: "Too many requests",
}


def _errors(detail, path: tuple = ()) -> list[dict]:
    """(dotted field, pointer, message) of every message in a DRF error structure."""
    if isinstance(detail, dict):
        found = []
        for key, value in detail.items():
            key = str(key)
            found += _errors(value, path if key in NON_FIELD else (*path, key))
        return found
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [_one(path, item) for item in detail]
        found = []
        for index, item in enumerate(detail):
            found += _errors(item, (*path, str(index)) if isinstance(item, dict | list) else path)
        return found
    return [_one(path, detail)]


def _one(path: tuple, message) -> dict:
    pointer = "#" + "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in path)
    return {"field": ".".join(path), "pointer": pointer, "detail": force_str(message)}


def django_errors(error: DjangoValidationError) -> dict | list:
    """A service's ValidationError in DRF's shape: field -> messages, or a list of messages."""
    if hasattr(error, "error_dict"):
        return {
            field: [force_str(m) for e in errors for m in e.messages]
            for field, errors in error.error_dict.items()
        }
    return [force_str(m) for m in error.messages]


def problem(status_code: int, detail: str, errors: list | None = None, headers=None) -> Response:
    body = {
        "type": "about:blank",
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return Response(body, status=status_code, content_type=PROBLEM_TYPE, headers=headers)


def problem_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: its answer, reshaped as a problem document."""
    if isinstance(exc, DjangoValidationError):
        if getattr(exc, "code", None) == "stale":
            # The version check: someone saved the record since the client read it.
            return problem(status.HTTP_409_CONFLICT, " ".join(exc.messages))
        exc = exceptions.ValidationError(django_errors(exc))
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an API refusal: a real error, which Django reports
    headers = {k: v for k, v in response.items() if k in {"WWW-Authenticate", "Retry-After"}}
    if isinstance(exc, exceptions.ValidationError):
        errors = _errors(exc.detail)
        return problem(
            status.HTTP_400_BAD_REQUEST, _("Some fields are not valid."), errors, headers
        )
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    if isinstance(detail, dict):
        detail = detail.get("detail", "")
    return problem(response.status_code, force_str(detail), headers=headers)
