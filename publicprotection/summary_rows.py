"""`{% summary_row %}`: one row of a GOV.UK summary list, always from the one row template
(templates/includes/summary_row.html), so every page's rows have the same markup.

    {% summary_row "Gender" value=person.get_gender_display %}
    {% summary_row "Phone" value=person.phone empty="None given" %}
    {% summary_row "Victim" %}<a class="govuk-link" href="...">{{ name }}</a>{% endsummary_row %}

With `value=` the tag stands alone; without it, the value is the markup up to
`{% endsummary_row %}` (links, lists, tags). An empty value (None, blank, an empty list)
shows `empty`, "Not recorded" unless the page says otherwise. Other options:
`value_class` (extra classes for the value, "pp-preserve-lines"); `actions` (the list has an
actions column: the row gets its cell, empty without a link); `action_url`, `action_text`
("Change") and `action_context` (visually hidden, says what is changed; the key by default).

A tag rather than `{% include ... with %}`: the row template is rendered with only what the
tag is given (an include sees the whole page, so a page variable called `actions` would add a
column), and a value can be a block of markup, which `with` cannot pass.
It is a template builtin (settings TEMPLATES), so no page needs `{% load %}`.
"""

from collections.abc import Sized

from django import template
from django.template.base import token_kwargs
from django.utils.safestring import mark_safe

ROW_TEMPLATE = "includes/summary_row.html"
NOT_RECORDED = "Not recorded"

register = template.Library()


@register.tag
def summary_row(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"{bits[0]} needs the row's key")
    key = parser.compile_filter(bits[1])
    options = token_kwargs(bits[2:], parser, support_legacy=False)
    if len(options) != len(bits) - 2:
        raise template.TemplateSyntaxError(f"{bits[0]}: options are name=value: {bits[2:]}")
    nodelist = None
    if "value" not in options:
        nodelist = parser.parse(("endsummary_row",))
        parser.delete_first_token()
    return SummaryRowNode(key, options, nodelist)


def is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, Sized) and len(value) == 0


class SummaryRowNode(template.Node):
    def __init__(self, key, options, nodelist):
        self.key, self.options, self.nodelist = key, options, nodelist

    def render(self, context):
        row = {name: option.resolve(context) for name, option in self.options.items()}
        row["key"] = self.key.resolve(context)
        if self.nodelist is not None:
            row["value"] = mark_safe(self.nodelist.render(context).strip())  # noqa: S308 - rendered, so escaped
        if is_empty(row["value"]):
            row["value"] = row.get("empty") or NOT_RECORDED
        row.setdefault("actions", bool(row.get("action_url")))
        row_template = context.template.engine.get_template(ROW_TEMPLATE)
        return row_template.render(template.Context(row, autoescape=context.autoescape))
