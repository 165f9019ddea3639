"""Pagination for big lists without count(*): fetch one row more than a page to know if
there is a next page. Page numbers are bounded so deep offsets cannot be requested."""

from __future__ import annotations

from dataclasses import dataclass

from .query_params import whole_number

MAX_PAGE = 400


@dataclass
class Page:
    object_list: list
    number: int
    has_next: bool
    per_page: int

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def page_number(raw) -> int:
    """The page asked for, 1 to MAX_PAGE: an int from code, or text of ASCII digits only
    (whole_number), 1 for anything else. A number of up to 4,300 digits (int()'s limit) past
    MAX_PAGE is the deepest page."""
    number = raw if type(raw) is int else whole_number(raw, max_digits=4300)
    if number is None:
        return 1
    return min(max(number, 1), MAX_PAGE)


def paginate_without_count(queryset, raw_page, per_page: int = 25) -> Page:
    number = page_number(raw_page)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return Page(rows[:per_page], number, len(rows) > per_page, per_page)


def query_string_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return f"{query.urlencode()}&" if query else ""
