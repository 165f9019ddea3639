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
