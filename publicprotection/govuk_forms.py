"""Give Django form widgets the GOV.UK Frontend classes, so templates stay plain."""

import re
from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import Input
from django.utils import timezone

from .query_params import whole_number
from .uploads import UPLOAD_NOT_STORED, UnstoredUpload
from .widget_markup import widget_markup

_WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.RadioSelect: "govuk-radios__input",
    forms.CheckboxSelectMultiple: "govuk-checkboxes__input",
    forms.FileInput: "govuk-file-upload",
    Input: "govuk-input",
}
_ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-select": "govuk-select--error",
    "govuk-textarea": "govuk-textarea--error",
}


DJANGO_EMPTY_LABEL = "---------"


def empty_choice_label(label) -> str:
    """ "Choose a borough": what an empty choice says instead of Django's dashes."""
    text = str(label or "an option").split(" (")[0].strip()
    if text[:1].isupper() and not text[1:2].isupper():
        text = text[0].lower() + text[1:]
    article = "an" if text[:1].lower() in "aeiou" else "a"
    return f"Choose {article} {text}" if not text.startswith(("a ", "an ")) else f"Choose {text}"


def _name_the_empty_choice(field: forms.Field, label: str) -> None:
    if isinstance(field, forms.ModelChoiceField) and not isinstance(
        field, forms.ModelMultipleChoiceField
    ):
        if field.empty_label == DJANGO_EMPTY_LABEL:
            field.empty_label = empty_choice_label(label)
    elif isinstance(field, forms.ChoiceField) and any(
        text == DJANGO_EMPTY_LABEL for _, text in field.choices
    ):
        field.choices = [
            (value, empty_choice_label(label) if text == DJANGO_EMPTY_LABEL else text)
            for value, text in field.choices
        ]


class GovukFormRenderer(TemplatesSetting):
    """The project's form renderer (FORM_RENDERER): `{{ form.x.as_field_group }}` is a GOV.UK
    form group (label or fieldset and legend, hint, error message, widget)."""

    field_template_name = "govuk/field.html"

    def render(self, template_name, context, request=None):
        # The commonest widgets are written in Python, the same markup a third of the time
        # (publicprotection/widget_markup.py); everything else through its template.
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            markup = widget_markup(template_name, widget)
            if markup is not None:
                return markup.strip()
        return super().render(template_name, context, request)


class GovukBoundField(BoundField):
    """A bound field that knows its label's and legend's size, as its form class says
    (`GovukFormMixin.label_classes` / `legend_classes`). Sizes are set where the field is
    declared rather than in each template, so `as_field_group` needs no arguments."""

    @property
    def label_class(self) -> str:
        return self.form.label_classes.get(self.name, "")

    @property
    def legend_class(self) -> str:
        return self.form.legend_classes.get(self.name, "govuk-fieldset__legend--s")


class GovukFormMixin:
    """Mixin for forms: adds the design-system class for each widget, and error styling."""

    bound_field_class = GovukBoundField
    #: Extra classes for a field's label, by field name: {"response": "govuk-label--m"}.
    label_classes: dict[str, str] = {}
    #: A fieldset's legend class, by field name (default "govuk-fieldset__legend--s").
    legend_classes: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in list(self.fields.items()):
            # Dates as day, month and year boxes; date-times with hour and minute too.
            self.fields[name] = field = _as_govuk_date(field)
            _name_the_empty_choice(field, field.label or name.replace("_", " "))
            widget = field.widget
            for widget_class, css in _WIDGET_CLASSES.items():
                if isinstance(widget, widget_class):
                    existing = widget.attrs.get("class", "")
                    if css not in existing.split():
                        widget.attrs["class"] = f"{css} {existing}".strip()
                    break

    def full_clean(self):
        super().full_clean()
        self._refuse_unstored_uploads()
        self._style_errors()

    def _refuse_unstored_uploads(self):
        """A file the server could not keep while reading the request (publicprotection.uploads)
        is an error on its field, whatever the field said of it: the form is shown again with
        what was typed, and nothing is saved."""
        if not self.is_bound or self._errors is None:
            return
        for name, field in self.fields.items():
            if isinstance(field, forms.FileField) and isinstance(
                self.files.get(self.add_prefix(name)), UnstoredUpload
            ):
                self._errors.pop(name, None)
                self.add_error(name, UPLOAD_NOT_STORED)

    def add_error(self, field, error):
        super().add_error(field, error)
        if self._errors is not None and hasattr(self, "cleaned_data"):
            self._style_errors()  # also errors a view adds after validation (a service's)

    def _style_errors(self):
        for name in self._errors or {}:
            if name in self.fields:
                widget = self.fields[name].widget
                if isinstance(widget, GovukDateWidget):
                    value = self[name].data
                    widget.error_parts = _parts_in_error(
                        value if isinstance(value, (list, tuple)) else [],
                        widget.parts,
                        self.fields[name].required,
                    ) or set(widget.parts)
                    continue
                classes = widget.attrs.get("class", "").split()
                extra = [_ERROR_CLASSES[c] for c in classes if c in _ERROR_CLASSES]
                widget.attrs["class"] = " ".join(dict.fromkeys(classes + extra))


