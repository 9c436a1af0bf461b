"""Legal retention periods and the trash ("Papierkorb"): pure date arithmetic.

German law (§147 Abs. 3/4 AO, §257 Abs. 4/5 HGB) keeps booking receipts 8 years (since
2025; 10 before) and business letters 6 years. A period does not start on the day a
document arrives: it starts at the end of the calendar year in which it was made and
therefore always ends on 31 December. A receipt from 5 March 2026 is kept until
31.12.2034, one from 31 December 2026 too.

The calendar year is the firm's (Europe/Berlin): a file uploaded on New Year's Eve at
23:30 in Berlin is 22:30 UTC and belongs to the old year, one at 00:30 to the new.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from portal.domain.enums import RetentionClass

FIRM_TZ = ZoneInfo("Europe/Berlin")
RECEIPT_YEARS = 8
BUSINESS_LETTER_YEARS = 6
TRASH_DAYS = 30


@dataclass(frozen=True)
class RetentionPeriods:
    """Years each class is kept (configurable, defaults as the law stands in 2025)."""

    receipt_years: int = RECEIPT_YEARS
    business_letter_years: int = BUSINESS_LETTER_YEARS

    def years(self, retention_class: RetentionClass | str) -> int:
        """Years of a class; 0 for documents without a legal period (or an unknown class)."""
        try:
            kind = RetentionClass(retention_class)
        except ValueError:
            return 0
        return {RetentionClass.RECEIPT: self.receipt_years,
                RetentionClass.BUSINESS_LETTER: self.business_letter_years}.get(kind, 0)


def firm_date(moment: dt.datetime) -> dt.date:
    """The calendar day of an aware moment in the firm's time zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(FIRM_TZ).date()


def retention_until(created_at: dt.datetime, retention_class: RetentionClass | str,
                    periods: RetentionPeriods = RetentionPeriods()) -> dt.date | None:
    """The last day a document must be kept ("aufzubewahren bis"), or None without a period.

    Args:
        created_at: When the document came into the firm (aware UTC).
        retention_class: Its class.
        periods: The configured years per class.

    Returns:
        31 December of (year of ``created_at`` in Berlin + years), or None for
        :attr:`RetentionClass.NONE`.
    """
    years = periods.years(retention_class)
    if years <= 0:
        return None
    return dt.date(firm_date(created_at).year + years, 12, 31)


def under_retention(until: dt.date | None, today: dt.date) -> bool:
    """Whether a document with this "until" date may not be destroyed on ``today``."""
    return until is not None and today <= until


def purge_on(trashed_at: dt.datetime, until: dt.date | None, trash_days: int = TRASH_DAYS) -> dt.date:
    """The first day a trashed document may be destroyed for good.

    ``trash_days`` after it went into the trash, but never before its retention ends
    (the day after ``until``).
    """
    day = firm_date(trashed_at) + dt.timedelta(days=trash_days)
    if until is not None:
        day = max(day, until + dt.timedelta(days=1))
    return day


def purge_due(trashed_at: dt.datetime, until: dt.date | None, now: dt.datetime,
              trash_days: int = TRASH_DAYS) -> bool:
    """Whether a trashed document is destroyed in a purge run at ``now``.

    Older than ``trash_days`` in the trash, and not under retention any more.
    """
    if trashed_at.tzinfo is None:
        trashed_at = trashed_at.replace(tzinfo=dt.UTC)
    old_enough = now - trashed_at >= dt.timedelta(days=trash_days)
    return old_enough and not under_retention(until, firm_date(now))
