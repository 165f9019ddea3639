"""A factor's note is revealed by its "yes" answer (GOV.UK conditional reveal) unless it already
says something, which always shows; what was typed is kept when the form is refused."""

import re

import pytest
from django.urls import reverse

from cases.tests.factories import add_offence, complete_incident
from riskassessment.forms.assessments import AssessmentForm
from riskassessment.models import Question
from riskassessment.services.assessments import assessment_start

pytestmark = pytest.mark.django_db


def yes_radio(page: str, code: str) -> str:
    return re.search(rf'<input[^>]*name="answer_{code}" value="yes"[^>]*>', page).group(0)


@pytest.fixture
def assessment(lambeth_officer):
    incident, victim, suspect = complete_incident(actor=lambeth_officer)
    add_offence(incident, suspect, code="strangulation")
    return assessment_start(actor=lambeth_officer, victim=victim)


def url(assessment):
    return reverse("riskassessment:assessment-detail", args=[assessment.pk])


def test_an_empty_note_is_revealed_by_yes(client, lambeth_officer, assessment):
    client.force_login(lambeth_officer)

    page = client.get(url(assessment)).text

    assert 'data-aria-controls="note-stalking-reveal"' in yes_radio(page, "stalking")
    assert (
        'class="govuk-radios__conditional govuk-radios__conditional--hidden pp-factor__note" '
        'id="note-stalking-reveal"' in page
    )


def test_a_note_from_the_record_always_shows(client, lambeth_officer, assessment):
    client.force_login(lambeth_officer)

    page = client.get(url(assessment)).text

    assert "data-aria-controls" not in yes_radio(page, "strangulation")
    assert 'id="note-strangulation-reveal"' not in page
    assert 'name="note_strangulation"' in page


def test_a_refused_form_keeps_typed_notes_in_view(client, lambeth_officer, assessment):
    client.force_login(lambeth_officer)
    data = {
        key: value
        for key, value in AssessmentForm.initial_for(assessment).items()
        if value is not None
    }
    data.update(answer_stalking="yes", note_stalking="Waits outside her work.", submit="1")

    response = client.post(url(assessment), data)

    page = response.text
    assert "Select the final risk level" in page
    assert 'value="Waits outside her work."' in page
    assert "data-aria-controls" not in yes_radio(page, "stalking")  # typed: always shown
    assert "checked" in yes_radio(page, "stalking")


def test_the_reveal_is_per_form():
    """Each form's radios reveal their own blocks (the widget is copied, not shared)."""
    questions = list(Question.objects.filter(instrument__code="specss_plus"))
    with_note = AssessmentForm(data={"note_stalking": "Seen"}, questions=questions)
    without = AssessmentForm(questions=questions)

    assert with_note.fields["answer_stalking"].widget.reveals == {}
    assert without.fields["answer_stalking"].widget.reveals == {"yes": "note-stalking-reveal"}
