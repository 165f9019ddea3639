"""The chronology as CSV and as a PDF (WeasyPrint, templates/homicidereviews/pdf/), built from
the chronology selector. Both carry the OFFICIAL-SENSITIVE marking."""

from __future__ import annotations

import csv
import io

from django.template.loader import render_to_string
from django.utils import timezone

from .selectors.chronology import LONDON, Chronology

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
                entry.about,
                entry.reference,
                _safe(entry.summary),
                "; ".join(entry.markers),
                base_url + entry.url,
            ]
        )
    return out.getvalue()


def _safe(text: str) -> str:
    """Spreadsheet formula injection: a cell starting with = + - @ is read as text."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def chronology_pdf(chronology: Chronology, *, viewer) -> bytes:
    from weasyprint import HTML  # heavy import

    html = render_to_string(
        "homicidereviews/pdf/chronology.html",
        {
            "chronology": chronology,
            "review": chronology.review,
            "viewer": viewer,
            "generated_at": timezone.now().astimezone(LONDON),
        },
    )
    return HTML(string=html).write_pdf()
