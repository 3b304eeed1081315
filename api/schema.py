"""The OpenAPI schema's additions: every operation's refusals as problem documents, and the
token it needs."""

PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "pointer", "detail"],
                "properties": {
                    "field": {"type": "string", "description": "dotted name; '' for the whole"},
                    "pointer": {"type": "string", "description": "JSON pointer into the body"},
                    "detail": {"type": "string"},
                },
            },
        },
    },
}
REFUSALS = {
    "400": "A parameter or field is not valid: `errors` names each.",
    "401": "No token, or one unknown, expired or revoked.",
    "403": "Your roles, or the token's scope, do not allow this.",
    "404": "Nothing you may see has this id.",
    "429": "Too many requests with this token: wait `Retry-After` seconds.",
}
WRITE_REFUSALS = {"409": "The record changed since you read its version; nothing was saved."}


def problem_responses(result, generator, request, public):
    """A drf-spectacular postprocessing hook: add the problem document and the refusals."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    ref = {"$ref": "#/components/schemas/Problem"}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            refusals = dict(REFUSALS)
            if method == "post":
                refusals |= WRITE_REFUSALS
            for code, description in refusals.items():
                operation.setdefault("responses", {}).setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/problem+json": {"schema": ref}},
                    },
                )
    return result
