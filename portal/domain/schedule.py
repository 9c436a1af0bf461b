"""When digest emails go out: 10:00 wall-clock time in Berlin, whatever the season.

Every digest lands in the Monday-morning rhythm the firm works in (the product's help
pages promise "the first on a Monday at 10:00"):

* daily: every day at 10:00 Europe/Berlin;
* weekly: every Monday at 10:00;
* monthly: the first Monday of each month at 10:00.

Times are computed on the Berlin calendar and converted to UTC, so 10:00 stays 10:00
across the DST changes (08:00 UTC in summer, 09:00 UTC in winter). 10:00 is never in
a DST gap or fold (those are at night), so the conversion is unambiguous.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from portal.domain.enums import DigestFrequency

BERLIN = ZoneInfo("Europe/Berlin")
SEND_AT = dt.time(10, 0)
MONDAY = 0


def _at_ten(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, SEND_AT, tzinfo=BERLIN).astimezone(dt.UTC)


def _first_monday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(MONDAY - first.weekday()) % 7)


def next_run(frequency: DigestFrequency | str, after: dt.datetime) -> dt.datetime:
    """The first send time of ``frequency`` strictly after ``after``.

    Args:
        frequency: Daily, weekly or monthly.
        after: An aware datetime (usually now, or the run just done).

    Returns:
        An aware UTC datetime at 10:00 Berlin time.

    Raises:
        ValueError: If ``after`` is naive or ``frequency`` unknown.
    """
    if after.utcoffset() is None:
        raise ValueError("after must be timezone-aware")
    frequency = DigestFrequency(frequency)
    today = after.astimezone(BERLIN).date()
    if frequency == DigestFrequency.DAILY:
        candidates = (today + dt.timedelta(days=n) for n in range(2))
    elif frequency == DigestFrequency.WEEKLY:
        monday = today + dt.timedelta(days=(MONDAY - today.weekday()) % 7)
        candidates = (monday + dt.timedelta(weeks=n) for n in range(2))
    else:
        following = (today.year + today.month // 12, today.month % 12 + 1)
        candidates = (_first_monday(today.year, today.month), _first_monday(*following))
    # The earlier candidate is today's (or this week's / month's) slot, which may have passed.
    return next(at for at in map(_at_ten, candidates) if at > after)
