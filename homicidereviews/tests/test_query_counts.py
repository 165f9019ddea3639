"""Lists keep the same number of queries as rows are added."""

from datetime import date

import pytest
from django.urls import reverse

from tests.query_counts import assert_queries_do_not_grow

from ..services import recommendation_add
from .factories import a_review

pytestmark = pytest.mark.django_db


def test_the_api_list_queries_do_not_grow(api_client, review_lead):
    a_review(review_lead)
    api_client.force_authenticate(review_lead)
    response = assert_queries_do_not_grow(
        api_client,
        reverse("api:homicide-review-list"),
        lambda: [a_review(review_lead) for _ in range(5)],
    )
    assert len(response.json()["results"]) == 6


def _recommendations(actor, review, count):
    for number in range(count):
        recommendation_add(
            actor=actor,
            review_id=review.pk,
            text=f"Recommendation {number}",
            owner_agency="Met",
            due_on=date(2030, 1, 1),
        )


def test_the_open_recommendations_page_queries_do_not_grow(client, review_lead):
    review = a_review(review_lead)
    _recommendations(review_lead, review, 1)
    client.force_login(review_lead)

    def grow():
        _recommendations(review_lead, a_review(review_lead), 5)

    assert_queries_do_not_grow(client, reverse("homicidereviews:recommendation-list"), grow)


def test_the_open_recommendations_page_is_paginated(client, review_lead):
    _recommendations(review_lead, a_review(review_lead), 26)
    client.force_login(review_lead)
    first = client.get(reverse("homicidereviews:recommendation-list"))
    assert 'rel="next"' in first.content.decode()
    second = client.get(reverse("homicidereviews:recommendation-list"), {"page": 2})
    assert "Recommendation 25" in second.content.decode()


def test_the_detail_page_queries_do_not_grow(client, review_lead):
    review = a_review(review_lead)
    client.force_login(review_lead)
    assert_queries_do_not_grow(
        client,
        reverse("homicidereviews:review-detail", args=[review.pk]),
        lambda: _recommendations(review_lead, review, 5),
    )


def test_the_recommendations_api_queries_do_not_grow(api_client, review_lead):
    review = a_review(review_lead)
    api_client.force_authenticate(review_lead)
    assert_queries_do_not_grow(
        api_client,
        reverse("api:homicide-review-recommendations", args=[review.pk]),
        lambda: _recommendations(review_lead, review, 5),
    )
