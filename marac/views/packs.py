"""The meeting pack: the agenda with slots and each case's summary and research, rendered by
WeasyPrint on request (it changes as agencies add research until the meeting), served as an
audited download that is never cached. Coordinators of the meeting's team only.

The pack is for every agency at the table, so it follows the partner summary's rules: no
addresses at all, and contact only through the IDVA."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.views import View

from publicprotection.audit.models import AccessAction, AccessChannel
from publicprotection.audit.services import access_log_record

from ..pdf import render_meeting_pack_pdf
from ..selectors import meetings as selectors
from .meetings import MeetingRoleMixin


class MeetingPackView(MeetingRoleMixin, View):
    def get(self, request, pk):
        meeting = selectors.meeting_get(viewer=request.user, meeting_id=pk)
        pdf = render_meeting_pack_pdf(meeting)
        access_log_record(
            request=request,
            obj=meeting,
            action=AccessAction.DOWNLOAD,
            channel=AccessChannel.DOCUMENT,
            label=f"Meeting pack: {meeting}",
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        day = timezone.localtime(meeting.starts_at)
        response["Content-Disposition"] = (
            f'attachment; filename="marac-pack-{meeting.team.code}-{day:%Y-%m-%d}.pdf"'
        )
        response["Cache-Control"] = "no-store"
        return response


urlpatterns = [path("meetings/<int:pk>/pack/", MeetingPackView.as_view(), name="meeting-pack")]
