"""Dates, times and money formatted for a locale with Babel."""

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal

from portal.i18n import normalize_locale

DEFAULT_TIMEZONE = "Europe/Berlin"
_BABEL_LOCALES = {"de": "de_DE", "en": "en_GB", "fr": "fr_FR"}


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


def size(num_bytes: int, locale: str) -> str:
    """Format a file size, e.g. ``1,5 MB`` for German (powers of 1024, as file managers show)."""
    value, unit = float(num_bytes), "B"
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            break
        value /= 1024
    pattern = "#,##0" if unit == "B" else "#,##0.#"
    return f"{format_decimal(value, format=pattern, locale=_babel(locale))} {unit}"
