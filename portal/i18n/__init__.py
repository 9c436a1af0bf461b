"""Message catalogs (German default, English, French) and locale negotiation."""

from __future__ import annotations

import importlib

DEFAULT_LOCALE = "de"
# The catalog of a language is the general one (portal/i18n/<lang>.py) plus one module
# per area (portal/i18n/<area>/<lang>.py), so areas grow without touching each other.
_AREAS = ("", "mail", "booking_import", "clients", "pwa", "lists", "failures", "retention", "audit")


def _catalog(locale: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for area in _AREAS:
        module = importlib.import_module(".".join(filter(None, ("portal.i18n", area, locale))))
        merged.update(module.MESSAGES)
    return merged


CATALOGS: dict[str, dict[str, str]] = {locale: _catalog(locale) for locale in ("de", "en", "fr")}
SUPPORTED_LOCALES = tuple(CATALOGS)


def normalize_locale(locale: str | None) -> str:
    """Map any locale tag (``de-AT``, ``fr_FR``...) to a supported catalog name.

    Args:
        locale: A language tag, possibly empty.

    Returns:
        One of :data:`SUPPORTED_LOCALES`; the default when nothing matches.
    """
    lang = (locale or "").replace("_", "-").split("-")[0].strip().lower()
    return lang if lang in CATALOGS else DEFAULT_LOCALE


def negotiate(accept_language: str | None) -> str:
    """Pick the best supported locale from an ``Accept-Language`` header.

    Args:
        accept_language: The raw header value.

    Returns:
        The supported locale with the highest quality; the default if none.
    """
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        lang = tag.split("-")[0].strip().lower()
        if lang in CATALOGS and quality > 0:
            choices.append((-quality, position, lang))
    return min(choices)[2] if choices else DEFAULT_LOCALE


def translate(locale: str, key: str, **params: object) -> str:
    """Look up ``key`` in the catalog of ``locale`` and fill ``{placeholders}``.

    Args:
        locale: A supported locale (anything else falls back to the default).
        key: The message key.
        **params: Values for the message's placeholders.

    Returns:
        The translated message.

    Raises:
        KeyError: If the key exists in no catalog (a programming error).
    """
    catalog = CATALOGS.get(locale, CATALOGS[DEFAULT_LOCALE])
    message = catalog.get(key) or CATALOGS[DEFAULT_LOCALE][key]
    return message.format(**params) if params else message
