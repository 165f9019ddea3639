"""Printable documents, rendered by WeasyPrint to bytes (nothing is written until the whole PDF
exists): the daily agenda (templates/marac/pdf/agenda.html), and a MARAC meeting's pack and
minutes (pack.html, minutes.html), each built from the viewer-scoped selectors."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

from django.template.loader import render_to_string
from django.utils import timezone

from publicprotection.london_time import LONDON
from publicprotection.pdf import html_to_pdf

from .models import SECTION_ORDER, Agenda, AgendaSection, DocumentKind, ItemObjectType
from .selectors import documents as document_selectors
from .selectors import meetings as meeting_selectors
from .selectors.content import NOT_YET_AVAILABLE, sections_for


def agenda_sections(agenda: Agenda, items) -> list[dict]:
    """The agenda's sections in meeting order, each with its items (carried ones first).

    A person listed in more than one section (a serial perpetrator also outstanding, say) is
    shown in each with the other sections named (`item.also_in`), so the meeting sees every
    reason they are on the agenda."""
    by_section: dict[str, list] = {s: [] for s in sections_for(agenda.team)}
    sections_of_person: dict[int, list[str]] = {}
    for item in items:
        by_section.setdefault(item.section, []).append(item)
        if item.object_type == ItemObjectType.PERSON:
            sections_of_person.setdefault(item.object_id, []).append(item.section)
    for item in items:
        others = set()
        if item.object_type == ItemObjectType.PERSON:
            others = set(sections_of_person[item.object_id]) - {item.section}
        item.also_in = [
            {"code": code, "title": AgendaSection(code).label}
            for code in sorted(others, key=SECTION_ORDER.__getitem__)
        ]
    return [
        {
            "code": code,
            "title": AgendaSection(code).label,
            "items": sorted(rows, key=lambda i: (i.carried_from_id is None, i.position, i.pk)),
        }
        for code, rows in by_section.items()
    ]


def render_agenda_pdf(agenda: Agenda, items) -> bytes:
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
    return _write_pdf(html)


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """WeasyPrint keeps hundreds of thousands of objects alive while it lays a document out
    (boxes, styles, text layouts), so Python's cycle collector runs again and again over them,
    finding almost nothing to free: a fifth of a 300-item agenda's CPU. Paused for one render,
    the collector frees the document's garbage in one pass once resumed."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _write_pdf(html: str) -> bytes:
    with _cycle_collector_paused():
        return html_to_pdf(html)


def render_meeting_pack_pdf(*, viewer, meeting) -> bytes:
    """The pack as `viewer` may read it: the full copy for a coordinator, an invited agency's
    copy for its members. No addresses at all; contact only through the IDVA."""
    content = document_selectors.pack_content(viewer=viewer, meeting=meeting)
    html = render_to_string(
        "marac/pdf/pack.html",
        {
            "content": content,
            "meeting": meeting,
            "audience": content.agency,
            "generated_at": timezone.localtime(),
        },
    )
    return _write_pdf(html)


def render_minutes_pdf(*, viewer, meeting) -> bytes:
    """The minutes and action log as `viewer` may read them."""
    minutes = document_selectors.minutes_content(viewer=viewer, meeting=meeting)
    html = render_to_string(
        "marac/pdf/minutes.html",
        {
            "minutes": minutes,
            "meeting": meeting,
            "audience": document_selectors.document_audience(viewer),
            "confidentiality_statement": meeting_selectors.CONFIDENTIALITY_STATEMENT,
            "generated_at": timezone.localtime(),
        },
    )
    return _write_pdf(html)


RENDERERS = {
    DocumentKind.PACK: render_meeting_pack_pdf,
    DocumentKind.MINUTES: render_minutes_pdf,
}


def render_meeting_document_pdf(*, viewer, meeting, kind: str) -> bytes:
    return RENDERERS[kind](viewer=viewer, meeting=meeting)
