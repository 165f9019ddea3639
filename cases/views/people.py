"""Person register pages: search, the person page, register, edit and add an address.

Thin views on the people selectors and services; every read is scoped by the access core, and
out of scope is the same 404 as missing.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.contrib import messages
from django.core import signing
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import TemplateView

from publicprotection.access.roles import CASE_READERS, CASE_WRITERS, has_role
from publicprotection.access.views import RoleRequiredMixin
from publicprotection.audit.page_reads import RecordPageReadLoggedMixin
from publicprotection.audit.services import access_log_record
from publicprotection.service_forms import ServiceFormMixin

from ..forms.people import PersonAddressForm, PersonCreateForm, PersonEditForm, PersonSearchForm
from ..models import Person
from ..selectors import people as selectors
from ..selectors.flags import person_flags
from ..selectors.people import person_candidates_describe
from ..services import people as services
from ..services.people import normalise_name


def person_url(person: Person) -> str:
    return reverse("cases:person-detail", args=[person.pk])


class PersonSearchView(RoleRequiredMixin, TemplateView):
    allowed_roles = CASE_READERS
    template_name = "cases/people/search.html"

    def get_context_data(self, **kwargs):
        form = PersonSearchForm(self.request.GET or None)
        results = None
        if form.is_bound and form.is_valid():
            results = selectors.person_search(
                viewer=self.request.user,
                name=form.cleaned_data["name"],
                date_of_birth=form.cleaned_data["date_of_birth"],
            )
            access_log_record(request=self.request, objects=results)
        register_url = reverse("cases:person-create")
        if results is not None:
            # What was searched for goes into the registration form. The search showed only
            # the people this viewer may see, so registering still checks London-wide (once).
            register_url += "?" + urlencode(
                register_query(
                    user=self.request.user,
                    name=form.cleaned_data["name"],
                    date_of_birth=form.cleaned_data["date_of_birth"],
                    checked=False,
                )
            )
        return {
            **super().get_context_data(**kwargs),
            "form": form,
            "results": results,
            "can_register": has_role(self.request.user, CASE_WRITERS),
            "register_url": register_url,
        }


class PersonDetailView(RoleRequiredMixin, TemplateView):
    allowed_roles = CASE_READERS
    template_name = "cases/people/detail.html"

    def get_context_data(self, **kwargs):
        viewer = self.request.user
        person = selectors.person_detail_get(viewer=viewer, person_id=kwargs["pk"])
        access_log_record(request=self.request, obj=person, label=person.full_name)
        writer = has_role(viewer, CASE_WRITERS)
        not_editable_reason = _not_editable_reason(viewer, person) if writer else ""
        return {
            **super().get_context_data(**kwargs),
            "person": person,
            "history": selectors.person_history(viewer=viewer, person=person),
            "flags": person_flags(person),
            "can_edit": writer and not not_editable_reason,
            "not_editable_reason": not_editable_reason,
        }


def _not_editable_reason(viewer, person: Person) -> str:
    """Why the viewer (a register writer) may not change this person they see, or ""."""
    if selectors.persons_editable_by(viewer=viewer).filter(pk=person.pk).exists():
        return ""
    return services.NOT_EDITABLE_FROM_A_DRAFT


def _match_key(cleaned: dict) -> str:
    """What a duplicate check was run for: confirming it counts only for the same name and DOB."""
    return _key_for(
        f"{cleaned['given_name']} {cleaned['family_name']}", cleaned.get("date_of_birth")
    )


def _key_for(name: str, date_of_birth: date | None) -> str:
    return f"{normalise_name(name)}|{date_of_birth.isoformat() if date_of_birth else ''}"


_CHECKED_SALT = "cases.person-duplicate-check"
# A London-wide check shown to the user stands for registering that name for this long.
CHECKED_MAX_AGE = 60 * 60


def parse_date_or_none(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def split_name(name: str) -> tuple[str, str]:
    """A searched name as (given, family): the last word is the family name."""
    words = name.split()
    if len(words) < 2:
        return "", " ".join(words)
    return " ".join(words[:-1]), words[-1]


def register_query(*, user, name: str, date_of_birth: date | None, checked: bool) -> dict:
    """The query string that carries a search into the registration form.

    `checked`: the search was the London-wide duplicate check (person_search with
    visible_only=False) and its candidates were shown, so registering the same name and date
    of birth does not check again. The token is signed for this user and that name and date."""
    given, family = split_name(name)
    query = {"given_name": given, "family_name": family}
    if date_of_birth:
        query["date_of_birth"] = date_of_birth.isoformat()
    if checked:
        query["checked"] = signing.dumps(
            {"user": user.pk, "key": _key_for(f"{given} {family}", date_of_birth)},
            salt=_CHECKED_SALT,
            compress=True,
        )
    return {name: value for name, value in query.items() if value}


def _already_checked(token: str, *, user, match_key: str) -> bool:
    try:
        value = signing.loads(token, salt=_CHECKED_SALT, max_age=CHECKED_MAX_AGE)
    except signing.BadSignature:
        return False
    return isinstance(value, dict) and value == {"user": user.pk, "key": match_key}


class PersonCreateView(ServiceFormMixin, RoleRequiredMixin, TemplateView):
    """Register a person, after showing anyone already on the register who may be them."""

    allowed_roles = CASE_WRITERS
    template_name = "cases/people/form.html"

    def next_url(self) -> str:
        candidate = self.request.POST.get("next") or self.request.GET.get("next") or ""
        allowed = url_has_allowed_host_and_scheme(
            candidate,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        )
        return candidate if allowed else ""

    def checked_token(self) -> str:
        source = self.request.POST if self.request.method == "POST" else self.request.GET
        return source.get("checked", "")[:1000]

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "creating": True,
            "next": self.next_url(),
            "checked": self.checked_token(),
            "matches": kwargs.get("matches"),
            "match_key": kwargs.get("match_key", ""),
        }

    def get(self, request, *args, **kwargs):
        # The searches pass on what was typed, so it need not be typed twice.
        initial = {
            name: request.GET[name][:100]
            for name in ("given_name", "family_name")
            if request.GET.get(name)
        }
        date_of_birth = parse_date_or_none(request.GET.get("date_of_birth", ""))
        if date_of_birth:
            initial["date_of_birth"] = date_of_birth
        return self.render_to_response(
            self.get_context_data(form=PersonCreateForm(initial=initial))
        )

    def post(self, request, *args, **kwargs):
        form = PersonCreateForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        data = form.cleaned_data
        match_key = _match_key(data)
        # One duplicate check, not two: none when the user was just shown the London-wide
        # candidates for this very name and date of birth (the incident's person search), or
        # confirmed none of this form's own candidates is the person.
        confirmed = (
            data["confirm_new"] and request.POST.get("match_key") == match_key
        ) or _already_checked(self.checked_token(), user=request.user, match_key=match_key)
        if not confirmed:
            matches = selectors.person_search(
                viewer=request.user,
                name=f"{data['given_name']} {data['family_name']}",
                date_of_birth=data["date_of_birth"],
                visible_only=False,
            )
            if matches:
                person_candidates_describe(people=matches)
                access_log_record(request=request, objects=matches)
                return self.render_to_response(
                    self.get_context_data(form=form, matches=matches, match_key=match_key)
                )
        fields = form.person_fields()
        person = self.run_service(form, services.person_create, actor=request.user, **fields)
        messages.success(request, f"{person.full_name} has been registered.")
        next_url = self.next_url()
        if next_url:
            return redirect(_with_query(next_url, person=person.pk))
        return redirect(person_url(person))


def _with_query(url: str, **params) -> str:
    """`url` with `params` added to its query string (the incident flow reads ?person=)."""
    parts = urlsplit(url)
    extra = urlencode(params)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


class PersonEditView(RecordPageReadLoggedMixin, ServiceFormMixin, RoleRequiredMixin, TemplateView):
    allowed_roles = CASE_WRITERS
    template_name = "cases/people/form.html"
    permission_denied_on_form = True  # another borough's person, seen through a draft only

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and has_role(request.user, self.allowed_roles):
            self.person = selectors.person_get(viewer=request.user, person_id=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "person": self.person,
            "creating": False,
            "not_editable_reason": _not_editable_reason(self.request.user, self.person),
        }

    def logged_record(self) -> Person:
        return self.person

    def logged_label(self) -> str:
        return self.person.full_name

    def get(self, request, *args, **kwargs):
        person = self.person
        initial = {name: getattr(person, name) for name in services.PERSON_EDITABLE_FIELDS}
        initial["aliases"] = "\n".join(alias.full_name for alias in person.aliases.all())
        initial["version"] = person.version
        return self.render_to_response(self.get_context_data(form=PersonEditForm(initial=initial)))

    def post(self, request, *args, **kwargs):
        form = PersonEditForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        fields = form.person_fields()
        self.run_service(
            form,
            services.person_update_with_aliases,
            actor=request.user,
            person_id=self.person.pk,
            expected_version=form.cleaned_data["version"],
            **fields,
        )
        messages.success(request, "Details saved.")
        return redirect(person_url(self.person))

    def saved_meanwhile(self):
        # Keep what was typed, but base it on the version now saved, so that saving again
        # (after checking the other change) is a deliberate choice that works.
        return Person.objects.only("version").get(pk=self.person.pk)


class PersonAddressAddView(
    RecordPageReadLoggedMixin, ServiceFormMixin, RoleRequiredMixin, TemplateView
):
    allowed_roles = CASE_WRITERS
    template_name = "cases/people/address_form.html"
    permission_denied_on_form = True  # another borough's person, seen through a draft only

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and has_role(request.user, self.allowed_roles):
            self.person = selectors.person_get(viewer=request.user, person_id=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def logged_record(self) -> Person:
        return self.person

    def logged_label(self) -> str:
        return self.person.full_name

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", PersonAddressForm())
        return {
            **super().get_context_data(**kwargs),
            "person": self.person,
            "not_editable_reason": _not_editable_reason(self.request.user, self.person),
        }

    def post(self, request, *args, **kwargs):
        form = PersonAddressForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        self.run_service(
            form,
            services.person_address_add,
            actor=request.user,
            person=self.person,
            **form.cleaned_data,
        )
        messages.success(request, "Address added.")
        return redirect(person_url(self.person))


urlpatterns = [
    path("people/", PersonSearchView.as_view(), name="person-search"),
    path("people/new/", PersonCreateView.as_view(), name="person-create"),
    path("people/<int:pk>/", PersonDetailView.as_view(), name="person-detail"),
    path("people/<int:pk>/edit/", PersonEditView.as_view(), name="person-edit"),
    path(
        "people/<int:pk>/addresses/new/",
        PersonAddressAddView.as_view(),
        name="person-address-add",
    ),
]
