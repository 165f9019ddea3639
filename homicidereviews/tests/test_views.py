from datetime import timedelta

import pytest
from django.urls import reverse

from cases.tests.factories import PersonFactory
from publicprotection.audit.models import AccessLogEntry
from publicprotection.london_time import london_today
from tests.query_counts import assert_queries_do_not_grow

from ..models import HomicideReview, Recommendation
from .factories import a_review

pytestmark = pytest.mark.django_db


def _urls(review):
    return [
        reverse("homicidereviews:review-list"),
        reverse("homicidereviews:review-create"),
        reverse("homicidereviews:review-detail", args=[review.pk]),
        reverse("homicidereviews:review-edit", args=[review.pk]),
        reverse("homicidereviews:recommendation-list"),
        reverse("homicidereviews:recommendation-create", args=[review.pk]),
        reverse("homicidereviews:lesson-create", args=[review.pk]),
    ]


def death_form(victim, **extra) -> dict:
    """The "record a death" form as a review lead fills it in for `victim`."""
    from publicprotection.accounts.models import Borough

    return {
        "victim_id": victim.pk,
        "victim_name": victim.full_name,
        "circumstances": "Stabbed at home",
        "borough": Borough.objects.get(code="LAM").pk,
        "partnership": "Safer Lambeth",
        "date_of_death": (london_today() - timedelta(days=3)).isoformat(),
        "decision": "pending",
        **extra,
    }


def test_anonymous_users_are_sent_to_sign_in_and_nothing_changes(client, review_lead):
    review = a_review(review_lead)
    for url in _urls(review):
        assert client.get(url).status_code == 302
        assert client.post(url, {"circumstances": "x", "text": "x"}).status_code == 302
    review.refresh_from_db()
    assert review.version == 1 and HomicideReview.objects.count() == 1
    assert not Recommendation.objects.exists()


@pytest.mark.parametrize(
    "who", ["lambeth_supervisor", "lambeth_officer", "analyst", "coordinator", "partner"]
)
def test_other_roles_and_borough_supervisors_are_refused(client, review_lead, who, request):
    review = a_review(review_lead)
    user = request.getfixturevalue(who)
    client.force_login(user)
    for url in _urls(review):
        assert client.get(url).status_code == 403
        assert client.post(url, {"circumstances": "x", "text": "x"}).status_code == 403
    review.refresh_from_db()
    assert review.version == 1 and HomicideReview.objects.count() == 1
    assert not AccessLogEntry.objects.filter(user=user).exists()


def test_a_missing_review_is_404(client, review_lead):
    client.force_login(review_lead)
    assert client.get(reverse("homicidereviews:review-detail", args=[999999])).status_code == 404


def test_the_list_is_empty_then_shows_reviews_and_overdue_steps(client, review_lead):
    client.force_login(review_lead)
    response = client.get(reverse("homicidereviews:review-list"))
    assert "No reviews have been recorded." in response.content.decode()
    late = a_review(review_lead, died=london_today() - timedelta(days=60))
    response = client.get(reverse("homicidereviews:review-list"))
    page = response.content.decode()
    assert late.reference in page and "Notify the Community Safety Partnership" in page
    entry = AccessLogEntry.objects.get(user=review_lead)
    assert entry.object_ids == [str(late.pk)]


def test_the_list_is_paginated(client, review_lead):
    for _ in range(26):
        a_review(review_lead)
    client.force_login(review_lead)
    first = client.get(reverse("homicidereviews:review-list"))
    assert 'rel="next"' in first.content.decode()
    second = client.get(reverse("homicidereviews:review-list"), {"page": 2})
    assert second.content.decode().count("/homicide-reviews/") >= 1


def test_the_list_queries_do_not_grow(client, review_lead):
    a_review(review_lead)
    client.force_login(review_lead)
    assert_queries_do_not_grow(
        client,
        reverse("homicidereviews:review-list"),
        lambda: [a_review(review_lead) for _ in range(5)],
    )


def test_the_detail_page_is_logged(client, central_supervisor, review_lead):
    review = a_review(review_lead)
    client.force_login(central_supervisor)
    response = client.get(reverse("homicidereviews:review-detail", args=[review.pk]))
    assert response.status_code == 200
    assert "Review of the death of Dee Ceased" in response.content.decode()
    assert AccessLogEntry.objects.filter(user=central_supervisor, object_id=str(review.pk)).exists()


