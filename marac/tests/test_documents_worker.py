"""A meeting pack built by a real Celery worker against Redis, from a request on the page."""

import time

import pytest
from django.urls import reverse

from ..models import DocumentStatus, MeetingDocument
from .helpers import empty_queue, pdf_pages, wait_for


@pytest.mark.django_db(transaction=True)
def test_the_pack_is_built_by_a_real_worker_and_downloaded(client, settings):
    from celery.contrib.testing.worker import start_worker

    from cases.reference_data import load_reference_data as load_offences
    from publicprotection.accounts.reference_data import load_reference_data
    from publicprotection.celery import app
    from riskassessment.reference_data import load_reference_data as load_instruments

    load_reference_data()
    load_offences()
    load_instruments()
    settings.DAILY_AGENDA_CHECK_ON_WORKER_START = False  # this test queues its own work
    settings.BACKGROUND_RESEND_ON_WORKER_START = False

    from .factories import coordinator, listed_case, meeting

    at, coord = meeting(), coordinator()
    listing = listed_case(at, coord)
    client.force_login(coord)
    request_url = reverse("marac:meeting-document-request", args=[at.pk, "pack"])

    empty_queue(app)
    client.post(request_url)
    client.post(request_url)  # asked twice while pending: still one copy, one build
    assert MeetingDocument.objects.get().sent_at is not None

    with start_worker(app, perform_ping_check=False, shutdown_timeout=30):
        ready = wait_for(
            lambda: MeetingDocument.objects.filter(status=DocumentStatus.READY).exists(),
            timeout=90,
        )
        time.sleep(0.5)

    assert ready
    document = MeetingDocument.objects.get()
    assert document.attempts == 1
    response = client.get(reverse("marac:meeting-document-download", args=[at.pk, "pack"]))
    assert response.status_code == 200
    text = "\n".join(pdf_pages(b"".join(response.streaming_content)))
    assert listing.referral.reference in text
