"""One form-view base for the pages: run a service for a submitted form and map the error
contract (docs/adr/0012) onto the page, so no view writes its own try/except.

- `ValidationError`: the messages go on the form, by field where they name one, and the form is
  shown again with everything typed (status `invalid_status`);
- a stale version (`ConcurrentEditError`): the form again at 409, with what was typed and what
  was saved meanwhile (`saved_meanwhile()`); its version moves on to the saved one, so the next
  save goes against what the user has now seen;
- any other `StateError`: the form again at 409 with the message; or, where the view names a
  `state_error_url()`, the message as a warning on that page (the record's own page shows where
  it is now);
- `PermissionDenied`: a 403; or, with `permission_denied_on_form`, the service's own words on
  the form (a rule the page cannot show before the user tries, "another supervisor must review
  it");
- the database refusing the save for now (a deadlock, a serialization failure, a statement or
  lock timeout: `is_retryable_database_error`): the form again at 503 with everything typed and
  a message to save again, instead of the 503 page that loses a long form. The service's
  transaction (or savepoint) has rolled back, so nothing was saved.

A view calls `self.run_service(form, service, **kwargs)` where it would call the service: it
returns the service's result, or answers the request itself (the view's code after it does not
run).

A button with no form (submit, accept, mark held, withdraw...) is a `ServiceActionView`: it
calls the service and goes back to the page the button is on, with a success banner, or with
the service's own words in an error banner whatever the refusal (a state, bad input, or a rule
the page could not show before the user pressed the button). The role check and the scoped
load before it still answer 403 and 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, OperationalError, connection
from django.shortcuts import redirect
from django.views import View

from .errors import (
    DATABASE_BUSY_MESSAGE,
    ConcurrentEditError,
    StateError,
    is_retryable_database_error,
)

DATABASE_BUSY_BUTTON_MESSAGE = (
    "The database was too busy to do this just now, so nothing has changed. Try again."
)


def refusal_messages(error: ValidationError | StateError | PermissionDenied) -> list[str]:
    """A refusal in the service's own words (a bare PermissionDenied has none of its own)."""
    if isinstance(error, PermissionDenied):
        return [str(error) or "You cannot do this."]
    return list(error.messages)


def add_service_errors(form, error: ValidationError | StateError) -> None:
    """Show a service's error on the form: by field where it names one of the form's, or one
    the form's `service_error_fields` maps it to ({"victim": "victim_id"})."""
    if hasattr(error, "error_dict"):
        renamed = getattr(form, "service_error_fields", {})
        for field, errors in error.message_dict.items():
            field = renamed.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in error.messages:
            form.add_error(None, message)


def database_busy(error: BaseException) -> bool:
    """The database refused a statement for now (see `is_retryable_database_error`) and the
    page can still be drawn: show the form again, to be saved again."""
    return is_retryable_database_error(error) and _database_usable()


def _database_usable() -> bool:
    """Whether the page can still be drawn after a refused statement: true once the service's
    transaction or savepoint has rolled back; false inside a request's transaction the failed
    statement left aborted (a service that is not atomic itself)."""
    if not connection.in_atomic_block:
        return True
    if connection.needs_rollback:
        return False
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return False
    return True


class ServiceRefused(Exception):  # noqa: N818 -- control flow, never seen outside dispatch
    """The page's answer to a refused service call, carried out of the view's code."""

    def __init__(self, response):
        super().__init__()
        self.response = response