class GovukRadioSelect(forms.RadioSelect):
    """Radios in GOV.UK markup; pass attrs={"inline": True} for two short options.

    `reveals` maps a choice's value to the id of a `govuk-radios__conditional` block that
    GOV.UK Frontend shows only while that choice is checked (all show without JavaScript)."""

    template_name = "govuk/widgets/radios.html"

    def __init__(self, attrs=None, choices=(), reveals: dict[str, str] | None = None):
        super().__init__(attrs, choices)
        self.reveals = dict(reveals or {})

    def __deepcopy__(self, memo):
        widget = super().__deepcopy__(memo)
        widget.reveals = dict(self.reveals)  # each form's copy reveals its own blocks
        return widget

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["reveal"] = self.reveals.get(str(value), "")
        return option


class GovukCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    template_name = "govuk/widgets/checkboxes.html"


# --- Dates as day, month and year (the GOV.UK date input) -----------------------------------

DATE_PARTS = ("day", "month", "year")
TIME_PARTS = ("hour", "minute")
_PART_WIDTH = {"day": 2, "month": 2, "year": 4, "hour": 2, "minute": 2}
_PART_RANGE = {"day": (1, 31), "month": (1, 12), "year": (1000, 9999), "hour": (0, 23),
               "minute": (0, 59)}  # fmt: skip


def _part_input(part: str) -> forms.TextInput:
    return forms.TextInput(
        attrs={
            "class": f"govuk-input govuk-date-input__input govuk-input--width-{_PART_WIDTH[part]}",
            "inputmode": "numeric",
        }
    )


_ISO_PARTS = re.compile(r"^(\d{1,4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2}))?")


class GovukDateWidget(forms.MultiWidget):
    """Day, month and year boxes (and hour and minute for a date and time), GOV.UK style.

    What was typed is shown again as typed. `error_parts` (set by GovukFormMixin after
    validation) are the boxes to mark in error. A form may also send the whole value under the
    field's own name (ISO format, as links and the API do): it is read when no box was sent.
    """

    template_name = "govuk/widgets/date_input.html"
    use_fieldset = True
    parts = DATE_PARTS

    def __init__(self, attrs=None):
        self.error_parts: set[str] = set()
        super().__init__({part: _part_input(part) for part in self.parts}, attrs)

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.error_parts = set()
        return copy

    def decompress(self, value):
        if isinstance(value, str):
            typed = _ISO_PARTS.match(value.strip())
            parsed = self._parse(value)
            if parsed is None and typed:  # not a real date (30 February): show it as typed
                year, month, day, hour, minute = typed.groups()
                return [day, month, year, hour or "", minute or ""][: len(self.parts)]
            value = parsed
        if isinstance(value, datetime):
            value = timezone.localtime(value) if timezone.is_aware(value) else value
            values = [
                value.day,
                value.month,
                value.year,
                f"{value.hour:02d}",
                f"{value.minute:02d}",
            ]
            return values[: len(self.parts)]
        if isinstance(value, date):
            return [value.day, value.month, value.year, "", ""][: len(self.parts)]
        return [None] * len(self.parts)

    @staticmethod
    def _parse(text: str):
        for parse in (datetime.fromisoformat, date.fromisoformat):
            try:
                return parse(text)
            except ValueError:
                continue
        return None

    def value_from_datadict(self, data, files, name):
        keys = [f"{name}_{part}" for part in self.parts]
        if name in data and not any(key in data for key in keys):
            return data.get(name)
        return [data.get(key, "") for key in keys]

    def value_omitted_from_data(self, data, files, name):
        return name not in data and super().value_omitted_from_data(data, files, name)

    def id_for_label(self, id_):
        # The error summary's link: the first box in error, else the first box.
        first = next((p for p in self.parts if p in self.error_parts), self.parts[0])
        return f"{id_}_{first}" if id_ else ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        id_ = context["widget"]["attrs"].get("id")
        for part, sub in zip(self.parts, context["widget"]["subwidgets"], strict=True):
            if id_:
                sub["attrs"]["id"] = f"{id_}_{part}"  # id_occurred_at_day, not _0
            sub["label"] = part.capitalize()
            sub["part"] = part
            if part in self.error_parts:
                sub["attrs"]["class"] += " govuk-input--error"
            elif self.error_parts:
                sub["attrs"].pop("aria-invalid", None)  # only the boxes in error
        context["widget"]["date_parts"] = context["widget"]["subwidgets"][:3]
        context["widget"]["time_parts"] = context["widget"]["subwidgets"][3:]
        return context


