from datetime import timedelta

import pytest
from django.urls import reverse

from cases.tests.factories import PersonFactory
from publicprotection.audit.models import AccessLogEntry
from publicprotection.london_time import london_today

from ..models import HomicideReview, Recommendation
from .factories import a_review

pytestmark = pytest.mark.django_db

LIST = reverse("api:homicide-review-list")


def detail(review):
    return reverse("api:homicide-review-detail", args=[review.pk])


def recs(review):
    return reverse("api:homicide-review-recommendations", args=[review.pk])


def test_anonymous_and_wrong_roles_are_refused_and_nothing_changes(
    api_client, review_lead, lambeth_supervisor, analyst, partner
):
    review = a_review(review_lead)
    assert api_client.get(LIST).status_code == 401
    assert api_client.patch(detail(review), {"chair": "X"}, format="json").status_code == 401
    for user in (lambeth_supervisor, analyst, partner):
        api_client.force_authenticate(user)
        for url in (LIST, detail(review), recs(review)):
            assert api_client.get(url).status_code == 403
        assert (
            api_client.patch(
                detail(review), {"chair": "X", "version": 1}, format="json"
            ).status_code
            == 403
        )
        assert api_client.post(recs(review), {"text": "x"}, format="json").status_code == 403
    review.refresh_from_db()
    assert review.version == 1 and review.chair == ""
    assert not Recommendation.objects.exists()
    assert not AccessLogEntry.objects.exclude(user=review_lead).exists()


def test_list_is_empty_then_paginated_and_logged(api_client, review_lead):
    api_client.force_authenticate(review_lead)
    assert api_client.get(LIST).json()["results"] == []
    for _ in range(3):
        a_review(review_lead)
    body = api_client.get(LIST, {"page_size": 2}).json()
    assert len(body["results"]) == 2 and body["next"]
    assert AccessLogEntry.objects.filter(user=review_lead, channel="api").count() == 1


def test_create_read_and_patch(api_client, review_lead):
    victim = PersonFactory(actor=review_lead)
    api_client.force_authenticate(review_lead)
    died = london_today() - timedelta(days=5)
    response = api_client.post(
        LIST,
        {
            "victim_id": victim.pk,
            "date_of_death": died.isoformat(),
            "circumstances": "Strangled",
            "borough": "LAM",
            "partnership": "Safer Lambeth",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    review = HomicideReview.objects.get()
    body = api_client.get(detail(review)).json()
    assert body["victim_name"] == victim.full_name and body["overdue_steps"] == []
    patched = api_client.patch(detail(review), {"chair": "Chair", "version": 1}, format="json")
    assert patched.status_code == 200 and patched.json()["chair"] == "Chair"
    stale = api_client.patch(detail(review), {"chair": "Other", "version": 1}, format="json")
    assert stale.status_code == 409
    review.refresh_from_db()
    assert review.chair == "Chair"


def test_missing_review_is_404(api_client, review_lead):
    api_client.force_authenticate(review_lead)
    assert api_client.get(reverse("api:homicide-review-detail", args=[99999])).status_code == 404


def test_recommendations_api(api_client, review_lead):
    review = a_review(review_lead)
    api_client.force_authenticate(review_lead)
    assert api_client.get(recs(review)).json() == []
    response = api_client.post(
        recs(review),
        {"text": "Share information", "owner_agency": "Met", "due_on": "2031-01-01"},
        format="json",
    )
    assert response.status_code == 201
    bad = api_client.post(
        recs(review),
        {"text": "x", "owner_agency": "Met", "due_on": "2031-01-01", "status": "completed"},
        format="json",
    )
    assert bad.status_code == 400
    mistyped = api_client.post(
        recs(review), {"text": "y", "owner_agency": "Met", "due_on": "2062-01-01"}, format="json"
    )
    assert mistyped.status_code == 400 and "due_on" in str(mistyped.json())
    assert [r["text"] for r in api_client.get(recs(review)).json()] == ["Share information"]


def test_a_recommendation_is_moved_on_by_patch(api_client, review_lead, analyst):
    from datetime import date

    from ..services import recommendation_add

    review = a_review(review_lead)
    rec = recommendation_add(
        actor=review_lead,
        review_id=review.pk,
        text="Train staff",
        owner_agency="Met",
        due_on=date(2031, 1, 1),
    )
    url = reverse("api:homicide-review-recommendation", args=[review.pk, rec.pk])
    api_client.force_authenticate(analyst)
    assert (
        api_client.patch(url, {"status": "in_progress", "version": 1}, format="json").status_code
        == 403
    )
    api_client.force_authenticate(review_lead)
    incomplete = api_client.patch(url, {"status": "completed", "version": 1}, format="json")
    assert incomplete.status_code == 400
    done = api_client.patch(
        url,
        {
            "status": "completed",
            "evidence": "Training records held",
            "completed_on": london_today().isoformat(),
            "version": 1,
        },
        format="json",
    )
    assert done.status_code == 200 and done.json()["version"] == 2
    stale = api_client.patch(url, {"text": "Other", "version": 1}, format="json")
    assert stale.status_code == 409
    other = a_review(review_lead)
    wrong = reverse("api:homicide-review-recommendation", args=[other.pk, rec.pk])
    assert api_client.patch(wrong, {"text": "x", "version": 2}, format="json").status_code == 404
    rec.refresh_from_db()
    assert rec.text == "Train staff" and rec.status == "completed"


def test_a_refused_csv_export_answers_in_the_one_json_error_shape(api_client, review_lead, analyst):
    # The caller asked for CSV, but an error is never a CSV file (docs/adr/0012).
    review = a_review(review_lead)
    api_client.force_authenticate(analyst)

    response = api_client.get(
        reverse("api:homicide-review-chronology", args=[review.pk]), {"format": "csv"}
    )

    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["errors"][0]["code"] == "permission_denied"
