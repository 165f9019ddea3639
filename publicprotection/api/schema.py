"""OpenAPI schema additions that apply to every operation of a kind."""

import json

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


def add_if_match_header(result, generator, request, public):
    """drf-spectacular postprocessing hook: PATCH of a versioned record accepts If-Match."""
    for operations in result.get("paths", {}).values():
        patch = operations.get("patch")
        if patch is None:
            continue
        parameters = patch.setdefault("parameters", [])
        if not any(p.get("name") == "If-Match" for p in parameters):
            parameters.append(dict(IF_MATCH_PARAMETER))
    return result


# The one error shape (docs/adr/0012): every error the API answers, whatever its status.
ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "An error. `type` is `validation_error` for a 400 naming fields, `server_error` for a "
        "5xx, otherwise `client_error`; each error has a machine `code`, the service's own "
        "words in `detail`, and the field it is about in `attr` (null when it is about the "
        "whole request)."
    ),
    "properties": {
        "type": {"type": "string", "enum": ["validation_error", "client_error", "server_error"]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "detail": {"type": "string"},
                    "attr": {"type": "string", "nullable": True},
                },
                "required": ["code", "detail", "attr"],
            },
        },
    },
    "required": ["type", "errors"],
}

ERROR_RESPONSES = {
    "400": "Bad input: the fields named in `attr`, or the request as a whole.",
    "401": "Not signed in, or the token is not valid.",
    "403": "Your role may not do this, or the service refused it (the reason is in `detail`).",
    "404": "No such record, or not one you may see.",
    "405": "Method not allowed.",
    "406": "Not acceptable.",
    "409": (
        "The record is not in a state that allows this, or changed since you read it "
        "(`version`); or the same Idempotency-Key is still being handled."
    ),
    "412": "If-Match names an older version: nothing was written.",
    "413": "The request body is too large.",
    "415": "Unsupported media type.",
    "422": "The Idempotency-Key was used before with a different request.",
    "429": "Too many requests: wait the seconds in Retry-After.",
    "500": "A server error.",
    "503": "The service is briefly unavailable: try again after Retry-After.",
}


def use_one_error_shape(result, generator, request, public):
    """drf-spectacular postprocessing hook: every operation documents every error status with
    the one `Error` shape, and the per-status shapes drf-standardized-errors made are dropped."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, description in ERROR_RESPONSES.items():
                responses[code] = {
                    "description": description,
                    "content": {"application/json": {"schema": dict(reference)}},
                }
    _drop_unreferenced(result)
    return result


def _drop_unreferenced(result) -> None:
    """Remove component schemas nothing refers to any more (the old error shapes)."""
    schemas = result["components"]["schemas"]
    while True:
        text = json.dumps({k: v for k, v in result.items() if k != "components"}, default=str)
        text += json.dumps(schemas, default=str)
        unused = [
            name
            for name in schemas
            if f'"#/components/schemas/{name}"' not in text and name != "Error"
        ]
        if not unused:
            return
        for name in unused:
            del schemas[name]