@pytest.mark.parametrize(
    "page", ["review-edit", "recommendation-create", "lesson-create", "recommendation-edit"]
)
def test_a_refused_form_logs_the_review_its_page_shows_again(client, review_lead, page):
    # Given a review with a recommendation
    review = a_review(review_lead)
    recommendation = Recommendation.objects.create(
        review=review, text="Train call handlers", owner_agency="Police",
        due_on=review.date_of_death + timedelta(days=90), created_by=review_lead,
    )  # fmt: skip
    target = recommendation.pk if page == "recommendation-edit" else review.pk
    client.force_login(review_lead)

    # When the lead posts an empty form (nothing valid: the page is shown again)
    response = client.post(reverse(f"homicidereviews:{page}", args=[target]), {})

    # Then the page, showing the review again, logs its read like the GET does
    assert response.status_code == 400
    assert review.reference in response.content.decode()
    entry = AccessLogEntry.objects.get(user=review_lead)
    assert entry.object_id == str(review.pk) and entry.method == "POST"


def test_create_shows_an_error_summary_and_keeps_what_was_typed(client, review_lead):
    client.force_login(review_lead)
    response = client.post(
        reverse("homicidereviews:review-create"),
        {
            "victim_id": "999999",
            "victim_name": "Typed Name",
            "circumstances": "Typed circumstances",
            "partnership": "Safer Lambeth",
            "date_of_death": london_today().isoformat(),
            "decision": "pending",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in page
    assert "Typed circumstances" in page and "Safer Lambeth" in page and "Typed Name" in page
    assert HomicideReview.objects.count() == 0


def test_create_and_edit_a_review(client, review_lead):
    victim = PersonFactory(actor=review_lead)
    client.force_login(review_lead)

    response = client.post(reverse("homicidereviews:review-create"), death_form(victim))
    review = HomicideReview.objects.get()
    assert response.status_code == 302 and review.victim == victim
    edit = reverse("homicidereviews:review-edit", args=[review.pk])
    form = client.get(edit)
    assert form.status_code == 200
    response = client.post(
        edit,
        {
            "version": 1,
            "circumstances": "Stabbed at home",
            "borough": review.borough_id,
            "partnership": "Safer Lambeth",
            "date_of_death": review.date_of_death.isoformat(),
            "notified_on": london_today().isoformat(),
            "decision": "pending",
            "chair": "An Independent Chair",
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.chair == "An Independent Chair" and review.notified_on == london_today()
    stale = client.post(
        edit,
        {
            "version": 1,
            "circumstances": "Other",
            "borough": review.borough_id,
            "partnership": "Safer Lambeth",
            "date_of_death": review.date_of_death.isoformat(),
            "decision": "pending",
        },
    )
    assert stale.status_code == 409 and "Someone else changed" in stale.content.decode()
    # The re-shown form carries the version now saved: saving again (after checking) works.
    assert 'name="version" value="2"' in stale.content.decode()


def test_the_letter_download_is_audited(client, review_lead):
    from django.core.files.uploadedfile import SimpleUploadedFile

    review = a_review(review_lead, letter=SimpleUploadedFile("l.pdf", b"%PDF-1.4 x"))
    client.force_login(review_lead)
    response = client.get(reverse("homicidereviews:review-letter", args=[review.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 x"
    assert AccessLogEntry.objects.filter(user=review_lead, action="download").exists()


def test_recommendations_and_lessons_pages(client, review_lead, analyst):
    from ..models import LessonTheme

    review = a_review(review_lead)
    client.force_login(review_lead)
    assert (
        "No open recommendations"
        in client.get(reverse("homicidereviews:recommendation-list")).content.decode()
    )
    response = client.post(
        reverse("homicidereviews:recommendation-create", args=[review.pk]),
        {
            "text": "Do better",
            "owner_agency": "Met",
            "status": "open",
            "due_on": (london_today() - timedelta(days=1)).isoformat(),
        },  # fmt: skip
    )
    assert response.status_code == 302
    page = client.get(reverse("homicidereviews:recommendation-list"), {"overdue": "1"})
    assert "Do better" in page.content.decode() and "Overdue" in page.content.decode()
    theme = LessonTheme.objects.get(code="marac")
    client.post(
        reverse("homicidereviews:lesson-create", args=[review.pk]),
        {"theme": theme.pk, "summary": "Refer sooner"},
    )
    client.force_login(analyst)
    themes = client.get(reverse("homicidereviews:lesson-themes")).content.decode()
    # The victim's full names: a short "Dee" can turn up inside a random CSRF token.
    assert theme.name in themes and review.reference not in themes
    assert "Dee Ceased" not in themes and "Ceased" not in themes


def test_a_draft_notification_letter_is_generated_and_logged(client, review_lead, analyst):
    review = a_review(review_lead)
    url = reverse("homicidereviews:review-letter-draft", args=[review.pk])
    client.force_login(analyst)
    assert client.get(url).status_code == 403
    client.force_login(review_lead)
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert AccessLogEntry.objects.filter(user=review_lead, action="export").count() == 1
    assert not AccessLogEntry.objects.filter(user=analyst).exists()


def test_a_stale_recommendation_edit_is_refused_and_can_be_saved_again(client, review_lead):
    from ..services import recommendation_add

    review = a_review(review_lead)
    recommendation = recommendation_add(
        actor=review_lead, review_id=review.pk, text="Train call handlers", owner_agency="Met",
        due_on=london_today() + timedelta(days=30),
    )  # fmt: skip
    url = reverse("homicidereviews:recommendation-edit", args=[recommendation.pk])
    client.force_login(review_lead)
    form = {"text": "Train call handlers", "owner_agency": "Met", "status": "open",
            "due_on": (london_today() + timedelta(days=30)).isoformat(), "version": 1}  # fmt: skip
    assert client.post(url, {**form, "owner_agency": "LAS"}).status_code == 302

    stale = client.post(url, {**form, "text": "Train call handlers and dispatchers"})

    assert stale.status_code == 409 and "Someone else changed" in stale.content.decode()
    assert "Train call handlers and dispatchers" in stale.content.decode()
    assert Recommendation.objects.get().owner_agency == "LAS"
    assert 'name="version" value="2"' in stale.content.decode()
    again = client.post(url, {**form, "text": "Train call handlers and dispatchers", "version": 2})
    assert again.status_code == 302
    assert Recommendation.objects.get().text == "Train call handlers and dispatchers"


def test_each_create_form_posted_twice_makes_one_record(client, review_lead):
    """A double click, or the browser sending the form again: the page's one-time token."""
    from ..models import Lesson, LessonTheme

    victim = PersonFactory(actor=review_lead)
    client.force_login(review_lead)
    create = reverse("homicidereviews:review-create")
    assert 'name="_once"' in client.get(create).text
    death = death_form(victim, _once="0" * 31 + "1")
    assert client.post(create, death).status_code == client.post(create, death).status_code == 302
    review = HomicideReview.objects.get()
    add = reverse("homicidereviews:recommendation-create", args=[review.pk])
    assert 'name="_once"' in client.get(add).text
    recommendation = {"_once": "0" * 31 + "2", "text": "Do better", "owner_agency": "Met",
                      "due_on": (london_today() + timedelta(days=90)).isoformat(),
                      "status": "open"}  # fmt: skip
    client.post(add, recommendation)
    client.post(add, recommendation)
    lesson_add = reverse("homicidereviews:lesson-create", args=[review.pk])
    assert 'name="_once"' in client.get(lesson_add).text
    lesson = {"_once": "0" * 31 + "3", "theme": LessonTheme.objects.get(code="marac").pk,
              "summary": "Refer sooner"}  # fmt: skip
    client.post(lesson_add, lesson)
    client.post(lesson_add, lesson)

    assert Recommendation.objects.count() == 1
    assert Lesson.objects.count() == 1


def test_a_recommendation_due_in_a_mistyped_year_is_refused_with_what_was_typed(
    client, review_lead
):
    review = a_review(review_lead)
    client.force_login(review_lead)

    response = client.post(
        reverse("homicidereviews:recommendation-create", args=[review.pk]),
        {
            "text": "Share information sooner",
            "owner_agency": "Met",
            "status": "open",
            "due_on": f"{london_today().year + 36}-01-15",
        },  # fmt: skip
    )

    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert "The due date must be within 10 years of the date of death" in page
    assert "Share information sooner" in page
    assert not Recommendation.objects.exists()


@pytest.fixture
def unwritable_storage(settings, tmp_path):
    """Private storage that cannot be written: its folder is under a plain file (as a full or
    read-only volume, every write raises OSError, even for root)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "private")},
        },
    }


def test_a_letter_the_storage_cannot_keep_saves_nothing_and_keeps_the_form(
    client, review_lead, unwritable_storage
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    victim = PersonFactory(actor=review_lead)
    client.force_login(review_lead)
    response = client.post(
        reverse("homicidereviews:review-create"),
        death_form(
            victim,
            circumstances="A long account typed over an hour",
            letter=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 the letter"),
        ),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "The letter could not be stored" in page and "nothing has been saved" in page
    assert "A long account typed over an hour" in page
    assert not HomicideReview.objects.exists()


def test_a_new_letter_the_storage_cannot_keep_leaves_the_review_as_it_was(
    client, review_lead, unwritable_storage
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    review = a_review(review_lead)
    client.force_login(review_lead)
    response = client.post(
        reverse("homicidereviews:review-edit", args=[review.pk]),
        death_form(
            review.victim,
            version=1,
            chair="A chair typed in",
            letter=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 the letter"),
        ),
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "The letter could not be stored" in page and "A chair typed in" in page
    review.refresh_from_db()
    assert review.version == 1 and review.chair == "" and not review.notification_letter


# An upload bigger than FILE_UPLOAD_MAX_MEMORY_SIZE is written to a temporary file while Django
# reads the request, before any view runs (publicprotection/uploads.py).
LETTER = b"%PDF-1.4 the letter " + b"x" * 200_000  # several 64 KB chunks


@pytest.fixture
def uploads_on_disk(settings, tmp_path):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    return tmp_path / "uploads"


@pytest.fixture
def no_room_for_uploads(settings, uploads_on_disk):
    """The temporary folder cannot be written: a path under a plain file (creating a file there
    fails with an OSError, as on a full or read-only volume)."""
    blocker = uploads_on_disk.parent / "not-a-folder"
    blocker.write_text("")
    settings.FILE_UPLOAD_TEMP_DIR = str(blocker / "tmp")


def test_an_upload_the_temporary_folder_cannot_take_keeps_the_form_and_saves_nothing(
    client, review_lead, no_room_for_uploads, settings, uploads_on_disk
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    victim = PersonFactory(actor=review_lead)
    client.force_login(review_lead)
    form = death_form(victim, circumstances="A long account typed over an hour", _once="t-1")

    response = client.post(
        reverse("homicidereviews:review-create"),
        {**form, "letter": SimpleUploadedFile("letter.pdf", LETTER)},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "The file could not be stored on the server just now" in page
    assert "nothing has been saved" in page
    assert "A long account typed over an hour" in page and "Safer Lambeth" in page
    assert not HomicideReview.objects.exists()

    # Once there is room again, the same form (its one-time token unspent) saves, with the letter.
    settings.FILE_UPLOAD_TEMP_DIR = str(uploads_on_disk)
    again = client.post(
        reverse("homicidereviews:review-create"),
        {**form, "letter": SimpleUploadedFile("letter.pdf", LETTER)},
    )

    assert again.status_code == 302
    review = HomicideReview.objects.get()
    assert review.notification_letter.read() == LETTER
    assert list(uploads_on_disk.iterdir()) == []  # no temporary file left behind


def test_a_disk_that_fills_up_during_an_upload_leaves_the_review_as_it_was(
    client, review_lead, uploads_on_disk
):
    """ENOSPC part way through the file: the temporary file is removed, the rest of the request
    is still read (what was typed after the file is kept too)."""
    import errno
    from unittest import mock

    from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

    review = a_review(review_lead)
    client.force_login(review_lead)
    writes = []

    def write_until_full(self):
        def write(data):
            writes.append(len(data))
            if len(writes) > 1:
                raise OSError(errno.ENOSPC, "No space left on device")
            return self.file.write(data)

        return write

    with mock.patch.object(TemporaryUploadedFile, "write", property(write_until_full)):
        response = client.post(
            reverse("homicidereviews:review-edit", args=[review.pk]),
            {
                **death_form(review.victim, version=1),
                "letter": SimpleUploadedFile("letter.pdf", LETTER),
                "chair": "A chair typed in after the file",
            },
        )

    assert len(writes) > 1
    assert response.status_code == 400
    page = response.content.decode()
    assert "The file could not be stored on the server just now" in page
    assert "A chair typed in after the file" in page
    review.refresh_from_db()
    assert review.version == 1 and review.chair == "" and not review.notification_letter
    assert list(uploads_on_disk.iterdir()) == []


# --- The people on a review: record number and name --------------------------------------------

NO_SUCH_PERSON = "No person in the register has that record number and name"


def test_the_form_asks_for_the_names_beside_the_numbers(client, review_lead):
    client.force_login(review_lead)

    page = client.get(reverse("homicidereviews:review-create")).content.decode()

    assert "Victim&#x27;s full name" in page or "Victim's full name" in page
    assert 'name="victim_name"' in page and 'name="suspect_name"' in page
    assert "checked against the record number" in page


def test_a_death_is_recorded_with_the_victims_name_misspelt_but_similar(client, review_lead):
    victim = PersonFactory(actor=review_lead, given_name="Mohammed", family_name="Khan")
    client.force_login(review_lead)

    response = client.post(
        reverse("homicidereviews:review-create"), death_form(victim, victim_name="Muhammad Khan")
    )

    assert response.status_code == 302
    assert HomicideReview.objects.get().victim == victim


@pytest.mark.parametrize("wrong", ["name", "number"])
def test_a_wrong_name_or_number_is_refused_alike_keeping_what_was_typed(client, review_lead, wrong):
    # Given a victim and someone else in the register
    victim = PersonFactory(actor=review_lead, given_name="Dee", family_name="Ceased")
    other = PersonFactory(actor=review_lead, given_name="Sid", family_name="Suspect")
    client.force_login(review_lead)
    form = death_form(victim, circumstances="Typed circumstances")
    if wrong == "name":
        form["victim_name"] = other.full_name
    else:
        form["victim_id"] = other.pk + 1000

    # When the lead saves
    response = client.post(reverse("homicidereviews:review-create"), form)

    # Then the one refusal, by the record number, with everything typed kept; nothing saved
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    error = page.split('id="id_victim_id_error"', 1)[1].split("</p>", 1)[0]
    assert NO_SUCH_PERSON in error
    assert f'value="{form["victim_name"]}"' in page and "Typed circumstances" in page
    assert not HomicideReview.objects.exists()


def test_a_review_lead_cannot_record_a_death_by_record_number_alone(client, review_lead):
    victim = PersonFactory(actor=review_lead)
    suspect = PersonFactory(actor=review_lead)
    client.force_login(review_lead)

    no_victim_name = client.post(
        reverse("homicidereviews:review-create"), death_form(victim, victim_name="")
    )
    no_suspect_name = client.post(
        reverse("homicidereviews:review-create"), death_form(victim, suspect_id=suspect.pk)
    )

    assert no_victim_name.status_code == no_suspect_name.status_code == 400
    assert "Enter the victim&#x27;s full name" in no_victim_name.content.decode()
    assert "Enter the suspect&#x27;s full name" in no_suspect_name.content.decode()
    assert not HomicideReview.objects.exists()


def test_an_edit_needs_the_name_only_of_a_new_suspect(client, review_lead):
    # Given a review with a suspect, and another person
    suspect = PersonFactory(actor=review_lead, given_name="Sid", family_name="Suspect")
    other = PersonFactory(actor=review_lead, given_name="Otto", family_name="Other")
    review = a_review(review_lead, suspect=suspect)
    edit = reverse("homicidereviews:review-edit", args=[review.pk])
    client.force_login(review_lead)

    def save(**fields):
        version = HomicideReview.objects.get(pk=review.pk).version
        return client.post(edit, death_form(review.victim, version=version, **fields))

    # The suspect already on it: no name needed
    assert save(suspect_id=suspect.pk, chair="A chair").status_code == 302
    # A new suspect with a name that is not theirs: refused, what was typed kept
    refused = save(suspect_id=other.pk, suspect_name="Sid Suspect", chair="Another chair")
    assert refused.status_code == 400
    page = refused.content.decode()
    assert NO_SUCH_PERSON in page.split('id="id_suspect_id_error"', 1)[1].split("</p>", 1)[0]
    assert 'value="Sid Suspect"' in page and "Another chair" in page
    review.refresh_from_db()
    assert review.suspect == suspect and review.chair == "A chair"
    # With their name: changed
    assert save(suspect_id=other.pk, suspect_name="Otto Other").status_code == 302
    review.refresh_from_db()
    assert review.suspect == other
    # Removed: no name needed
    assert save(suspect_id="").status_code == 302
    review.refresh_from_db()
    assert review.suspect is None and review.version == 4
