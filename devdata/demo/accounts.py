"""Demo users: every role in Lambeth and Southwark, the central team, and partners."""

from __future__ import annotations

from django.conf import settings

from publicprotection.accounts.models import Agency, AgencyType, Borough, Role, Team, User
from publicprotection.accounts.services import (
    agency_create,
    two_factor_enrolled,
    two_factor_setup_code_issue,
)

DEMO_BOROUGHS = ("LAM", "SOU")

# (username, first name, last name, role, team code or None)
POLICE_USERS = [
    ("{b}.officer", "Alex", "{B} Officer", Role.OFFICER, "{b}"),
    ("{b}.officer2", "Sam", "{B} Investigator", Role.OFFICER, "{b}"),
    ("{b}.supervisor", "Jo", "{B} Sergeant", Role.SUPERVISOR, "{b}"),
    ("{b}.coordinator", "Priya", "{B} MARAC Coordinator", Role.MARAC_COORDINATOR, "{b}"),
]
CENTRAL_USERS = [
    ("central.supervisor", "Morgan", "Central Supervisor", Role.SUPERVISOR, "CEN"),
    # London-wide: chooses the borough their home page shows.
    ("central.coordinator", "Ashley", "Central MARAC Coordinator", Role.MARAC_COORDINATOR, "CEN"),
    ("analyst", "Robin", "Analyst", Role.ANALYST, "CEN"),
    ("review.lead", "Dana", "Review Lead", Role.REVIEW_LEAD, "CEN"),
    ("admin", "Casey", "Administrator", Role.ADMIN, "CEN"),
]


def demo_password() -> str:
    return settings.DEMO_PASSWORD


def _user(username: str, first: str, last: str, role: str, *, team=None, agency=None) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username)
        user.set_password(demo_password())
    user.first_name, user.last_name, user.role = first, last, role
    user.team, user.agency = team, agency
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.full_clean()
    user.save()
    return user


def seed_demo(stdout) -> None:
    rows = []
    for code in DEMO_BOROUGHS:
        team = Team.objects.get(code=code)
        for username, first, last, role, _ in POLICE_USERS:
            borough_name = team.borough.name
            name = username.format(b=code.lower())
            user = _user(name, first, last.format(B=borough_name), role, team=team)
            rows.append((user.username, user.get_role_display(), team.name))
    central = Team.objects.get(code="CEN")
    for username, first, last, role, _ in CENTRAL_USERS:
        user = _user(username, first, last, role, team=central)
        rows.append((user.username, user.get_role_display(), central.name))

    lambeth = Borough.objects.get(code="LAM")
    for agency_type in AgencyType.objects.all():
        name = f"Lambeth {agency_type.name}"
        agency = Agency.objects.filter(name=name).first() or agency_create(
            name=name, agency_type=agency_type, borough=lambeth
        )
        user = _user(
            f"partner.{agency_type.code.replace('_', '-')}",
            "Partner",
            agency_type.name,
            Role.PARTNER,
            agency=agency,
        )
        rows.append((user.username, user.get_role_display(), agency.name))

    stdout.write(f"\nDemo accounts (password for all: {demo_password()})\n")
    for username, role, organisation in rows:
        stdout.write(f"  {username:<28} {role:<24} {organisation}\n")
    if settings.TWO_FACTOR_SETUP_CODE_REQUIRED:
        _print_setup_codes(stdout, [username for username, _, _ in rows])


def _print_setup_codes(stdout, usernames: list[str]) -> None:
    """With two-factor on (`REQUIRE_TWO_FACTOR=true make run`), a first authenticator needs a
    set-up code, as in production: a fresh one for each demo user who has none yet (each
    run replaces the last run's codes)."""
    stdout.write(
        "\nTwo-factor set-up codes (for setting up an authenticator app at first sign-in)\n"
    )
    for user in User.objects.filter(username__in=usernames).order_by("username"):
        if two_factor_enrolled(user=user):
            continue
        code = two_factor_setup_code_issue(actor=None, user=user)
        stdout.write(f"  {user.username:<28} {code}\n")
