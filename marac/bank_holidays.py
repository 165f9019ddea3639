"""Bank holidays in England and Wales (GOV.UK's list, shipped with govuk-bank-holidays and
read offline): no daily risk management meeting is held on one."""

from __future__ import annotations

from datetime import date
from functools import cache

from govuk_bank_holidays.bank_holidays import BankHolidays


@cache
def _holidays() -> frozenset[date]:
    # use_cached_holidays: the package's bundled copy; never a network call from a worker.
    calendar = BankHolidays(use_cached_holidays=True)
    holidays = calendar.get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
    return frozenset(holiday["date"] for holiday in holidays)


def is_bank_holiday(day: date) -> bool:
    return day in _holidays()
