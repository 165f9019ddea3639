"""`{% once_field %}`: the hidden one-time token a create form carries, so posting the same
form twice makes one record (publicprotection.idempotency.middleware)."""

import uuid

from django import template
from django.utils.html import format_html

from ..middleware import FORM_FIELD

register = template.Library()


@register.simple_tag(takes_context=True)
def once_field(context) -> str:
    # A re-shown form (errors) keeps the token it was posted with: it was not used up.
    request = context.get("request")
    posted = request.POST.get(FORM_FIELD, "") if request is not None else ""
    token = posted if _is_token(posted) else uuid.uuid4().hex
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, token)


def _is_token(value: str) -> bool:
    try:
        uuid.UUID(hex=value)
    except ValueError:
        return False
    return True
