"""The daily agenda's PDF: what the meeting reads is all there, marked on every page, whatever
is done to make WeasyPrint faster."""

import gc
import io
from datetime import date
from unittest import mock

import pytest
from pypdf import PdfReader

from marac import pdf
from marac.models import Agenda, AgendaDecision, AgendaItem, AgendaSection, ItemObjectType
from publicprotection.accounts.tests.factories import UserFactory, team

from .helpers import MONDAY, at

pytestmark = pytest.mark.django_db


def flat(text: str) -> str:
    """The text with its line breaks and spacing as single spaces: a long line may wrap."""
    return " ".join(text.split())


def agenda_with_items() -> tuple[Agenda, list[AgendaItem]]:
    """Enough items for several pages: 45 high risk ones of three lines, a person in two
    sections, and an item carried from the last meeting with its open decision."""
    previous = Agenda.objects.create(
        team=team("LAM"), meeting_date=date(2025, 5, 30),
        period_start=at(date(2025, 5, 29), 7), period_end=at(date(2025, 5, 30), 7),
    )  # fmt: skip
    undone = AgendaItem.objects.create(
        agenda=previous, section=AgendaSection.AWAITING_REVIEW,
        object_type=ItemObjectType.ARREST_DECISION, object_id=900,
        reference="DV/LAM/2025/000900", summary="Not arrested: suspect not present.",
    )  # fmt: skip
    AgendaDecision.objects.create(
        item=undone, action="Chase the officer", owner="DS Khan", done=False,
        recorded_by=UserFactory(),
    )  # fmt: skip
    agenda = Agenda.objects.create(
        team=team("LAM"), meeting_date=MONDAY,
        period_start=at(date(2025, 5, 30), 7), period_end=at(MONDAY, 7),
    )  # fmt: skip
    rows = [
        AgendaItem(
            agenda=agenda,
            section=AgendaSection.HIGH_RISK,
            object_type=ItemObjectType.RISK_ASSESSMENT,
            object_id=n,
            reference=f"DV/LAM/2025/{n:06d}",
            summary=(
                f"Victim {n}, graded HIGH with SPECSS+ by Officer {n} on 31 May 2025 10:00.\n"
                f"Reason: threats to kill, number {n}.\nMARAC: Refer to MARAC ({n})."
            ),
        )
        for n in range(1, 46)
    ]
    rows += [
        AgendaItem(
            agenda=agenda,
            section=section,
            object_type=ItemObjectType.PERSON,
            object_id=77,
            reference="Person 77",
            summary=f"Person 77 in {section.label}.",
        )
        for section in (AgendaSection.OUTSTANDING_SUSPECTS, AgendaSection.SERIAL_PERPETRATORS)
    ]
    rows.append(
        AgendaItem(
            agenda=agenda,
            section=AgendaSection.AWAITING_REVIEW,
            object_type=ItemObjectType.ARREST_DECISION,
            object_id=900,
            reference=undone.reference,
            summary=undone.summary,
            carried_from=undone,
        )
    )
    for position, row in enumerate(rows):
        row.position = position
    AgendaItem.objects.bulk_create(rows)
    # As agenda_generate reads them.
    items = list(agenda.items.select_related("carried_from__decision").order_by("position", "id"))
    return Agenda.objects.select_related("team").get(pk=agenda.pk), items


def test_the_agenda_pdf_holds_every_item_line_mark_and_page_number():
    agenda, items = agenda_with_items()

    content = pdf.render_agenda_pdf(agenda, items)

    reader = PdfReader(io.BytesIO(content))
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        # The top margin box names the team and day; the bottom one marks it again.
        assert "OFFICIAL-SENSITIVE — Lambeth" in text
        assert "2 June 2025" in text
        assert text.count("OFFICIAL-SENSITIVE") >= 2
        assert f"Page {number} of {len(pages)}" in text
    whole = flat("\n".join(pages))
    for item in items:
        assert item.reference in whole
        for line in item.lines:
            assert flat(line) in whole
    assert "Summary" in whole
    assert "New high risk assessments 45" in whole
    assert "Also on this agenda under: Serial perpetrators" in whole
    assert "Also on this agenda under: Outstanding suspects" in whole
    assert "DV/LAM/2025/000900 Carried forward" in whole
    assert "Last decision: Chase the officer (owner DS Khan, not done)" in whole
    # Readable by assistive technology: the document's language and title.
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert reader.metadata.title == str(agenda)


def test_the_cycle_collector_is_paused_for_a_render_and_resumed_even_after_a_failure():
    during = []

    class FailingHTML:
        def __init__(self, string, **options):
            pass

        def write_pdf(self):
            during.append(gc.isenabled())
            raise RuntimeError("layout failed")

    with mock.patch("weasyprint.HTML", FailingHTML), pytest.raises(RuntimeError):
        pdf.render_agenda_pdf(*agenda_with_items())

    assert during == [False]
    assert gc.isenabled()


# A team's name as an administrator may type it: the running header is a CSS string.
AWKWARD_NAME = 'Hammersmith & Fulham\'s "DA" team \\ 2'
STYLE_ENDING_NAME = "Lambeth</style><link rel=attachment href=file:///etc/hostname><style>"


def test_the_agenda_header_prints_a_teams_name_as_typed():
    agenda, items = agenda_with_items()
    agenda.team.name = AWKWARD_NAME
    agenda.team.save(update_fields=["name"])

    reader = PdfReader(io.BytesIO(pdf.render_agenda_pdf(agenda, items)))

    assert f"OFFICIAL-SENSITIVE — {AWKWARD_NAME}" in reader.pages[0].extract_text()


def test_a_name_cannot_end_a_pdfs_style_sheet_or_make_it_read_a_file():
    """A pack's running header holds the team's name (and a partner's copy its agency's, the
    same way, templates/marac/pdf/_page.html): it stays text, and nothing a document names is
    fetched (WeasyPrint would embed the file in the PDF as an attachment)."""
    from .factories import coordinator, listed_case, meeting

    at = meeting()
    at.team.name = STYLE_ENDING_NAME
    at.team.save(update_fields=["name"])
    coord = coordinator()
    listed_case(at, coord)

    reader = PdfReader(io.BytesIO(pdf.render_meeting_pack_pdf(viewer=coord, meeting=at)))

    assert reader.attachments == {}
    unwrapped = "".join(reader.pages[0].extract_text().split())  # long names wrap anywhere
    assert "MARAC" + "".join(STYLE_ENDING_NAME.split()) + "—" in unwrapped
