"""The widgets written in Python (publicprotection/widget_markup.py) give exactly the markup of
the templates they stand for: every field of every project form, bound and unbound, with and
without errors, and generated widgets with awkward values, rendered both ways."""

from datetime import date, datetime

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.functional import lazy
from django.utils.safestring import mark_safe
from hypothesis import given, settings
from hypothesis import strategies as st

from publicprotection.govuk_forms import GovukFormMixin, GovukFormRenderer
from publicprotection.widget_markup import (
    DATE_INPUT_TEMPLATE,
    INPUT_TEMPLATES,
    SELECT_TEMPLATE,
    widget_markup,
)
from tests.factories import instantiate, project_form_classes


class TemplatesOnly(GovukFormRenderer):
    """The project's renderer without the Python markup: every widget through its template."""

    def render(self, template_name, context, request=None):
        return TemplatesSetting.render(self, template_name, context, request)


def both_ways(bound: forms.BoundField) -> tuple[str, str]:
    fast = str(bound)
    bound.form.renderer = TemplatesOnly()
    try:
        return fast, str(bound.form[bound.name])
    finally:
        bound.form.renderer = GovukFormRenderer()


def test_the_renderer_uses_the_python_markup_for_those_templates_only():
    assert "django/forms/widgets/text.html" in INPUT_TEMPLATES
    assert "django/forms/widgets/radio.html" not in INPUT_TEMPLATES  # its own template
    widget = {"name": "x", "attrs": {}, "template_name": "django/forms/widgets/radio.html"}
    assert widget_markup("django/forms/widgets/radio.html", widget) is None
    assert widget_markup("govuk/widgets/radios.html", widget) is None


@pytest.mark.django_db
def test_every_field_of_every_project_form_renders_the_same_both_ways():
    from publicprotection.accounts.tests.factories import UserFactory

    UserFactory()
    seen = set()
    for form_class in project_form_classes():
        unbound = instantiate(form_class)
        bound = instantiate(form_class)
        bound.data, bound.is_bound = {"junk": "1"}, True  # errors where fields are required
        bound.full_clean()
        for form in (unbound, bound):
            for field in form:
                name = f"{form_class.__module__}.{form_class.__name__}.{field.name}"
                fast, templated = both_ways(field)
                assert fast == templated, name
                seen.add(field.field.widget.template_name)
    # The walk met each kind the Python markup writes.
    assert {SELECT_TEMPLATE, DATE_INPUT_TEMPLATE, "django/forms/widgets/text.html"} <= seen
    assert "django/forms/widgets/checkbox.html" in seen


# --- Generated widgets: values and attributes that need escaping, safe strings, booleans -------

texts = st.one_of(
    st.text(max_size=12),
    st.sampled_from(['a "quoted" <b>&amp;', "O'Brien", "  spaced  ", "", "é ü 𝄞"]),
)
values = st.one_of(
    st.none(),
    texts,
    texts.map(mark_safe),
    texts.map(lambda t: lazy(lambda: t, str)()),
    st.integers(-5, 10**7),
    st.dates(min_value=date(1900, 1, 1)),
    st.just(datetime(2026, 12, 6, 8, 30)),
)
attr_values = st.one_of(st.booleans(), texts, texts.map(mark_safe), st.integers(0, 99))
attrs = st.dictionaries(
    st.sampled_from(["class", "id", "placeholder", "autocomplete", "data-x", "required"]),
    attr_values,
    max_size=4,
)
labels = st.one_of(texts, texts.map(mark_safe), st.integers(0, 10**6))


def _render_both(widget: forms.Widget, name: str, value) -> tuple[str, str]:
    fast = widget.render(name, value, renderer=GovukFormRenderer())
    templated = widget.render(name, value, renderer=TemplatesOnly())
    return fast, templated


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(
        [forms.TextInput, forms.NumberInput, forms.EmailInput, forms.HiddenInput,
         forms.PasswordInput, forms.DateInput, forms.CheckboxInput, forms.URLInput]
    ),
    name=st.sampled_from(["q", "date_from", 'odd"name<']),
    value=values,
    attributes=attrs,
)  # fmt: skip
def test_inputs_render_the_same_both_ways(kind, name, value, attributes):
    widget = kind(attrs=attributes)
    if kind is forms.PasswordInput:
        widget = kind(attrs=attributes, render_value=True)
    fast, templated = _render_both(widget, name, value)
    assert fast == templated


choice_values = st.one_of(texts, st.integers(0, 50), texts.map(mark_safe))
options = st.lists(st.tuples(choice_values, labels), max_size=5)
groups = st.lists(
    st.one_of(
        st.tuples(choice_values, labels),
        st.tuples(st.one_of(texts.filter(bool), texts.filter(bool).map(mark_safe)), options),
    ),
    max_size=5,
)


@settings(max_examples=150, deadline=None)
@given(choices=groups, selected=st.one_of(st.none(), choice_values), attributes=attrs)
def test_selects_render_the_same_both_ways(choices, selected, attributes):
    for kind in (forms.Select, forms.SelectMultiple, forms.NullBooleanSelect):
        widget = kind(attrs=attributes)
        if kind is not forms.NullBooleanSelect:
            widget.choices = choices
        value = [selected] if kind is forms.SelectMultiple else selected
        fast, templated = _render_both(widget, "pick", value)
        assert fast == templated


class _DateForm(GovukFormMixin, forms.Form):
    born = forms.DateField(required=False)
    when = forms.DateTimeField()


@settings(max_examples=100, deadline=None)
@given(
    typed=st.dictionaries(
        st.sampled_from(
            ["born_day", "born_month", "born_year", "when_day", "when_month", "when_year",
             "when_hour", "when_minute", "born"]
        ),
        st.one_of(st.sampled_from(["1", "12", "2026", "30", "x", "", '"<'], ), texts),
    ),
    prefix=st.sampled_from([None, "p"]),
    auto_id=st.sampled_from(["id_%s", False]),
)  # fmt: skip
def test_date_boxes_render_the_same_both_ways(typed, prefix, auto_id):
    data = {f"{prefix}-{k}" if prefix else k: v for k, v in typed.items()}
    form = _DateForm(data, prefix=prefix, auto_id=auto_id)
    form.is_valid()  # marks the boxes in error
    for name in ("born", "when"):
        fast, templated = both_ways(form[name])
        assert fast == templated
        grouped = form[name].as_field_group()
        form.renderer = TemplatesOnly()
        assert grouped == form[name].as_field_group()
        form.renderer = GovukFormRenderer()
