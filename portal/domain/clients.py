"""Rules for client accounts and contacts: names, tags, custom field values.

Pure functions: the services call them before anything is written, the CSV import
calls them per line.
"""

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from portal.domain.enums import AccountKind, CustomFieldKind
from portal.domain.errors import UserError
from portal.domain.text import clean_line

# Characters that break folder paths and exports on the client's side (TaxDome's list).
FORBIDDEN_NAME_CHARS = ':"/\\|?*'
MAX_NAME_CHARS = 200
MAX_PERSON_NAME_CHARS = 100
MAX_TAGS = 20
MAX_TAG_CHARS = 40
MAX_FIELD_CHARS = 500


def clean_text(value: str | None, limit: int) -> str:
    """One line of text: control, direction and zero-width characters removed, spaces
    collapsed (:func:`portal.domain.text.clean_line`).

    Raises:
        UserError: ``clients.error.too_long`` if it is longer than ``limit``.
    """
    text = clean_line(value)
    if len(text) > limit:
        raise UserError("clients.error.too_long", limit=limit)
    return text


def account_name(name: str, *, kind: AccountKind, company_name: str = "", first_name: str = "",
                 last_name: str = "") -> str:
    """The account name to store: as typed, else the company name (companies) or the
    contact's first and last name.

    Raises:
        UserError: ``clients.error.name_char`` naming the first forbidden character,
            ``clients.error.name_missing`` when nothing gives a name.
    """
    chosen = clean_text(name, MAX_NAME_CHARS)
    if not chosen and kind == AccountKind.COMPANY:
        chosen = clean_text(company_name, MAX_NAME_CHARS)
    if not chosen:
        chosen = clean_text(f"{first_name} {last_name}", MAX_NAME_CHARS)
    if not chosen:
        raise UserError("clients.error.name_missing")
    check_name_chars(chosen)
    return chosen


def check_name_chars(name: str) -> None:
    """Refuse names with ``: " / \\ | ? *``.

    Raises:
        UserError: ``clients.error.name_char`` with the offending character as ``char``.
    """
    for char in name:
        if char in FORBIDDEN_NAME_CHARS:
            raise UserError("clients.error.name_char", char=char)


def clean_tags(tags: str | Iterable[str]) -> list[str]:
    """Tags from a comma-separated string or a list: trimmed, de-duplicated (case-insensitive),
    order kept.

    Raises:
        UserError: ``clients.error.tags`` when there are too many or one is too long.
    """
    raw = tags.split(",") if isinstance(tags, str) else list(tags)
    result: list[str] = []
    seen: set[str] = set()
    for tag in raw:
        text = clean_line(tag)
        if not text or text.casefold() in seen:
            continue
        if len(text) > MAX_TAG_CHARS:
            raise UserError("clients.error.tags", limit=MAX_TAG_CHARS, count=MAX_TAGS)
        seen.add(text.casefold())
        result.append(text)
    if len(result) > MAX_TAGS:
        raise UserError("clients.error.tags", limit=MAX_TAG_CHARS, count=MAX_TAGS)
    return result


@dataclass(frozen=True)
class FieldSpec:
    """A firm-defined custom field as the rules need it."""

    id: int
    label: str
    kind: CustomFieldKind
    options: tuple[str, ...] = ()


def custom_value(spec: FieldSpec, raw: str) -> str | int | float | None:
    """Parse what was typed for a custom field; None for an empty value.

    Numbers accept German and English decimal marks; dates ``TT.MM.JJJJ`` or ISO and are
    stored as ISO strings; a choice must be one of the options (case-insensitive).

    Raises:
        UserError: ``clients.error.field_number``/``field_date``/``field_choice``
            naming the field as ``field``.
    """
    text = clean_text(raw, MAX_FIELD_CHARS)
    if not text:
        return None
    if spec.kind == CustomFieldKind.NUMBER:
        number = _parse_number(text)
        if number is None:
            raise UserError("clients.error.field_number", field=spec.label)
        return int(number) if number == int(number) and abs(number) < 2**53 else number
    if spec.kind == CustomFieldKind.DATE:
        date = _parse_date(text)
        if date is None:
            raise UserError("clients.error.field_date", field=spec.label)
        return date.isoformat()
    if spec.kind == CustomFieldKind.CHOICE:
        for option in spec.options:
            if option.casefold() == text.casefold():
                return option
        raise UserError("clients.error.field_choice", field=spec.label, options=", ".join(spec.options))
    return text


def custom_values(specs: Sequence[FieldSpec], raw: Mapping[int, str]) -> dict[str, str | int | float]:
    """All custom values of a form or CSV line, keyed by field id (as JSON keys are strings).

    Raises:
        UserError: For the first value that does not parse.
    """
    values: dict[str, str | int | float] = {}
    for spec in specs:
        value = custom_value(spec, raw.get(spec.id, ""))
        if value is not None:
            values[str(spec.id)] = value
    return values


def _parse_number(text: str) -> float | None:
    compact = text.replace(" ", "").replace("\u00a0", "")
    if "," in compact and "." in compact:
        # The later mark is the decimal one: 1.234,56 or 1,234.56.
        if compact.rfind(",") > compact.rfind("."):
            compact = compact.replace(".", "").replace(",", ".")
        else:
            compact = compact.replace(",", "")
    else:
        compact = compact.replace(",", ".")
    try:
        number = float(compact)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _parse_date(text: str) -> dt.date | None:
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def clean_options(text: str | Iterable[str]) -> list[str]:
    """The options of a choice field (one per line or comma-separated), de-duplicated.

    Raises:
        UserError: ``clients.error.options`` when fewer than two remain.
    """
    raw = re.split(r"[\n,]", text) if isinstance(text, str) else list(text)
    options: list[str] = []
    for option in raw:
        value = clean_text(option, MAX_TAG_CHARS * 2)
        if value and value.casefold() not in {o.casefold() for o in options}:
            options.append(value)
    if len(options) < 2:
        raise UserError("clients.error.options")
    return options
