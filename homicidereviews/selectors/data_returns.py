"""The MARAC quarterly data return (SafeLives-style), per MARAC (team) and quarter, counted at
meeting level: every case listed at a meeting held in the quarter counts once per meeting.

Counts only, no names. Readers: MARAC coordinators, supervisors, analysts and administrators
(their borough's MARAC, or every MARAC for pan-London viewers) and the review lead.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import QuerySet

from cases.models import Ethnicity, Gender
from marac.models import MaracCaseListing, MeetingStatus
from publicprotection.access.roles import ANALYSTS, MARAC_COORDINATORS, REVIEW_LEADS, has_role
from publicprotection.access.scope import viewer_borough_id
from publicprotection.accounts.models import Team
from publicprotection.london_time import LONDON

DATA_RETURN_READERS = MARAC_COORDINATORS | ANALYSTS | REVIEW_LEADS
QUARTER = re.compile(r"^([0-9]{4})-Q([1-4])$")
ETHNIC_MINORITY = (Ethnicity.ASIAN, Ethnicity.BLACK, Ethnicity.MIXED, Ethnicity.OTHER)
NOT_RECORDED = "not recorded"

DEFINITIONS = {
    "meetings": "MARAC meetings of this team held in the quarter (cancelled and scheduled "
    "meetings are not counted).",
    "cases_discussed": "Cases listed at those meetings. A case heard at two meetings in the "
    "quarter counts twice (counted at meeting level).",
    "repeat_cases": "Cases discussed whose referral is a repeat: the same victim, a further "
    "incident within 12 months of the last MARAC referral (SafeLives definition; "
    "MARAC_REPEAT_WINDOW_DAYS).",
    "children": "Children in the households of the cases discussed, as recorded on each referral.",
    "referrals_by_agency": "Cases discussed by the agency that referred them, as written on "
    "the referral.",
    "male_victims": "Cases discussed whose victim's recorded gender is male.",
    "aged_16_17": "Cases discussed whose victim was 16 or 17 on the day of the meeting (from "
    "the date of birth; victims without one are not counted).",
    "ethnic_minority": "Cases discussed whose victim's recorded ethnicity is Asian, Black, "
    "mixed or another ethnic group (not white, not 'not stated'); 'not stated' is shown "
    "separately.",
    "lgbt": "Not recorded: the register has no field for sexual orientation or gender "
    "identity, so this figure cannot be given.",
    "disabled": "Cases discussed whose victim has anything written in the register's "
    "free-text disability field. An empty field may mean no disability or that nobody "
    "asked, so this is a floor, not a count.",
}


@dataclass
class DataReturn:
    team: Team
    quarter: str
    start: date
    end: date
    meetings: int = 0
    cases_discussed: int = 0
    repeat_cases: int = 0
    children: int = 0
    referrals_by_agency: list[tuple[str, int]] = field(default_factory=list)
    male_victims: int = 0
    aged_16_17: int = 0
    ethnic_minority: int = 0
    ethnicity_not_stated: int = 0
    lgbt: str = NOT_RECORDED
    disabled: int = 0
    definitions: dict = field(default_factory=lambda: DEFINITIONS)


def can_read_data_returns(user) -> bool:
    return has_role(user, DATA_RETURN_READERS)


def teams_visible_to(*, viewer) -> QuerySet[Team]:
    if not can_read_data_returns(viewer):
        return Team.objects.none()
    borough_id = viewer_borough_id(viewer)
    if borough_id is None:
        return Team.objects.all()
    return Team.objects.filter(borough_id=borough_id)


def parse_quarter(value: str) -> tuple[date, date] | None:
    match = QUARTER.match(value or "")
    if not match:
        return None
    year, number = int(match.group(1)), int(match.group(2))
    try:  # year 0000 has no dates, and 9999-Q4 would end in year 10000
        start = date(year, 3 * number - 2, 1)
        end = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    except ValueError:
        return None
    return start, end  # end is exclusive


def current_quarter(today: date) -> str:
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def data_return(*, team: Team, quarter: str) -> DataReturn:
    start, end = parse_quarter(quarter)
    listings = list(
        MaracCaseListing.objects.filter(
            meeting__team=team,
            meeting__status=MeetingStatus.HELD,
            meeting__starts_at__gte=datetime.combine(start, time(0), tzinfo=LONDON),
            meeting__starts_at__lt=datetime.combine(end, time(0), tzinfo=LONDON),
        ).select_related("meeting", "referral__person")
    )
    result = DataReturn(team=team, quarter=quarter, start=start, end=end)
    result.meetings = len({listing.meeting_id for listing in listings})
    agencies: Counter[str] = Counter()
    for listing in listings:
        referral, person = listing.referral, listing.referral.person
        result.cases_discussed += 1
        result.repeat_cases += referral.is_repeat
        result.children += referral.children_in_household
        agencies[referral.referring_agency.strip() or "Not recorded"] += 1
        result.male_victims += person.gender == Gender.MALE
        met_on = listing.meeting.starts_at.astimezone(LONDON).date()
        if person.date_of_birth and _age_on(person.date_of_birth, met_on) in (16, 17):
            result.aged_16_17 += 1
        result.ethnic_minority += person.ethnicity in ETHNIC_MINORITY
        result.ethnicity_not_stated += person.ethnicity == Ethnicity.NOT_STATED
        result.disabled += bool(person.disability.strip())
    result.referrals_by_agency = sorted(agencies.items(), key=lambda item: (-item[1], item[0]))
    return result
