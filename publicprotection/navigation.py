"""The product's main navigation by role, for the header of every page (wiring: it names
every app's pages by URL name, and skips those not installed)."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from publicprotection.access import roles
from worklists.navigation import WaitingCount

# (label, url name, roles that see it). Items whose URL is not installed yet are skipped.
NAV_ITEMS: list[tuple[str, str, frozenset]] = [
    ("Home", "home", frozenset(r for r in roles.Role)),
    ("Incidents", "cases:incident-list", roles.CASE_READERS),
    ("People", "cases:person-search", roles.CASE_READERS),
    ("Review queue", "cases:review-queue", roles.SUPERVISORS),
    ("Outstanding suspects", "cases:outstanding-suspects", roles.CASE_WRITERS),
    ("Gradings", "riskassessment:grading-review-queue", roles.SUPERVISORS),
    ("Overdue actions", "riskassessment:rara-overdue", roles.CASE_WRITERS),
    ("Daily meetings", "marac:agenda-list", roles.SUPERVISORS | roles.MARAC_COORDINATORS),
    ("MARAC", "marac:home", roles.MARAC_COORDINATORS | roles.PARTNERS),
    ("Homicide reviews", "homicidereviews:review-list", roles.REVIEW_LEADS | roles.SUPERVISORS),
    (
        "MARAC data return",
        "homicidereviews:data-return",
        roles.MARAC_COORDINATORS | roles.ANALYSTS | roles.REVIEW_LEADS,
    ),
    ("Trends", "reports:dashboard", roles.ANALYSTS),
    ("Audit", "audit:search", roles.AUDITORS),
]


# Supervisors see these only in the central team (domestic homicide reviews are pan-London).
CENTRAL_ONLY_FOR_SUPERVISORS = frozenset({"homicidereviews:review-list"})


def _review_worker(user) -> bool:
    return user.role != roles.Role.SUPERVISOR or (user.team_id is not None and user.team.is_central)


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    if settings.REQUIRE_TWO_FACTOR and not user.is_verified():
        # The password step alone opens only the two-factor pages: no menu of pages it cannot
        # reach, and no count of the work waiting (a read of the user's cases).
        return {"nav_items": [], "two_factor_pending": True}
    items = []
    for label, url_name, allowed in NAV_ITEMS:
        if user.role not in allowed:
            continue
        if url_name in CENTRAL_ONLY_FOR_SUPERVISORS and not _review_worker(user):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        # "waiting" on every item: base.html includes the badge only where it is set (Home),
        # and a missing key would cost a failed attribute and index lookup per item.
        item = {"label": label, "url": url, "active": False, "waiting": ""}
        if url_name == "home" and user.role is not None:
            # How many things wait for the viewer (counted only if the page draws it).
            item["waiting"] = WaitingCount(request)
        items.append(item)
    # One active item: the one whose URL is the longest prefix of the path (Daily meetings at
    # /marac/agendas/, not MARAC at /marac/ as well); Home only on the home page itself.
    matches = [
        item
        for item in items
        if (
            request.path == item["url"]
            if item["url"] == "/"
            else request.path.startswith(item["url"])
        )
    ]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"nav_items": items}