class GovukDateTimeWidget(GovukDateWidget):
    parts = DATE_PARTS + TIME_PARTS


def _parts_in_error(values: list[str], parts: tuple[str, ...], required: bool) -> set[str]:
    """Which boxes to mark: the empty ones of a partly filled date (or all of an empty required
    one), those that are not numbers in range; all of them if the parts are fine but the date
    is not (31 February) or the error is about the whole value (in the future, say)."""
    filled = {p: str(v or "").strip() for p, v in zip(parts, values, strict=False)}
    if not any(filled.values()):
        return set(parts) if required else set()
    wrong = {p for p, v in filled.items() if not v}
    for part, text in filled.items():
        low, high = _PART_RANGE[part]
        number = whole_number(text, max_digits=20)
        if text and (number is None or not low <= number <= high):
            wrong.add(part)
    return wrong or set(parts)


class _PartsMixin:
    parts: tuple[str, ...]
    names = {"day": "a day", "month": "a month", "year": "a year", "hour": "an hour",
             "minute": "a minute"}  # fmt: skip

    def _from_parts(self, values):
        filled = [str(v or "").strip() for v in values]
        if not any(filled):
            return None
        label = str(self.label or "The date")
        missing = [p for p, v in zip(self.parts, filled, strict=True) if not v]
        if missing:
            needed = " and ".join(self.names[p] for p in missing)
            raise ValidationError(f"{label} must include {needed}", code="incomplete")
        numbers = [whole_number(v, max_digits=20) for v in filled]
        if None in numbers:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if len(filled[2]) != 4:
            raise ValidationError(f"{label}: the year must have 4 numbers", code="invalid")
        try:
            return datetime(numbers[2], numbers[1], numbers[0], *numbers[3:])
        except (ValueError, OverflowError) as exc:  # 31 February; a day too big for C
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc


class GovukDateField(_PartsMixin, forms.DateField):
    """A date typed as day, month and year. GovukFormMixin uses it for every DateField."""

    widget = GovukDateWidget
    parts = DATE_PARTS

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            value = self._from_parts(value)
            return value.date() if value else None
        return super().to_python(value)


class GovukDateTimeField(_PartsMixin, forms.DateTimeField):
    """A date (day, month, year) and a time (hour, minute), London time. GovukFormMixin uses it
    for every DateTimeField."""

    widget = GovukDateTimeWidget
    parts = DATE_PARTS + TIME_PARTS

    def to_python(self, value):
        if isinstance(value, (list, tuple)):
            value = self._from_parts(value)
            if value is None:
                return None
        return super().to_python(value)


def _as_govuk_date(field: forms.Field) -> forms.Field:
    """The GOV.UK version of a plain DateField or DateTimeField, keeping what it says."""
    if isinstance(field, (GovukDateField, GovukDateTimeField)):
        return field
    if isinstance(field, forms.DateTimeField):
        cls = GovukDateTimeField
    elif isinstance(field, forms.DateField):
        cls = GovukDateField
    else:
        return field
    new = cls(
        required=field.required,
        label=field.label,
        initial=field.initial,
        help_text=field.help_text,
        error_messages=field.error_messages,
        validators=field.validators,
        disabled=field.disabled,
    )
    return new


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date and time picker; the value round-trips when the form is redisplayed."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


YES_NO_UNKNOWN = [("true", "Yes"), ("false", "No"), ("", "Not known")]
