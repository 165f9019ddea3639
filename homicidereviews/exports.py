"""The chronology as CSV and as a PDF (WeasyPrint, templates/homicidereviews/pdf/), built from
the chronology selector. Both carry the OFFICIAL-SENSITIVE marking. Every face of the
chronology (page, exports, API) logs its read through `chronology_read_log`."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from publicprotection.audit.models import AccessAction
from publicprotection.audit.services import access_log_record
from publicprotection.london_time import LONDON
from publicprotection.pdf import html_to_pdf
from publicprotection.spreadsheet_cells import as_text

from .selectors.chronology import Chronology


def chronology_read_log(
    *, request, review, label: str, action: str = AccessAction.VIEW, channel: str | None = None
) -> None:
    """Log a read (or an export) of a review's chronology: the review, and the victim's and the
    suspect's person records, whose contacts across London it lists (ADR 0010). A person's
    record history finds reads by the person, so every face logs both: the page, its CSV and
    PDF, and the API's JSON and CSV."""
    access_log_record(request=request, obj=review, action=action, channel=channel, label=label)
    people = [person for person in (review.victim, review.suspect) if person is not None]
    access_log_record(request=request, objects=people, action=action, channel=channel)


CSV_COLUMNS = ["date", "time", "record", "about", "reference", "summary", "markers", "link"]


def chronology_csv(chronology: Chronology, *, base_url: str = "") -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"OFFICIAL-SENSITIVE: police chronology for {chronology.review.reference}"])
    writer.writerow(CSV_COLUMNS)
    for entry in chronology.entries:
        local = entry.when.astimezone(LONDON)
        writer.writerow(
            [
                f"{local:%Y-%m-%d}",
                f"{local:%H:%M}",
                entry.kind,
                as_text(entry.about),
                as_text(entry.reference),
                as_text(entry.summary),
                as_text("; ".join(entry.markers)),
                base_url + entry.url,
            ]
        )
    return out.getvalue()


def chronology_pdf(chronology: Chronology, *, viewer) -> bytes:
    html = render_to_string(
        "homicidereviews/pdf/chronology.html",
        {
            "chronology": chronology,
            "review": chronology.review,
            "viewer": viewer,
            "generated_at": timezone.now().astimezone(LONDON),
        },
    )
    return html_to_pdf(html)


def notification_letter_pdf(review, *, viewer, today) -> bytes:
    """The police's written notification to the Community Safety Partnership, generated from
    the review (the review lead prints, signs and sends it, or uploads the letter sent)."""
    notified = review.notified_on or today
    html = render_to_string(
        "homicidereviews/pdf/notification_letter.html",
        {
            "review": review,
            "viewer": viewer,
            "today": today,
            "decision_due": notified + timedelta(days=settings.DHR_DECISION_DAYS),
        },
    )
    return html_to_pdf(html)
