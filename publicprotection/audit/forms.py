from datetime import date

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from publicprotection.govuk_forms import DATE_PARTS, GovukFormMixin

from .selectors import AUDITABLE_MODELS, SEARCH_WINDOW_MONTHS, search_window_start

# The longest user name (Django's) and record label (the access log's) there are: a longer
# search cannot match, so it is refused; these two fit whole, with the dates and page, in the
# logged description of a search (the access log's purpose, 500 characters).
USERNAME_MAX = 150
RECORD_MAX = 120


def _record_type_choices():
    choices = [("", "Any")]
    for label in AUDITABLE_MODELS:
        app_label, model = label.split(".")
        choices.append((label, model.replace("_", " ").capitalize()))
    return choices


class AuditSearchForm(GovukFormMixin, forms.Form):
    username = forms.CharField(
        required=False,
        label="User name",
        max_length=USERNAME_MAX,
        error_messages={"max_length": f"Enter a user name of {USERNAME_MAX} characters or fewer"},
    )
    record_type = forms.ChoiceField(required=False, label="Record type", choices=())
    record = forms.CharField(
        required=False,
        label="Record",
        help_text="An incident reference or a record number",
        max_length=RECORD_MAX,
        error_messages={"max_length": f"Enter a record of {RECORD_MAX} characters or fewer"},
    )
    # Always a window (the last SEARCH_WINDOW_MONTHS unless changed): a search reads only the
    # access log's monthly partitions in it.
    date_from = forms.DateField(
        required=False,
        label="From",
        help_text=f"Left empty: {SEARCH_WINDOW_MONTHS} months before the To date",
    )
    date_to = forms.DateField(required=False, label="To", help_text="Left empty: today")

    def __init__(self, *args, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["record_type"].choices = _record_type_choices()
        self.fields["date_from"].initial = search_window_start(self.today)
        self.fields["date_to"].initial = self.today

    def clean(self):
        cleaned = super().clean()
        if "date_from" in self.errors or "date_to" in self.errors:
            return cleaned
        date_to = cleaned.get("date_to") or self._show_default("date_to", self.today)
        date_from = cleaned.get("date_from") or self._show_default(
            "date_from", search_window_start(min(date_to, self.today))
        )
        for name, value, which in (("date_from", date_from, "start"), ("date_to", date_to, "end")):
            if value > self.today:
                self.add_error(name, f"The {which} date must be today or in the past")
        if date_from > date_to:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        cleaned["date_from"], cleaned["date_to"] = date_from, date_to
        return cleaned

    def _show_default(self, name: str, value: date) -> date:
        """An empty date box takes the window's default, shown in the form as used."""
        self.data = self.data.copy()
        for part in DATE_PARTS:
            self.data.pop(f"{name}_{part}", None)
        self.data[name] = value.isoformat()
        return value

    def content_type(self) -> ContentType | None:
        label = self.cleaned_data.get("record_type")
        if not label:
            return None
        app_label, model = label.split(".")
        return ContentType.objects.get_by_natural_key(app_label, model)

    def criteria(self, *, page: int) -> str:
        """What a valid search looked for, for the access log's entry of it: only user names,
        a record type, a record's id or reference, dates and a page number, as typed."""
        data = self.cleaned_data
        record_type = dict(self.fields["record_type"].choices).get(data["record_type"])
        parts = [
            f'user "{data["username"]}"' if data["username"] else "any user",
            f"record type {record_type}" if data["record_type"] else "any record type",
            f'record "{data["record"].strip()}"' if data["record"].strip() else "any record",
            f"{data['date_from'].isoformat()} to {data['date_to'].isoformat()}",
            f"page {page}",
        ]
        return "Audit search: " + ", ".join(parts)
