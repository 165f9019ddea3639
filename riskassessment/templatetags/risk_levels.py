"""Risk levels in templates: the level's colour and whether it is STANDARD, from `Level`, so no
template compares a level with a string of its own."""

from __future__ import annotations

from django import template

from ..models import Level

register = template.Library()

LEVEL_TAG_COLOURS = {Level.HIGH: "red", Level.MEDIUM: "yellow"}


@register.filter
def risk_level_colour(level: str) -> str:
    """The GOV.UK tag colour of a level (grey for STANDARD or none)."""
    return LEVEL_TAG_COLOURS.get(level, "grey")


@register.filter
def is_standard_risk(level: str) -> bool:
    return level == Level.STANDARD
