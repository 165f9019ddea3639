"""The commonest widget templates written in Python, for the form renderer (GovukFormRenderer).

Why: a form's widgets were a third of the incident list's Python time (7.5 of 22 ms of CPU per
request at a million incidents): Django renders each input through two templates (the input
and its attributes), each select option through the template loop, and each GOV.UK date box
through an include. These functions write the same markup directly, character for character:
tests/test_widget_markup.py renders every case both ways (through Django's own templates and
ours) and compares, so a Django upgrade that changes its markup fails there, not in a browser.

Only templates whose whole markup is here are handled (INPUT_TEMPLATES, SELECT_TEMPLATE,
DATE_INPUT_TEMPLATE); every other widget goes through its template as before.
"""

from __future__ import annotations

from django.template.base import render_value_in_context
from django.template.context import Context
from django.template.defaultfilters import stringformat
from django.utils.safestring import SafeData, mark_safe

# Django's widget templates that are only `{% include "django/forms/widgets/input.html" %}`.
INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in (
        "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number",
        "password", "search", "tel", "text", "time", "url",
    )
)  # fmt: skip
# Ours (templates/django/forms/widgets/select.html: Django's markup, options inline).
SELECT_TEMPLATE = "django/forms/widgets/select.html"
DATE_INPUT_TEMPLATE = "govuk/widgets/date_input.html"

# What `{{ value }}` does in a template: local time, localisation, escaping (autoescape on).
_TEMPLATE_CONTEXT = Context(autoescape=True)


def _shown(value) -> str:
    return render_value_in_context(value, _TEMPLATE_CONTEXT)


def _as_string(value) -> str:
    """`{{ value|stringformat:'s' }}`: the filter keeps a safe value safe (is_safe=True)."""
    text = stringformat(value, "s")
    return _shown(mark_safe(text) if isinstance(value, SafeData) else text)  # noqa: S308


def attrs_markup(attrs: dict) -> str:
    """django/forms/widgets/attrs.html"""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_shown(name)}")
        if value is not True:
            parts.append(f'="{_as_string(value)}"')
    return "".join(parts)


def input_markup(widget: dict) -> str:
    """django/forms/widgets/input.html"""
    value = widget["value"]
    shown = f' value="{_as_string(value)}"' if value is not None else ""
    return (
        f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"{shown}'
        f"{attrs_markup(widget['attrs'])}>"
    )


def select_markup(widget: dict) -> str:
    """templates/django/forms/widgets/select.html (Django's select, options inline)."""
    out = [f'<select name="{_shown(widget["name"])}"{attrs_markup(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            out.append(
                f'\n  <option value="{_as_string(option["value"])}"'
                f"{attrs_markup(option['attrs'])}>{_shown(option['label'])}</option>\n"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


def _date_boxes(parts: list[dict], indent: str) -> str:
    """The loop of date_input.html, its whitespace included (an include adds two newlines)."""
    return "".join(
        f'\n{indent}  <div class="govuk-date-input__item">'
        f'\n{indent}    <div class="govuk-form-group">'
        f'\n{indent}      <label class="govuk-label govuk-date-input__label" '
        f'for="{_shown(sub["attrs"].get("id", ""))}">{_shown(sub["label"])}</label>'
        f"\n{indent}      {input_markup(sub)}\n\n"
        f"\n{indent}    </div>\n{indent}  </div>\n{indent}"
        for sub in parts
    )


def date_input_markup(widget: dict) -> str | None:
    """templates/govuk/widgets/date_input.html: the day, month and year boxes (and hour and
    minute), each an input as input_markup writes it (None if a box has another template)."""
    parts = [*widget["date_parts"], *widget["time_parts"]]
    if any(sub["template_name"] not in INPUT_TEMPLATES for sub in parts):
        return None
    id_ = _shown(widget["attrs"].get("id", ""))
    markup = (
        f'<div class="govuk-date-input" id="{id_}">\n  '
        f"{_date_boxes(widget['date_parts'], '  ')}\n</div>\n"
    )
    if widget["time_parts"]:
        markup += (
            f'\n  <div class="govuk-date-input govuk-!-margin-top-3" id="{id_}_time">\n    '
            f"{_date_boxes(widget['time_parts'], '    ')}\n  </div>\n"
        )
    return markup


def widget_markup(template_name: str, widget: dict) -> str | None:
    """The markup of `template_name` for the widget context `widget`, or None when the
    template is not one of those written here (the renderer then uses the template)."""
    if template_name in INPUT_TEMPLATES:
        return input_markup(widget)
    if template_name == SELECT_TEMPLATE:
        return select_markup(widget)
    if template_name == DATE_INPUT_TEMPLATE:
        return date_input_markup(widget)
    return None
