"""OpenAPI schema additions that apply to every operation of a kind."""

IDEMPOTENCY_KEY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {"type": "string", "maxLength": 255},
    "description": (
        "Any unique string (a UUID, say). A retry of this POST with the same key, by the same "
        "user or token within 24 hours, gets the first answer again (header "
        "`Idempotent-Replayed: true`) and makes no second record; the same key with a different "
        "body is a 422; a retry while the first is still running waits for it."
    ),
}


def add_idempotency_key_header(result, generator, request, public):
    """drf-spectacular postprocessing hook: every POST accepts an Idempotency-Key."""
    for operations in result.get("paths", {}).values():
        post = operations.get("post")
        if post is not None:
            parameters = post.setdefault("parameters", [])
            if not any(p.get("name") == "Idempotency-Key" for p in parameters):
                parameters.append(dict(IDEMPOTENCY_KEY_PARAMETER))
    return result


IF_MATCH_PARAMETER = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": (
        'The ETag of the record as you read it (`"v3"`), instead of `version` in the body: if '
        "someone changed the record since, nothing is written and the answer is 412."
    ),
}


ERROR_RESPONSE_412 = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["client_error"]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "enum": ["precondition_failed"]},
                    "detail": {"type": "string"},
                    "attr": {"type": "string", "nullable": True},
                },
                "required": ["code", "detail", "attr"],
            },
        },
    },
    "required": ["type", "errors"],
}


def add_if_match_header(result, generator, request, public):
    """drf-spectacular postprocessing hook: PATCH of a versioned record accepts If-Match."""
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault(
        "ErrorResponse412", ERROR_RESPONSE_412
    )
    for operations in result.get("paths", {}).values():
        patch = operations.get("patch")
        if patch is None:
            continue
        parameters = patch.setdefault("parameters", [])
        if not any(p.get("name") == "If-Match" for p in parameters):
            parameters.append(dict(IF_MATCH_PARAMETER))
        patch.setdefault("responses", {}).setdefault(
            "412",
            {
                "description": "If-Match names an older version: nothing was written.",
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/ErrorResponse412"}
                    }
                },
            },
        )
    return result
