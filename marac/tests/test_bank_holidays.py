"""No daily meeting on a bank holiday in England and Wales; the next covers the gap."""

from datetime import date

from ..meeting_calendar import is_meeting_day, meeting_period, meeting_time


def test_bank_holidays_are_not_meeting_days():
    assert not is_meeting_day(date(2025, 12, 25))  # Christmas Day, a Thursday
    assert not is_meeting_day(date(2025, 8, 25))  # summer bank holiday, a Monday
    assert is_meeting_day(date(2025, 8, 26))


def test_the_day_after_a_bank_holiday_covers_it():
    # Tuesday 26 August 2025 covers from Friday 22 August (Monday was a bank holiday).
    assert meeting_period(date(2025, 8, 26)).start == meeting_time(date(2025, 8, 22))
    # Monday 29 December 2025 covers from Wednesday 24 December (Christmas and Boxing Day).
    assert meeting_period(date(2025, 12, 29)).start == meeting_time(date(2025, 12, 24))
