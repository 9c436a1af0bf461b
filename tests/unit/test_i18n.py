"""Catalogs are complete in every language; locales and formats behave."""

import datetime as dt
import re

import pytest

from portal.i18n import CATALOGS, DEFAULT_LOCALE, negotiate, normalize_locale, translate
from portal.i18n import format as fmt


@pytest.mark.parametrize("locale", sorted(CATALOGS))
def test_catalog_has_every_key_of_every_other(locale):
    keys = set().union(*(set(c) for c in CATALOGS.values()))
    assert sorted(keys - set(CATALOGS[locale])) == []


@pytest.mark.parametrize("locale", sorted(CATALOGS))
def test_placeholders_match_the_default(locale):
    for key, message in CATALOGS[locale].items():
        expected = set(re.findall(r"{(\w+)}", CATALOGS[DEFAULT_LOCALE][key]))
        assert set(re.findall(r"{(\w+)}", message)) == expected, key


def test_every_used_key_exists():
    from pathlib import Path

    used = set()
    for path in (Path(__file__).parents[2] / "portal").rglob("*.py"):
        used |= set(re.findall(r'\bt\("([a-z_.]+)"\)', path.read_text()))
    assert used and used <= set(CATALOGS[DEFAULT_LOCALE])


def test_negotiate_accept_language():
    assert negotiate("fr-CH, fr;q=0.9, en;q=0.8") == "fr"
    assert negotiate("en-US,en;q=0.9,de;q=0.8") == "en"
    assert negotiate("es, it;q=0.5") == DEFAULT_LOCALE
    assert negotiate("de;q=0.2, en;q=0.9") == "en"
    assert negotiate("") == DEFAULT_LOCALE
    assert negotiate("en;q=abc") == DEFAULT_LOCALE
    assert normalize_locale("de_AT") == "de" and normalize_locale("xx") == "de"


def test_translate_fills_placeholders():
    assert "15 Minuten" in translate("de", "login.error.locked", minutes=15)
    assert "15 minutes" in translate("en", "login.error.locked", minutes=15)


def test_money_and_dates_per_locale():
    assert fmt.money(-123456, "EUR", "de") == "-1.234,56\xa0€"
    assert fmt.money(-123456, "EUR", "en") == "-€1,234.56"
    assert fmt.money(-123456, "EUR", "fr") == "-1\u202f234,56\xa0€"
    assert fmt.date(dt.date(2026, 12, 31), "de") == "31.12.2026"
    winter = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
    assert fmt.datetime(winter, "de").startswith("01.01.27")  # Berlin is UTC+1
