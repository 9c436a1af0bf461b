"""Dates, times, numbers and money formatted for a locale and time zone with Babel."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import format_date, format_datetime, format_skeleton, format_time, get_timezone_gmt
from babel.dates import get_timezone_location
from babel.numbers import format_currency
from babel.units import format_unit

from portal.i18n import normalize_locale

DEFAULT_TIMEZONE = "Europe/Berlin"
_BABEL_LOCALES = {"de": "de_DE", "en": "en_GB", "fr": "fr_FR"}
_SIZE_UNITS = ("digital-byte", "digital-kilobyte", "digital-megabyte", "digital-gigabyte", "digital-terabyte")
# Offered in the profile: where the firms' clients live and travel most. Any other IANA
# zone a user already has stays selectable (see timezone_choices).
COMMON_TIMEZONES = (
    "Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/Luxembourg", "Europe/Brussels",
    "Europe/Amsterdam", "Europe/Paris", "Europe/London", "Europe/Dublin", "Europe/Lisbon", "Europe/Madrid",
    "Europe/Rome", "Europe/Warsaw", "Europe/Prague", "Europe/Budapest", "Europe/Athens", "Europe/Helsinki",
    "Europe/Istanbul", "Atlantic/Canary", "America/New_York", "America/Chicago", "America/Los_Angeles",
    "America/Toronto", "America/Sao_Paulo", "Asia/Dubai", "Asia/Singapore", "Asia/Shanghai", "Asia/Tokyo",
    "Australia/Sydney", "UTC",
)


def _babel(locale: str) -> str:
    return _BABEL_LOCALES[normalize_locale(locale)]


def money(cents: int, currency: str, locale: str) -> str:
    """Format an amount in cents, e.g. ``-1.234,56 €`` for German."""
    return format_currency(cents / 100, currency, locale=_babel(locale))


def date(value: dt.date, locale: str) -> str:
    """Format a calendar date, e.g. ``31.12.2026`` for German."""
    return format_date(value, format="medium" if normalize_locale(locale) != "de" else "dd.MM.yyyy",
                       locale=_babel(locale))


def datetime(value: dt.datetime, locale: str, timezone: str = DEFAULT_TIMEZONE) -> str:
    """Format an aware UTC datetime in the user's time zone."""
    return format_datetime(value, format="short", tzinfo=ZoneInfo(timezone), locale=_babel(locale))


def precise_datetime(value: dt.datetime, locale: str, timezone: str = DEFAULT_TIMEZONE) -> str:
    """Format an aware UTC datetime to the second in the user's time zone, e.g.
    ``02.12.2026, 10:15:03`` for German (for records such as the audit trail)."""
    return format_datetime(value, format="medium", tzinfo=ZoneInfo(timezone), locale=_babel(locale))


def size(num_bytes: int, locale: str) -> str:
    """Format a file size, e.g. ``1,5 MB`` for German, ``1,5 Mo`` for French.

    Powers of 1024, as file managers show them.
    """
    value = float(num_bytes)
    for unit in _SIZE_UNITS:
        if value < 1024 or unit == _SIZE_UNITS[-1]:
            break
        value /= 1024
    return format_unit(value, unit, length="short", format="#,##0.#", locale=_babel(locale))


def weekday_datetime(value: dt.datetime, locale: str, timezone: str = DEFAULT_TIMEZONE) -> str:
    """Format an aware UTC datetime with its weekday in the user's time zone.

    E.g. ``Mo., 26. Okt. 2026, 10:00`` for German: for dates a person plans around,
    where the weekday matters more than in a list.
    """
    zone, babel_locale = ZoneInfo(timezone), _babel(locale)
    day = format_skeleton("yMMMEd", value, tzinfo=zone, locale=babel_locale)
    return f"{day}, {format_time(value, format='short', tzinfo=zone, locale=babel_locale)}"


@functools.cache
def _known_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_timezone(name: str) -> bool:
    """Whether ``name`` is an IANA time zone this machine knows (``Europe/Vienna``)."""
    return name in _known_timezones()


def timezone_label(name: str, locale: str, now: dt.datetime | None = None) -> str:
    """A zone as people recognise it, e.g. ``Wien (GMT+01:00)`` for German."""
    zone = ZoneInfo(name)
    city = get_timezone_location(zone, locale=_babel(locale), return_city=True)
    offset = get_timezone_gmt((now or dt.datetime.now(dt.UTC)).astimezone(zone), locale=_babel(locale))
    return city if name == "UTC" else f"{city} ({offset})"


def timezone_choices(locale: str, current: str) -> list[tuple[str, str]]:
    """``(zone, label)`` pairs for the profile's select, sorted by label; ``current`` included."""
    names = set(COMMON_TIMEZONES) | ({current} if is_timezone(current) else set())
    return sorted(((name, timezone_label(name, locale)) for name in names), key=lambda pair: pair[1])


@dataclass(frozen=True)
class Formats:
    """One user's formatting: their language and time zone, bound once per request.

    Attributes:
        locale: A supported UI locale (``de``, ``en``, ``fr``).
        timezone: The IANA zone dates and times are shown in.
    """

    locale: str
    timezone: str = DEFAULT_TIMEZONE

    def datetime(self, value: dt.datetime) -> str:
        """See :func:`datetime`."""
        return datetime(value, self.locale, self.timezone)

    def weekday_datetime(self, value: dt.datetime) -> str:
        """See :func:`weekday_datetime`."""
        return weekday_datetime(value, self.locale, self.timezone)

    def day(self, value: dt.datetime) -> str:
        """The calendar date of an aware moment in the user's zone."""
        return date(value.astimezone(ZoneInfo(self.timezone)).date(), self.locale)
