"""The printable agenda: built from the agenda's items into templates/marac/pdf/agenda.html and
rendered by WeasyPrint to bytes (nothing is written until the whole PDF exists)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from .models import Agenda, AgendaSection
from .selectors import meetings as meeting_selectors
from .selectors.content import LONDON, NOT_YET_AVAILABLE, sections_for
from .selectors.sharing import age_of


def agenda_sections(agenda: Agenda, items) -> list[dict]:
    """The agenda's sections in meeting order, each with its items (carried ones first)."""
    by_section: dict[str, list] = {s: [] for s in sections_for(agenda.team)}
    for item in items:
        by_section.setdefault(item.section, []).append(item)
    return [
        {
            "code": code,
            "title": AgendaSection(code).label,
            "items": sorted(rows, key=lambda i: (i.carried_from_id is None, i.position, i.pk)),
        }
        for code, rows in by_section.items()
    ]


def render_agenda_pdf(agenda: Agenda, items) -> bytes:
    from weasyprint import HTML  # heavy import, needed only in the worker

    html = render_to_string(
        "marac/pdf/agenda.html",
        {
            "agenda": agenda,
            "team": agenda.team,
            "sections": agenda_sections(agenda, items),
            "not_yet_available": NOT_YET_AVAILABLE,
            "period_start": agenda.period_start.astimezone(LONDON),
            "period_end": agenda.period_end.astimezone(LONDON),
            "generated_at": timezone.now().astimezone(LONDON),
        },
    )
    return HTML(string=html).write_pdf()


def render_meeting_pack_pdf(meeting) -> bytes:
    from weasyprint import HTML  # heavy import, only when a pack is asked for

    agenda = meeting_selectors.meeting_agenda(meeting)
    research = meeting_selectors.meeting_research(meeting)
    cases = [
        {
            "case": case,
            "referral": case.listing.referral,
            "age": age_of(case.listing.referral.person),
            "research": research.get(case.listing.pk, []),
        }
        for entry in agenda
        for case in entry.cases
    ]
    html = render_to_string(
        "marac/pdf/pack.html",
        {
            "meeting": meeting,
            "agenda": agenda,
            "cases": cases,
            "generated_at": timezone.localtime(),
        },
    )
    return HTML(string=html).write_pdf()
