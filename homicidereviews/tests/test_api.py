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
            "victim_name": victim.full_name,
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


# --- The people on a review: record number and name --------------------------------------------

NO_SUCH_PERSON = "No person in the register has that record number and name"


def death(victim, **fields) -> dict:
    return {
        "victim_id": victim.pk,
        "victim_name": victim.full_name,
        "date_of_death": (london_today() - timedelta(days=5)).isoformat(),
        "circumstances": "Strangled",
        "borough": "LAM",
        "partnership": "Safer Lambeth",
        **fields,
    }


def test_create_with_an_alias_or_a_close_spelling(api_client, review_lead):
    victim = PersonFactory(
        actor=review_lead, given_name="Mohammed", family_name="Khan", aliases=["Mo Kay"]
    )
    api_client.force_authenticate(review_lead)

    for typed in ("Mo Kay", "Muhammad Khan"):
        response = api_client.post(LIST, death(victim, victim_name=typed), format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["victim"] == victim.pk
        assert response.json()["victim_name"] == "Mohammed Khan"  # the record's, not the typed

    assert HomicideReview.objects.filter(victim=victim).count() == 2


def test_an_unknown_number_and_a_wrong_name_get_the_same_400_after_the_same_queries(
    api_client, review_lead
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Given a victim, someone else, and a number nobody has
    victim = PersonFactory(actor=review_lead, given_name="Dee", family_name="Ceased")
    other = PersonFactory(actor=review_lead, given_name="Sid", family_name="Suspect")
    api_client.force_authenticate(review_lead)

    answers = []
    for person_id in (victim.pk, other.pk + 1000):
        body = death(victim, victim_id=person_id, victim_name=other.full_name)
        with CaptureQueriesContext(connection) as queries:
            response = api_client.post(LIST, body, format="json")
        answers.append((response.status_code, response.json(), len(queries)))

    # Then one answer, whichever part was wrong
    assert answers[0] == answers[1]
    status, body, _ = answers[0]
    assert status == 400
    assert body["errors"] == [{"code": "invalid", "detail": NO_SUCH_PERSON, "attr": "victim"}]
    assert not HomicideReview.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"victim_name": ""},
        {"victim_name": "   "},
        {"victim_name": None},
        {"victim_name": "x" * 100_000},
        {"victim_name": 12},
        {"victim_name": ["Dee"]},
        {"suspect_id": 1, "suspect_name": None},
        {"suspect_id": 1, "suspect_name": ""},
        {"suspect_id": 1, "suspect_name": "y" * 202},
    ],
)
def test_odd_names_are_a_400_and_save_nothing(api_client, review_lead, change):
    victim = PersonFactory(actor=review_lead, given_name="Dee", family_name="Ceased")
    body = death(victim)
    body.update(change)
    if "victim_name" not in change:
        body["suspect_id"] = PersonFactory(actor=review_lead).pk
    api_client.force_authenticate(review_lead)

    response = api_client.post(LIST, body, format="json")

    assert response.status_code == 400, response.json()
    assert not HomicideReview.objects.exists()


def test_a_review_lead_cannot_attach_a_person_by_id_alone(api_client, review_lead):
    victim = PersonFactory(actor=review_lead)
    suspect = PersonFactory(actor=review_lead)
    api_client.force_authenticate(review_lead)
    body = death(victim)
    del body["victim_name"]

    no_victim_name = api_client.post(LIST, body, format="json")
    no_suspect_name = api_client.post(LIST, death(victim, suspect_id=suspect.pk), format="json")

    assert no_victim_name.status_code == no_suspect_name.status_code == 400
    assert no_victim_name.json()["errors"][0]["attr"] == "victim_name"
    assert no_suspect_name.json()["errors"][0]["attr"] == "suspect"
    assert not HomicideReview.objects.exists()


def test_patch_needs_the_name_only_of_a_new_suspect(api_client, review_lead):
    # Given a review with a suspect, and another person
    suspect = PersonFactory(actor=review_lead, given_name="Sid", family_name="Suspect")
    other = PersonFactory(actor=review_lead, given_name="Otto", family_name="Other")
    review = a_review(review_lead, suspect=suspect)
    api_client.force_authenticate(review_lead)

    def patch(**changes):
        version = HomicideReview.objects.get(pk=review.pk).version
        return api_client.patch(detail(review), {**changes, "version": version}, format="json")

    assert patch(chair="A chair").status_code == 200
    assert patch(suspect_id=suspect.pk, chair="Another").status_code == 200
    # A name sent for the suspect already on the review is checked like a new one's
    mismatched = patch(suspect_id=suspect.pk, suspect_name="Otto Other")
    assert mismatched.status_code == 400
    assert mismatched.json()["errors"][0]["detail"] == NO_SUCH_PERSON
    no_name = patch(suspect_id=other.pk)
    wrong_name = patch(suspect_id=other.pk, suspect_name="Sid Suspect")
    unknown = patch(suspect_id=other.pk + 1000, suspect_name="Sid Suspect")
    assert no_name.status_code == wrong_name.status_code == unknown.status_code == 400
    assert wrong_name.json() == unknown.json()
    assert wrong_name.json()["errors"][0] == {
        "code": "invalid",
        "detail": NO_SUCH_PERSON,
        "attr": "suspect",
    }
    review.refresh_from_db()
    assert review.suspect == suspect and review.version == 3
    changed = patch(suspect_id=other.pk, suspect_name="otto other")
    assert changed.status_code == 200 and changed.json()["suspect"] == other.pk
    assert "suspect_name" in changed.json()  # the record's name, read-only
    assert changed.json()["suspect_name"] == "Otto Other"
    removed = patch(suspect_id=None)
    assert removed.status_code == 200 and removed.json()["suspect"] is None


def test_the_names_are_write_only_fields_of_the_openapi_schema(client, review_lead):
    import json

    client.force_login(review_lead)

    schema = json.loads(client.get(reverse("api-schema"), HTTP_ACCEPT="application/json").content)

    components = schema["components"]["schemas"]
    create = components["ReviewCreateInput"]
    assert "victim_name" in create["required"]
    assert create["properties"]["victim_name"]["writeOnly"] is True
    assert create["properties"]["victim_name"]["maxLength"] == 201
    assert create["properties"]["suspect_name"]["writeOnly"] is True
    patch = components["PatchedReviewUpdateInput"]
    assert patch["properties"]["suspect_name"]["writeOnly"] is True
    assert "victim_name" not in patch["properties"]
