"""The dashboard as a PDF: the same SVG charts and tables as the page, through WeasyPrint."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from publicprotection.pdf import html_to_pdf

from .dashboard import Dashboard
from .figures import figures


def dashboard_pdf(*, dashboard: Dashboard, last_refresh, base_url: str) -> bytes:
    html = render_to_string(
        "reports/pdf/dashboard.html",
        {
            "dashboard": dashboard,
            "last_refresh": last_refresh,
            "generated_at": timezone.localtime(),
            "definitions": figures(),
        },
    )
    return html_to_pdf(html, base_url=base_url)
