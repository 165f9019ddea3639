"""Our widget templates (templates/django/forms/widgets/) render Django's markup."""

from django import forms
from django.forms.renderers import DjangoTemplates

from publicprotection.govuk_forms import GovukFormMixin


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
