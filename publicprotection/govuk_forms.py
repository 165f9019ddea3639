"""Give Django form widgets the GOV.UK Frontend classes, so templates stay plain."""

from django import forms
from django.forms.widgets import Input

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


class GovukFormMixin:
    """Mixin for forms: adds the design-system class for each widget, and error styling."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            for widget_class, css in _WIDGET_CLASSES.items():
                if isinstance(widget, widget_class):
                    existing = widget.attrs.get("class", "")
                    if css not in existing.split():
                        widget.attrs["class"] = f"{css} {existing}".strip()
                    break

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                classes = widget.attrs.get("class", "").split()
                extra = [_ERROR_CLASSES[c] for c in classes if c in _ERROR_CLASSES]
                widget.attrs["class"] = " ".join(dict.fromkeys(classes + extra))


class GovukRadioSelect(forms.RadioSelect):
    """Radios in GOV.UK markup; pass attrs={"inline": True} for two short options."""

    template_name = "govuk/widgets/radios.html"


class GovukCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    template_name = "govuk/widgets/checkboxes.html"


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
