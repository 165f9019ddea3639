"""Every PDF the product prints is made here, by WeasyPrint, from HTML the product wrote.

- Nothing is fetched while a document is laid out: WeasyPrint would otherwise follow any URL
  in the HTML, `file://` included, and `<link rel="attachment">` embeds what it fetches in the
  PDF. The documents carry their charts inline and need no resource; a name that reached the
  markup unescaped could otherwise make a PDF read the server's files or the network behind it.
  `data:` URLs, which hold what they show, are still read.
- `css_string`: a value inside a style sheet's quoted string (the running headers and footers'
  `content: "..."`). HTML escaping does not apply there (a style sheet decodes no entities, so
  "&" printed as "&amp;"), and `addslashes` left "<" as it was, so a name holding `</style>`
  could end the style sheet and add markup. A template builtin (settings TEMPLATES).
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


# Only `data:` URLs, which hold what they show: WeasyPrint refuses any other scheme, leaves
# the resource out and goes on.
FETCHABLE_SCHEMES = frozenset({"data"})


def url_fetcher():
    """WeasyPrint's fetcher for the product's documents (`FETCHABLE_SCHEMES` only)."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=FETCHABLE_SCHEMES)


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """The PDF of `html`. `base_url` only makes relative links in it absolute."""
    from weasyprint import HTML  # heavy import: only in the process that prints

    return HTML(string=html, base_url=base_url, url_fetcher=url_fetcher()).write_pdf()


@register.filter(is_safe=False)
def css_string(value) -> SafeString:
    """`value` for a CSS string in double or single quotes: backslash, quotes and line breaks
    escaped, and every character that could end the style sheet or the string ("<", ">", "&")
    as a CSS escape, so it prints as itself."""
    out = []
    for char in str(value):
        if char in "\\\"'<>&" or char < " " or char == "\x7f":
            out.append(f"\\{ord(char):x} ")  # CSS hex escape; the space ends it
        else:
            out.append(char)
    return mark_safe("".join(out))  # noqa: S308 - every character that matters is escaped
