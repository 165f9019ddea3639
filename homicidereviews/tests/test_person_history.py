"""Every read of a domestic homicide review, page, API or document, is in the victim's and the
suspect's record history (audit:record-history for the person), saying what was read (ADR
0002)."""

import pytest
from django.urls import reverse

from cases.tests.factories import PersonFactory
from tests.person_history import reads_by

from .factories import a_review

pytestmark = pytest.mark.django_db


def got(client, url) -> None:
    assert client.get(url).status_code == 200


def test_a_reviews_reads_are_in_the_victims_and_suspects_history(
    client, api_client, review_lead, admin_user
):
    suspect = PersonFactory()
    review = a_review(review_lead, suspect=suspect)
    client.force_login(review_lead)
    got(client, reverse("homicidereviews:review-detail", args=[review.pk]))
    got(client, reverse("homicidereviews:review-list"))
    got(client, reverse("homicidereviews:review-edit", args=[review.pk]))
    got(client, reverse("homicidereviews:review-letter-draft", args=[review.pk]))
    api_client.force_authenticate(review_lead)
    got(api_client, reverse("api:homicide-review-detail", args=[review.pk]))
    got(api_client, reverse("api:homicide-review-list"))
    got(api_client, reverse("api:homicide-review-recommendations", args=[review.pk]))

    for person in (review.victim, suspect):
        reads = reads_by(client, admin_user, person, review_lead)
        assert [(r.action, r.channel, r.object_id, r.object_ids) for r in reads] == [
            ("view", "api", str(review.pk), []),
            ("view", "api", "", [str(review.pk)]),
            ("view", "api", str(review.pk), []),
            ("export", "document", str(review.pk), []),
            ("view", "web", str(review.pk), []),
            ("view", "web", "", [str(review.pk)]),
            ("view", "web", str(review.pk), []),
        ]
        assert {r.content_type.model for r in reads} == {"homicidereview"}


def test_a_review_read_is_not_in_another_persons_history(client, review_lead, admin_user):
    review = a_review(review_lead)
    someone_else = PersonFactory()
    client.force_login(review_lead)
    got(client, reverse("homicidereviews:review-detail", args=[review.pk]))

    assert reads_by(client, admin_user, someone_else, review_lead) == []
