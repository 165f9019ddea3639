"""The pages' half of the error contract (docs/adr/0012): ServiceFormMixin maps what a service
raises onto the form, keeping what was typed."""

from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import include, path
from django.views.generic import TemplateView

from publicprotection.errors import ConcurrentEditError, StateError
from publicprotection.service_forms import ServiceActionView, ServiceFormMixin, add_service_errors

SAVED = SimpleNamespace(version=7, note="Saved by a colleague")


class NoteForm(forms.Form):
    version = forms.IntegerField()
    note = forms.CharField()


def service(*, raises, note):
    if raises:
        raise raises
    return f"saved {note}"


class NoteView(ServiceFormMixin, TemplateView):
    raises = None
    invalid_status = 400

    def post(self, request):
        form = NoteForm(request.POST)
        if form.is_valid():
            result = self.run_service(
                form, service, raises=self.raises, note=form.cleaned_data["note"]
            )
            return JsonResponse({"result": result})
        return self.form_rejected(form, self.invalid_status)

    def render_to_response(self, context, **kwargs):
        form = context["form"]
        return JsonResponse(
            {
                "errors": form.errors.get_json_data(),
                "typed": form["note"].value(),
                "version": str(form["version"].value()),
                "saved_meanwhile": getattr(context.get("saved_meanwhile"), "note", None),
            },
            **kwargs,
        )


class SavedMeanwhileView(NoteView):
    raises = ConcurrentEditError("note")

    def saved_meanwhile(self):
        return SAVED


class WarningView(NoteView):
    raises = StateError("The meeting has been held.")

    def state_error_url(self):
        return "/somewhere/"


class RefusalOnFormView(NoteView):
    raises = PermissionDenied("You made this decision: another supervisor must review it.")
    permission_denied_on_form = True


class ButtonView(ServiceActionView):
    """A button with no form: `raises` is what the service refuses with."""

    raises = None
    success_message = "Done."

    def load(self):
        if self.kwargs.get("missing"):
            raise Http404

    def perform(self):
        return service(raises=self.raises, note="button")

    def back_url(self):
        return "/record/"


class RoleCheckedButtonView(ButtonView):
    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied  # the role check, before anything runs


urlpatterns = [
    path("button/", ButtonView.as_view()),
    path("button/missing/", ButtonView.as_view(), {"missing": True}),
    path("button/state/", ButtonView.as_view(raises=StateError("The meeting has been held."))),
    path("button/stale/", ButtonView.as_view(raises=ConcurrentEditError("incident"))),
    path(
        "button/invalid/",
        ButtonView.as_view(raises=ValidationError(["Add the victim.", "Add a suspect."])),
    ),
    path(
        "button/field/",
        ButtonView.as_view(raises=ValidationError({"instrument": "Choose a risk instrument."})),
    ),
    path(
        "button/refused/",
        ButtonView.as_view(raises=PermissionDenied("You returned this decision.")),
    ),
    path("button/bare-refusal/", ButtonView.as_view(raises=PermissionDenied())),
    path("button/wrong-role/", RoleCheckedButtonView.as_view()),
    path("ok/", NoteView.as_view()),
    path("field/", NoteView.as_view(raises=ValidationError({"note": "Say more."}))),
    path("plain/", NoteView.as_view(raises=ValidationError("Not today."))),
    path("state/", NoteView.as_view(raises=StateError("Already submitted."))),
    path("stale/", SavedMeanwhileView.as_view()),
    path("warn/", WarningView.as_view()),
    path("refused/", NoteView.as_view(raises=PermissionDenied("Not yours."))),
    path("refused-on-form/", RefusalOnFormView.as_view()),
    path("somewhere/", lambda request: redirect("/ok/")),
    # The project's pages too: the 403 page links to them.
    path("", include("publicprotection.urls")),
]

TYPED = {"version": "3", "note": "What the user typed"}


@pytest.fixture
def client(client, settings):
    settings.ROOT_URLCONF = __name__
    return client


