"""Our widget templates (templates/django/forms/widgets/) render Django's markup."""

import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates

from publicprotection.govuk_forms import (
    DJANGO_EMPTY_LABEL,
    GovukDateField,
    GovukDateTimeField,
    GovukFormMixin,
    GovukRadioSelect,
)
from tests.factories import instantiate, project_form_classes


class _Form(GovukFormMixin, forms.Form):
    borough = forms.ChoiceField(choices=[("", "Any"), ("LBH", "Lambeth <&>"), ("SWK", "Southwark")])
    grouped = forms.ChoiceField(
        choices=[("", "Any"), ("Inner", [("a", "A"), ("b", 'B "quoted"')]), ("c", "C")]
    )
    several = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")])


def test_the_inline_select_template_renders_what_djangos_own_does():
    data = {"borough": "LBH", "grouped": "b", "several": ["x", "y"]}
    form = _Form(data)
    builtin = _Form(data, renderer=DjangoTemplates())  # Django's own templates, not DIRS
    for name in ("borough", "grouped", "several"):
        assert str(form[name]) == str(builtin[name]), name
    assert "Lambeth &lt;&amp;&gt;" in str(form["borough"])
    assert '<option value="LBH" selected>' in str(form["borough"])


# --- Every form of the project: no Django dashes, nothing disabled ------------------------------


@pytest.mark.django_db
def test_no_form_shows_djangos_dashes_or_a_disabled_control():
    from publicprotection.accounts.tests.factories import UserFactory

    UserFactory()
    classes = project_form_classes()
    assert len(classes) > 40  # the walk found the project's forms

    for form_class in classes:
        form = instantiate(form_class)
        for bound in form:
            name = f"{form_class.__module__}.{form_class.__name__}.{bound.name}"
            try:
                html = str(bound)
            except Exception as exc:
                raise AssertionError(f"{name} does not render") from exc
            assert DJANGO_EMPTY_LABEL not in html, name
            assert " disabled" not in html, name


def test_no_template_has_a_disabled_button():
    root = Path(settings.BASE_DIR) / "templates"
    for path in root.rglob("*.html"):
        text = path.read_text()
        for button in re.findall(r"<button\b[^>]*>", text):
            assert "disabled" not in button, f"{path}: {button}"


def test_an_empty_choice_says_what_to_choose():
    class _ModelForm(GovukFormMixin, forms.Form):
        borough = forms.ModelChoiceField(queryset=None, label="Borough")
        agency = forms.ChoiceField(choices=[("", DJANGO_EMPTY_LABEL), ("a", "A")], label="Agency")

        def __init__(self, *args, **kwargs):
            from publicprotection.accounts.models import Borough

            self.base_fields["borough"].queryset = Borough.objects.none()
            super().__init__(*args, **kwargs)

    form = _ModelForm()

    assert form.fields["borough"].empty_label == "Choose a borough"
    assert form.fields["agency"].choices[0] == ("", "Choose an agency")


# --- The GOV.UK date input ----------------------------------------------------------------------


class _DateForm(GovukFormMixin, forms.Form):
    born = forms.DateField(label="Date of birth", required=False)
    when = forms.DateTimeField(
        label="When it happened", error_messages={"required": "Enter when it happened"}
    )


def _boxes(**typed):
    return {f"{field}_{part}": value for field, parts in typed.items() for part, value in parts}


def test_date_fields_become_day_month_year_boxes_and_date_times_add_hour_and_minute():
    form = _DateForm()

    born, when = str(form["born"]), str(form["when"])

    assert isinstance(form.fields["born"], GovukDateField)
    assert isinstance(form.fields["when"], GovukDateTimeField)
    for part in ("day", "month", "year"):
        assert f'name="born_{part}"' in born and f'id="id_born_{part}"' in born
    assert 'name="born_hour"' not in born
    assert 'name="when_hour"' in when and 'name="when_minute"' in when
    assert (
        '<label class="govuk-label govuk-date-input__label" for="id_born_day">Day</label>' in born
    )


def test_typed_boxes_give_the_date_and_time_in_london():
    form = _DateForm(
        _boxes(
            born=[("day", "3"), ("month", "7"), ("year", "1990")],
            when=[
                ("day", "6"),
                ("month", "12"),
                ("year", "2026"),
                ("hour", "08"),
                ("minute", "30"),
            ],
        )
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["born"] == date(1990, 7, 3)
    assert form.cleaned_data["when"] == datetime(
        2026, 12, 6, 8, 30, tzinfo=ZoneInfo("Europe/London")
    )


def test_a_missing_part_is_named_marked_alone_and_what_was_typed_is_kept():
    form = _DateForm(
        _boxes(
            born=[("day", "3"), ("month", ""), ("year", "1990")],
            when=[("day", "6"), ("month", "12"), ("year", "2026"), ("hour", "25"), ("minute", "0")],
        )
    )

    assert not form.is_valid()
    assert form.errors["born"] == ["Date of birth must include a month"]
    born = str(form["born"])
    assert (
        'name="born_day" value="3" class="govuk-input govuk-date-input__input govuk-input--width-2"'
        in born
    )
    assert (
        'name="born_month" class="govuk-input govuk-date-input__input govuk-input--width-2 govuk-input--error"'
        in born
    )
    assert born.count("govuk-input--error") == 1
    assert form["born"].id_for_label == "id_born_month"  # the error summary links the month
    when = str(form["when"])
    assert when.count("govuk-input--error") == 1 and 'name="when_hour" value="25"' in when


def test_an_impossible_date_marks_every_box_and_keeps_them():
    form = _DateForm(_boxes(born=[("day", "30"), ("month", "2"), ("year", "2026")], when=[]))

    assert not form.is_valid()
    assert form.errors["born"] == ["Enter a valid date."]
    assert str(form["born"]).count("govuk-input--error") == 3
    assert form.errors["when"] == ["Enter when it happened"]
    assert str(form["when"]).count("govuk-input--error") == 5


def test_the_whole_value_under_the_fields_own_name_is_still_read():
    form = _DateForm({"born": "1990-07-03", "when": "2026-12-06T08:30"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["born"] == date(1990, 7, 3)
    assert 'name="born_day" value="3"' in str(form["born"])


def test_an_error_added_after_validation_marks_the_whole_date():
    form = _DateForm(
        _boxes(
            when=[("day", "6"), ("month", "12"), ("year", "2026"), ("hour", "8"), ("minute", "0")]
        )
    )
    assert form.is_valid()

    form.add_error("when", "The time cannot be in the future")

    assert str(form["when"]).count("govuk-input--error") == 5


def test_a_radio_can_reveal_a_conditional_block():
    class RevealForm(GovukFormMixin, forms.Form):
        answer = forms.ChoiceField(
            choices=[("yes", "Yes"), ("no", "No")],
            widget=GovukRadioSelect(reveals={"yes": "more-about-yes"}),
        )

    first, second = RevealForm(), RevealForm()
    second.fields["answer"].widget.reveals.pop("yes")  # each form has its own copy
    html = str(first["answer"])

    assert re.search(r'value="yes" id="[^"]+" data-aria-controls="more-about-yes"', html)
    assert 'value="no" id="id_answer_1">' in html
    assert "data-aria-controls" not in str(second["answer"])
