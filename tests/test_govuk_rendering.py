"""The GOV.UK form group (the form renderer's field template, `as_field_group`) and the
summary-list row (`{% summary_row %}`): the markup every page's fields and rows share."""

import pytest
from django import forms
from django.template import Context, Template, TemplateSyntaxError

from publicprotection.govuk_forms import GovukFormMixin, GovukRadioSelect


class _Form(GovukFormMixin, forms.Form):
    label_classes = {"response": "govuk-label--m"}
    legend_classes = {"size": "govuk-fieldset__legend--m"}

    response = forms.CharField(label="Your response", help_text="What you found.")
    note = forms.CharField(label="Note", required=False)
    size = forms.ChoiceField(
        label="Size", choices=[("s", "Small"), ("l", "Large")], widget=GovukRadioSelect
    )
    colour = forms.ChoiceField(label="Colour", choices=[("r", "Red")], widget=GovukRadioSelect)
    agreed = forms.BooleanField(label="I agree", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, initial=3)


def group(form, name) -> str:
    return " ".join(
        str(Template("{{ field.as_field_group }}").render(Context({"field": form[name]}))).split()
    )


def test_a_field_group_has_its_label_hint_and_the_size_its_form_gives_it():
    html = group(_Form(), "response")
    assert html.startswith('<div class="govuk-form-group">')
    assert (
        '<label class="govuk-label govuk-label--m" for="id_response">Your response</label>' in html
    )
    assert '<div class="govuk-hint" id="id_response_helptext">What you found.</div>' in html
    assert 'class="govuk-input"' in html
    assert '<label class="govuk-label" for="id_note">Note</label>' in group(_Form(), "note")


def test_radios_are_a_fieldset_whose_legend_is_small_unless_the_form_says():
    assert (
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--m">Size</legend>'
        in group(_Form(), "size")
    )
    assert (
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Colour</legend>'
        in group(_Form(), "colour")
    )


def test_errors_mark_the_group_and_name_the_field():
    form = _Form({"size": "s", "colour": "r"})
    assert not form.is_valid()
    html = group(form, "response")
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert '<p class="govuk-error-message" id="id_response_error">' in html
    assert '<span class="govuk-visually-hidden">Error:</span> This field is required.' in html
    assert "govuk-input--error" in html


def test_a_checkbox_has_its_label_after_it_and_a_hidden_field_is_only_its_input():
    html = group(_Form(), "agreed")
    assert html.index('type="checkbox"') < html.index(
        '<label class="govuk-label govuk-checkboxes__label" for="id_agreed">I agree</label>'
    )
    hidden = group(_Form(), "version")
    assert (
        hidden.startswith('<input type="hidden" name="version" value="3"') and "label" not in hidden
    )


def row(source: str, **context) -> str:
    return " ".join(Template(source).render(Context(context)).split())


def test_a_row_shows_its_key_and_escaped_value():
    html = row('{% summary_row "Name" value=name %}', name="<b>Ann</b>")
    assert html == (
        '<div class="govuk-summary-list__row"> <dt class="govuk-summary-list__key">Name</dt> '
        '<dd class="govuk-summary-list__value">&lt;b&gt;Ann&lt;/b&gt;</dd> </div>'
    )


@pytest.mark.parametrize("empty_value", [None, "", "  ", []])
def test_an_empty_value_is_not_recorded_unless_the_page_words_it_otherwise(empty_value):
    assert ">Not recorded</dd>" in row('{% summary_row "Phone" value=phone %}', phone=empty_value)
    assert ">None given</dd>" in row(
        '{% summary_row "Phone" value=phone empty="None given" %}', phone=empty_value
    )
    assert ">Not recorded</dd>" in row(
        '{% summary_row "Phone" %} {{ phone }} {% endsummary_row %}', phone=""
    )


def test_zero_is_a_value():
    assert ">0</dd>" in row('{% summary_row "Children" value=n %}', n=0)


def test_a_block_value_keeps_its_markup_and_the_page_context():
    html = row(
        '{% summary_row "Victim" %}<a href="/p/{{ id }}/">{{ name }}</a>{% endsummary_row %}',
        id=7,
        name="A & B",
    )
    assert '<dd class="govuk-summary-list__value"><a href="/p/7/">A &amp; B</a></dd>' in html


def test_the_row_sees_only_what_it_is_given():
    # A page variable named like an option (a list of MARAC actions) adds no column.
    assert "actions" not in row('{% summary_row "Name" value="Ann" %}', actions=["one"]).replace(
        "summary-list__row", ""
    )


def test_a_change_link_says_what_it_changes_and_an_actions_column_can_be_empty():
    html = row('{% summary_row "Phone" value="1" action_url="/edit/" %}')
    assert (
        '<dd class="govuk-summary-list__actions"> <a class="govuk-link" href="/edit/">Change<span class="govuk-visually-hidden"> phone</span></a> </dd>'
        in html
    )
    html = row(
        '{% summary_row "Phone" value="1" action_url="/e/" action_text="Manage" action_context="your API phones" %}'
    )
    assert 'Manage<span class="govuk-visually-hidden"> your API phones</span>' in html
    assert '<dd class="govuk-summary-list__actions"> </dd>' in row(
        '{% summary_row "Phone" value="1" actions=True %}'
    )
    assert "__actions" not in row(
        '{% summary_row "Phone" value="1" actions=False action_url="/e/" %}'
    )


def test_value_class_is_added_to_the_value():
    assert '<dd class="govuk-summary-list__value pp-preserve-lines">' in row(
        '{% summary_row "Notes" value="a" value_class="pp-preserve-lines" %}'
    )


def test_a_row_needs_its_key_and_named_options():
    with pytest.raises(TemplateSyntaxError):
        Template("{% summary_row %}{% endsummary_row %}")
    with pytest.raises(TemplateSyntaxError):
        Template('{% summary_row "Key" value %}')