class ServiceFormMixin:
    """For a page that posts a form to a service (before TemplateView or FormView)."""

    #: The status of the form shown again with a service's field errors.
    invalid_status = 200
    #: Show a service's PermissionDenied on the form instead of answering 403.
    permission_denied_on_form = False

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except ServiceRefused as refused:
            return refused.response

    def run_service(self, form, service, /, **kwargs):
        try:
            return service(**kwargs)
        except ConcurrentEditError as error:
            saved = self.saved_meanwhile()
            if saved is not None and form is not None:
                form.data = form.data.copy()
                form.data["version"] = saved.version
            if form is None:
                raise ServiceRefused(self._warn(error)) from error
            # Always the form again, with what was typed: never only a warning elsewhere.
            add_service_errors(form, error)
            raise ServiceRefused(self.form_rejected(form, 409, saved_meanwhile=saved)) from error
        except StateError as error:
            raise ServiceRefused(self._refused(form, error, 409)) from error
        except PermissionDenied as error:
            if not self.permission_denied_on_form:
                raise
            if form is None:
                raise ServiceRefused(self._warn(error)) from error
            form.add_error(None, refusal_messages(error)[0])
            raise ServiceRefused(self.form_rejected(form, self.invalid_status)) from error
        except ValidationError as error:
            if form is None:
                raise ServiceRefused(self._warn(error)) from error
            add_service_errors(form, error)
            raise ServiceRefused(self.form_rejected(form, self.invalid_status)) from error
        except OperationalError as error:
            if not database_busy(error):
                raise  # the database is down: the 503 page (publicprotection.errors)
            if form is None:
                raise ServiceRefused(
                    self._warn(StateError(DATABASE_BUSY_BUTTON_MESSAGE))
                ) from error
            form.add_error(None, DATABASE_BUSY_MESSAGE)
            response = self.form_rejected(form, 503)
            response["Retry-After"] = str(settings.RETRY_AFTER_SECONDS)
            raise ServiceRefused(response) from error

    def _refused(self, form, error, status: int, **context):
        if form is None or self.state_error_url() is not None:
            return self._warn(error)
        add_service_errors(form, error)
        return self.form_rejected(form, status, **context)

    def _warn(self, error):
        return self.refused_without_form(error)

    def refused_without_form(self, error):
        """A refusal with no form to show it on: a warning on the record's page."""
        messages.warning(self.request, " ".join(refusal_messages(error)))
        return redirect(self.state_error_url() or self.request.path)

    def form_rejected(self, form, status: int, **context):
        """The page with the form showing the service's errors."""
        return self.render_to_response(self.get_context_data(form=form, **context), status=status)

    def saved_meanwhile(self):
        """The record as saved by someone else (it has a `version`), or None: shown beside the
        form after a stale save."""
        return None

    def state_error_url(self) -> str | None:
        """Where a StateError is shown as a warning instead of on the form (None: the form)."""
        return None


class ServiceActionView(ServiceFormMixin, View):
    """A button with no form: POST runs one service, then back to the page the button is on.

    A subclass loads its record in `load()` (scoped: out of scope is a 404, before the service
    runs), calls the service in `perform()`, and names the page in `back_url()`. On success the
    banner is `get_success_message(result)`; on any refusal each of the service's messages is an
    error banner on that page, and nothing changed.
    """

    http_method_names = ["post"]
    # The service's PermissionDenied is a rule of this record (not the viewer's role, which the
    # role check refuses with a 403 before anything runs): its words go on the page.
    permission_denied_on_form = True
    success_message = ""

    def post(self, request, *args, **kwargs):
        self.load()
        result = self.run_service(None, self.perform)
        return self.succeeded(result)

    def load(self) -> None:
        """Load what the button acts on, through the viewer's scope."""

    def perform(self):
        raise NotImplementedError

    def back_url(self) -> str:
        raise NotImplementedError

    def get_success_message(self, result) -> str:
        return self.success_message

    def get_success_url(self, result) -> str:
        return self.back_url()

    def succeeded(self, result):
        message = self.get_success_message(result)
        if message:
            messages.success(self.request, message)
        return self.respond(self.get_success_url(result))

    def refused_without_form(self, error):
        for message in refusal_messages(error):
            messages.error(self.request, message)
        return self.respond(self.back_url())

    def respond(self, url: str):
        """The answer after the service, refused or not (htmx views answer a fragment)."""
        return redirect(url)

    def state_error_url(self) -> str:
        return self.back_url()