def test_a_successful_service_returns_its_result(client):
    assert client.post("/ok/", TYPED).json() == {"result": "saved What the user typed"}


def test_field_errors_go_by_the_field_and_keep_what_was_typed(client):
    response = client.post("/field/", TYPED)

    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {"note": [{"message": "Say more.", "code": ""}]}
    assert body["typed"] == "What the user typed"


def test_a_plain_validation_error_goes_to_the_top_of_the_form(client):
    body = client.post("/plain/", TYPED).json()

    assert body["errors"]["__all__"][0]["message"] == "Not today."


def test_a_form_can_name_the_field_a_services_error_goes_by():
    # The service names the record's field ("person"), the form has the number typed ("note").
    class PersonNoteForm(NoteForm):
        service_error_fields = {"person": "note"}

    form = PersonNoteForm({"version": "1", "note": "42"})
    assert form.is_valid()

    add_service_errors(form, ValidationError({"person": "No such person", "other": "Elsewhere"}))

    assert form.errors == {"note": ["No such person"], "__all__": ["Elsewhere"]}


def test_a_state_error_is_a_409_with_the_message_on_the_form(client):
    response = client.post("/state/", TYPED)

    assert response.status_code == 409
    assert response.json()["errors"]["__all__"][0]["message"] == "Already submitted."
    assert response.json()["typed"] == "What the user typed"


def test_a_stale_save_keeps_what_was_typed_and_shows_what_was_saved_meanwhile(client):
    response = client.post("/stale/", TYPED)

    assert response.status_code == 409
    body = response.json()
    assert body["typed"] == "What the user typed"
    assert body["saved_meanwhile"] == "Saved by a colleague"
    # The next save goes against the version now shown.
    assert body["version"] == "7"
    assert body["errors"]["__all__"][0]["message"].startswith(
        "Someone else changed this note while you were editing it."
    )


def test_a_state_error_can_be_a_warning_on_the_records_page(client):
    response = client.post("/warn/", TYPED)

    assert response.status_code == 302
    assert response["Location"] == "/somewhere/"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["The meeting has been held."]


def test_a_refusal_is_a_403(client):
    assert client.post("/refused/", TYPED).status_code == 403


def test_a_refusal_the_page_could_not_foresee_is_shown_on_the_form_in_the_services_words(client):
    body = client.post("/refused-on-form/", TYPED).json()

    assert body["errors"]["__all__"][0]["message"] == (
        "You made this decision: another supervisor must review it."
    )


# --- Buttons with no form: ServiceActionView ----------------------------------------------------


def banners(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def test_a_button_runs_its_service_and_goes_back_with_a_success_banner(client):
    response = client.post("/button/")

    assert response.status_code == 302
    assert response["Location"] == "/record/"
    assert banners(response) == [("success", "Done.")]


@pytest.mark.parametrize(
    "url,words",
    [
        ("/button/state/", ["The meeting has been held."]),
        ("/button/invalid/", ["Add the victim.", "Add a suspect."]),
        ("/button/field/", ["Choose a risk instrument."]),
        ("/button/refused/", ["You returned this decision."]),
        ("/button/bare-refusal/", ["You cannot do this."]),
    ],
)
def test_a_refused_button_shows_the_services_words_as_error_banners_on_its_page(client, url, words):
    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == "/record/"
    assert banners(response) == [("error", word) for word in words]


def test_a_stale_button_press_says_so_on_the_records_page(client):
    response = client.post("/button/stale/")

    assert response["Location"] == "/record/"
    [(level, words)] = banners(response)
    assert level == "error"
    assert words.startswith("Someone else changed this incident")


def test_a_button_is_post_only(client):
    assert client.get("/button/").status_code == 405


def test_a_button_keeps_its_404_and_its_role_checks_403(client):
    assert client.post("/button/missing/").status_code == 404
    assert client.post("/button/wrong-role/").status_code == 403
