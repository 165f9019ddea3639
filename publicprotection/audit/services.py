"""Writing to the access log: the one function every view uses for reads of case records."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

from publicprotection.client_address import client_ip

from .models import AccessAction, AccessChannel, AccessLogEntry


def access_log_record(
    *,
    request,
    obj: Model,
    action: str = AccessAction.VIEW,
    channel: str | None = None,
    purpose: str = "",
    label: str = "",
) -> AccessLogEntry:
    """Log that request.user read (or downloaded, exported...) `obj`."""
    if channel is None:
        channel = AccessChannel.API if request.path.startswith("/api/") else AccessChannel.WEB
    return AccessLogEntry.objects.create(
        user=request.user,
        action=action,
        channel=channel,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_label=(label or str(obj))[:120],
        purpose=purpose[:500],
        path=request.get_full_path()[:500],
        method=request.method or "",
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )
