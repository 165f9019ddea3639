"""seed_demo: every role, fictional cases with repeats and a pending review; idempotent."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from cases.models import ArrestDecision, Incident, Person, ReviewStatus
from cases.selectors.flags import person_flags
from publicprotection.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_every_role_and_cases_and_is_idempotent():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    counts = (User.objects.count(), Incident.objects.count(), Person.objects.count())

    call_command("seed_demo", stdout=StringIO())

    assert (User.objects.count(), Incident.objects.count(), Person.objects.count()) == counts
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values)
    assert "public-protection-demo" in out.getvalue()
    assert ArrestDecision.objects.filter(review_status=ReviewStatus.AWAITING).exists()
    assert ArrestDecision.objects.filter(review_status=ReviewStatus.RETURNED).exists()
    assert ArrestDecision.objects.filter(is_outstanding=True).exists()
    amara = Person.objects.filter(given_name="Amara").first()
    assert person_flags(amara).repeat_victim
    # The dashboard has figures at once, not after the first nightly refresh.
    from django.db.models import Sum

    from reports.models import DailyBoroughFigures

    assert DailyBoroughFigures.objects.aggregate(n=Sum("incidents"))["n"] > 0


def test_seed_demo_assesses_victims_at_every_level_with_overdue_actions():
    from publicprotection.london_time import london_today
    from riskassessment.models import RaraAction, RiskAssessment

    call_command("seed_demo", stdout=StringIO())

    levels = set(RiskAssessment.objects.values_list("final_level", flat=True))
    assert levels == {"standard", "medium", "high"}
    assert RiskAssessment.objects.filter(status="confirmed").exists()
    assert RiskAssessment.objects.filter(status="awaiting_review").exists()
    assert RaraAction.objects.filter(due_date__lt=london_today(), status="planned").exists()


def test_seed_demo_lists_high_risk_victims_at_a_lambeth_marac_with_research_and_actions():
    from marac.models import CaseResearch, MaracAction, MaracMeeting, MeetingInvitation
    from marac.selectors.sharing import cases_shared_with

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent

    meeting = MaracMeeting.objects.get(team__code="LAM", created_by__username="lam.coordinator")
    assert meeting.can_list_cases()  # scheduled, in the future
    assert meeting.listings.count() >= 1
    assert MeetingInvitation.objects.filter(meeting=meeting).count() == 2
    assert CaseResearch.objects.filter(listing__meeting=meeting).exists()
    assert MaracAction.objects.filter(listing__meeting=meeting).exists()
    # The IDVA partner sees exactly the listed cases.
    idva = User.objects.get(agency__agency_type__code="idva", agency__borough__code="LAM")
    assert cases_shared_with(viewer=idva).count() == meeting.listings.count()


def test_seed_demo_records_a_homicide_review_whose_chronology_shows_markers():
    from homicidereviews.models import HomicideReview
    from homicidereviews.selectors.chronology import chronology_for

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent

    review = HomicideReview.objects.get(created_by__username="review.lead")
    assert chronology_for(review=review).marker_count > 0
    assert review.recommendations.count() == 1 and review.lessons.count() == 1


def test_seed_demo_fills_five_years_of_trends_that_a_refresh_keeps():
    from django.utils import timezone

    from reports.dashboard import build_dashboard
    from reports.models import DailyBoroughFigures
    from reports.services import records_begin, rollup_refresh_recent
    from reports.tasks import NIGHTLY_DAYS

    call_command("seed_demo", stdout=StringIO())
    rows = DailyBoroughFigures.objects.count()
    call_command("seed_demo", stdout=StringIO())  # idempotent: no second history
    assert DailyBoroughFigures.objects.count() == rows

    today = timezone.localdate()
    analyst = User.objects.filter(role=Role.ANALYST).first()
    dashboard = build_dashboard(viewer=analyst, borough=None, today=today, period=None)
    monthly = dashboard.table("incidents_monthly").rows
    assert len(monthly) == 60
    assert all(row.sums["incidents"] > 0 for row in monthly)  # every month has figures
    yearly = dashboard.table("rates_yearly").rows
    assert all(row.sums["arrestable_suspects"] > 0 for row in yearly)
    history = DailyBoroughFigures.objects.filter(day__lt=records_begin()).count()
    earliest = DailyBoroughFigures.objects.order_by("day").first().day
    assert (earliest.year, earliest.month) == (monthly[0].key.year, monthly[0].key.month)

    rollup_refresh_recent(days=NIGHTLY_DAYS)  # the nightly task

    assert DailyBoroughFigures.objects.filter(day__lt=records_begin()).count() == history


def test_seed_demo_with_two_factor_on_prints_set_up_codes_that_let_the_demo_users_in(
    client, settings
):
    """`REQUIRE_TWO_FACTOR=true make run`: the demo users have no authenticator, and a first
    one needs a set-up code, as in production; the seed prints one for each, which works."""
    from django.urls import reverse
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.REQUIRE_TWO_FACTOR = settings.TWO_FACTOR_SETUP_CODE_REQUIRED = True
    out = StringIO()
    call_command("seed_demo", stdout=out)

    codes = dict(
        re.findall(r"^  (\S+) +([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})$", out.getvalue(), re.M)
    )
    assert set(codes) == set(User.objects.values_list("username", flat=True))
    client.post(reverse("login"), {"username": "admin", "password": settings.DEMO_PASSWORD})
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice(key=client.session["pp_totp_setup_key"])
    client.post(
        reverse("two_factor_setup"),
        {"token": f"{totp(device.bin_key):06d}", "setup_code": codes["admin"]},
    )
    assert client.get("/admin/").status_code == 200


def test_seed_demo_without_two_factor_prints_no_set_up_codes(settings):
    settings.TWO_FACTOR_SETUP_CODE_REQUIRED = False
    out = StringIO()

    call_command("seed_demo", stdout=out)

    assert "set-up code" not in out.getvalue()
