"""Message catalogs (German default, English, French) and locale negotiation."""

from __future__ import annotations

from portal.i18n import de, en, fr
from portal.i18n.booking_import import de as import_de
from portal.i18n.booking_import import en as import_en
from portal.i18n.booking_import import fr as import_fr
from portal.i18n.clients import de as clients_de
from portal.i18n.clients import en as clients_en
from portal.i18n.clients import fr as clients_fr
from portal.i18n.lists import de as lists_de
from portal.i18n.lists import en as lists_en
from portal.i18n.lists import fr as lists_fr
from portal.i18n.mail import de as mail_de
from portal.i18n.mail import en as mail_en
from portal.i18n.mail import fr as mail_fr

DEFAULT_LOCALE = "de"
CATALOGS: dict[str, dict[str, str]] = {
    "de": {**de.MESSAGES, **mail_de.MESSAGES, **import_de.MESSAGES, **clients_de.MESSAGES, **lists_de.MESSAGES},
    "en": {**en.MESSAGES, **mail_en.MESSAGES, **import_en.MESSAGES, **clients_en.MESSAGES, **lists_en.MESSAGES},
    "fr": {**fr.MESSAGES, **mail_fr.MESSAGES, **import_fr.MESSAGES, **clients_fr.MESSAGES, **lists_fr.MESSAGES},
}
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
