"""Catalogs are complete in every language; locales and formats behave."""

import ast
import datetime as dt
import re
from pathlib import Path

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


PORTAL = Path(__file__).parents[2] / "portal"


def test_every_used_key_exists():
    used = set()
    for path in PORTAL.rglob("*.py"):
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


@pytest.mark.parametrize(("locale", "expected"), [("de", "1.234,56\xa0€"), ("en", "€1,234.56"),
                                                  ("fr", "1\u202f234,56\xa0€")])
def test_money_positive(locale, expected):
    assert fmt.money(123456, "EUR", locale) == expected


@pytest.mark.parametrize(("locale", "expected"), [("de", "05.03.2026"), ("en", "5 Mar 2026"), ("fr", "5 mars 2026")])
def test_date_per_locale(locale, expected):
    assert fmt.date(dt.date(2026, 3, 5), locale) == expected


@pytest.mark.parametrize(("locale", "expected"), [("de", "1,5\xa0MB"), ("en", "1.5 MB"), ("fr", "1,5\u202fMo")])
def test_file_sizes_use_the_locale_units(locale, expected):
    assert fmt.size(1536 * 1024, locale).replace(" ", "\xa0") == expected.replace(" ", "\xa0")


def test_times_follow_the_users_zone():
    summer = dt.datetime(2026, 7, 1, 8, 5, tzinfo=dt.UTC)
    assert fmt.Formats("de").datetime(summer) == "01.07.26, 10:05"  # Berlin, summer time
    assert fmt.Formats("de", "America/New_York").datetime(summer) == "01.07.26, 04:05"
    assert fmt.Formats("en", "Asia/Tokyo").datetime(summer) == "01/07/2026, 17:05"
    late = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
    assert fmt.Formats("de").day(late) == "01.01.2027"
    assert fmt.Formats("de", "UTC").day(late) == "31.12.2026"


def test_time_zone_choices_are_named_in_the_language_and_keep_the_users_own():
    winter = dt.datetime(2026, 1, 15, tzinfo=dt.UTC)
    assert fmt.timezone_label("Europe/Vienna", "de", winter) == "Wien (GMT+01:00)"
    assert fmt.timezone_label("Europe/Vienna", "fr", winter) == "Vienne (UTC+01:00)"
    assert fmt.is_timezone("Asia/Kolkata") and not fmt.is_timezone("Mars/Olympus")
    zones = [zone for zone, _ in fmt.timezone_choices("en", "Asia/Kolkata")]
    assert "Asia/Kolkata" in zones and "Europe/Berlin" in zones
    assert "Mars/Olympus" not in [zone for zone, _ in fmt.timezone_choices("en", "Mars/Olympus")]


# Components whose string arguments are shown to people; their text must come from a catalog.
_TEXT_COMPONENTS = re.compile(r"^rx\.(el\.)?(text|heading|button|icon_button|badge|link|label|callout|tooltip|span|p|h\d"
                              r"|strong|em|menu\.item|select\.item|tabs\.trigger|dialog\.title|dialog\.description"
                              r"|alert_dialog\.title|alert_dialog\.description|toast.*|option|legend|summary|th|td)$")
_TEXT_KEYWORDS = {"placeholder", "aria_label", "title", "alt", "label", "content", "description"}
# The product's name is the same in every language.
_NOT_UI_TEXT = {"Kanzleiportal"}


def _hard_coded_texts(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        shown = node.args if _TEXT_COMPONENTS.match(name) else []
        if name.startswith("rx."):
            shown = [*shown, *(k.value for k in node.keywords if k.arg in _TEXT_KEYWORDS)]
        for arg in shown:
            pieces = [arg] if isinstance(arg, ast.Constant) else (arg.values if isinstance(arg, ast.JoinedStr) else [])
            for piece in pieces:
                text = piece.value if isinstance(piece, ast.Constant) and isinstance(piece.value, str) else ""
                if re.search(r"[^\W\d_]{2,}", text) and text.strip() not in _NOT_UI_TEXT:
                    found.append((arg.lineno, text))
    return found


def test_no_hard_coded_ui_strings_outside_the_catalogs():
    offenders = [f"{path.relative_to(PORTAL.parent)}:{line}: {text!r}"
                 for folder in ("pages", "components", "state")
                 for path in sorted((PORTAL / folder).rglob("*.py"))
                 for line, text in _hard_coded_texts(ast.parse(path.read_text()))]
    assert offenders == []


def test_the_hard_coded_string_check_finds_them():
    tree = ast.parse('rx.text("Hallo Welt")\nrx.button(t("ok"), aria_label="Schließen")\nrx.input(placeholder=f"Suche {x}")\n'
                     'rx.heading("Kanzleiportal")\nrx.box(width="100%")\nrx.text(" · ")')
    assert [text for _, text in _hard_coded_texts(tree)] == ["Hallo Welt", "Schließen", "Suche "]
