"""Forms repeated down a page: each copy gets ids of its own."""

from django import template

register = template.Library()


@register.filter
def for_action(form, action):
    """A fresh, unbound copy of `form` whose ids name the action: with one shared copy, every
    "Record an update" form on a page had the same ids, so a label in the second form ticked
    the first form's radio."""
    return type(form)(auto_id=f"action-{action.pk}-%s")
