"""Read client accounts and their contacts from an uploaded CSV file.

Pure functions: bytes in, :class:`ClientFile` out. The file is read like the bookings
import (:mod:`portal.domain.csv_text`: UTF-8 with or without BOM, Windows-1252, UTF-16,
``;``/``,``/tab, Excel's ``sep=`` line). A file that mixes encodings (UTF-8 umlauts on
some lines, Windows-1252 on others, as happens when two exports are pasted together) is
refused with the lines that are not UTF-8, instead of importing garbled names.

One line is one contact of one account. Lines with the same account name (as typed in
"Kontoname", else the company name, else the contact's name; case-insensitive) belong to
one account: the first of them gives the account's data, each adds a contact. The same
email address on several lines is one contact linked to several accounts.

This module checks the file's structure and the cell formats (account type, yes/no
toggles, email syntax, DATEV client number). The account and contact rules (names,
forbidden characters, tags, custom field values, known addresses) are the services'
own, applied per line by :mod:`portal.services.client_import`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from portal.domain.addresses import clean_address
from portal.domain.csv_text import (
    SEP_LINE,
    LineProblem,
    Problems,
    Progress,
    TooManyProblems,
    clean_cell,
    data_records,
    decode,
    detect_separator,
    map_columns,
    normalize_header,
    parse_flag,
    report_end,
    split_lines,
    split_one,
)
from portal.domain.enums import AccountKind

MAX_CLIENT_NUMBER = 99_999_999

ALIASES: dict[str, tuple[str, ...]] = {
    "kind": ("kontotyp", "typ", "art", "account type", "type", "type de compte"),
    "account_name": ("kontoname", "mandant", "mandantenname", "account name", "account", "nom du compte"),
    "company_name": ("firmenname", "firma", "unternehmen", "company", "company name", "entreprise"),
    "company_address": ("firmenadresse", "company address", "adresse de l'entreprise"),
    "tags": ("schlagwörter", "schlagworte", "tags", "étiquettes"),
    "client_number": ("mandantennummer", "datev-mandantennummer", "client number", "numéro de client"),
    "accountants": ("buchhalter", "zuständig", "accountants", "comptables"),
    "first_name": ("vorname", "first name", "firstname", "prénom"),
    "last_name": ("nachname", "last name", "lastname", "surname", "nom"),
    "email": ("e-mail", "email", "e-mail-adresse", "mail", "courriel"),
    "phone": ("telefon", "telefonnummer", "phone", "tel", "téléphone"),
    "address": ("adresse", "anschrift", "address"),
    "contact_tags": ("kontakt-schlagwörter", "contact tags", "étiquettes du contact"),
    "login": ("login", "portalzugang"),
    "notify": ("notify", "benachrichtigungen"),
    "sync": ("sync",),
    "full_access": ("voller zugriff", "full access", "accès complet"),
}
"""Accepted column names per field, best first, in ``normalize_header`` form."""

NAME_COLUMNS = "Kontoname, Firmenname, Vorname/Nachname"
"""Reported when a file has no column that names an account."""

_KINDS = {
    AccountKind.COMPANY: ("unternehmen", "firma", "company", "gesellschaft", "entreprise", "société"),
    AccountKind.INDIVIDUAL: ("privatperson", "einzelperson", "person", "privat", "individual", "particulier"),
}
_SPLIT_LIST = re.compile(r"[,;\n]")


@dataclass(frozen=True)
class ClientRow:
    """One line: an account's data and one of its contacts, cells cleaned but not yet ruled on."""

    line: int
    kind: AccountKind
    account_name: str = ""
    company_name: str = ""
    company_address: str = ""
    tags: str = ""
    client_number: int | None = None
    accountants: tuple[str, ...] = ()
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    contact_tags: str = ""
    login: bool = True
    notify: bool = True
    sync: bool = False
    full_access: bool = True
    account_custom: dict[str, str] = field(default_factory=dict)
    contact_custom: dict[str, str] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    """Field name to the column name as written in the file, for problem reports."""

    @property
    def has_contact(self) -> bool:
        """Whether the line names a contact at all."""
        return bool(self.first_name or self.last_name or self.email)


@dataclass(frozen=True)
class ClientFile:
    """The lines that parsed and every problem found."""

    rows: tuple[ClientRow, ...]
    problems: tuple[LineProblem, ...]


def parse_clients(data: bytes, *, account_fields: Sequence[str] = (), contact_fields: Sequence[str] = (),
                  progress: Progress | None = None) -> ClientFile:
    """Parse an uploaded client list.

    Args:
        data: The raw file.
        account_fields: Labels of the firm's custom fields for accounts; columns with these
            names fill them.
        contact_fields: The same for contacts (an account field of the same label wins).
        progress: Called as ``progress(done_lines, total_lines)`` while reading.

    Returns:
        The parsed lines and the problems (``import.*`` keys, see ``portal/i18n``).
    """
    problems = Problems()
    rows: list[ClientRow] = []
    with contextlib.suppress(TooManyProblems):
        mixed = mixed_encoding_lines(data)
        if mixed:
            for line in mixed:
                problems.add(line, "", "import.mixed_encoding")
            report_end(progress, 0)
            return ClientFile((), tuple(problems.items))
        text = decode(data)
        if text is None:
            problems.add(1, "", "import.not_text")
            report_end(progress, 0)
            return ClientFile((), tuple(problems.items))
        lines = split_lines(text)
        _parse(lines, account_fields, contact_fields, problems, rows, progress)
        report_end(progress, len(lines))
    return ClientFile(tuple(rows), tuple(problems.items))


def mixed_encoding_lines(data: bytes) -> list[int]:
    """Lines that are not UTF-8 in a file whose other lines use UTF-8 umlauts; [] otherwise.

    A file that is Windows-1252 throughout (no UTF-8 multi-byte sequence anywhere) or UTF-8
    throughout is not mixed; UTF-16 files are never mixed.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return []
    bad, utf8_seen = [], False
    for number, raw in enumerate(re.split(rb"\r\n|\r|\n", data), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            bad.append(number)
        else:
            utf8_seen = utf8_seen or any(byte >= 0x80 for byte in raw)
    return bad if bad and utf8_seen else []


def _find_header(lines: Sequence[str]) -> tuple[int, str] | None:
    """The first non-empty line (after Excel's ``sep=`` hint) and its separator."""
    forced = None
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if forced is None and (match := SEP_LINE.fullmatch(line.strip())):
            forced = match.group(1)
            continue
        return index, forced or detect_separator(line)
    return None


def _parse(lines: list[str], account_fields: Sequence[str], contact_fields: Sequence[str], problems: Problems,
           rows: list[ClientRow], progress: Progress | None) -> None:
    found = _find_header(lines)
    if found is None:
        problems.add(1, "", "import.no_clients")
        return
    index, separator = found
    header = [name.strip() for name in split_one(lines[index], separator)]
    while header and not header[-1]:
        header.pop()
    columns = map_columns(header, ALIASES)
    custom = _custom_columns(header, columns, account_fields, contact_fields)
    if not {"account_name", "company_name", "first_name", "last_name"} & columns.keys():
        problems.add(index + 1, "Kontoname", "import.missing_column", NAME_COLUMNS)
        return
    for line, fields in data_records(lines, index + 1, separator, width=len(header), pad=False, problems=problems,
                                     progress=progress, empty_key="import.no_clients"):
        row = _Line(fields, line, header, columns, problems).read(custom)
        if row is not None:
            rows.append(row)


def _custom_columns(header: Sequence[str], columns: dict[str, int], account_fields: Sequence[str],
                    contact_fields: Sequence[str]) -> dict[int, tuple[str, str]]:
    """Column index to (target, field label) for columns named like a custom field."""
    taken = set(columns.values())
    by_name = {normalize_header(label): ("contact", label) for label in contact_fields}
    by_name.update({normalize_header(label): ("account", label) for label in account_fields})
    return {i: by_name[normalize_header(name)] for i, name in enumerate(header)
            if i not in taken and normalize_header(name) in by_name}


class _Line:
    """One record's cells by field name, reporting problems with line and column."""

    def __init__(self, fields: Sequence[str], line: int, header: Sequence[str], columns: dict[str, int],
                 problems: Problems) -> None:
        self.fields, self.line, self.header, self.columns, self.problems = fields, line, header, columns, problems
        self.failed = False

    def cell(self, name: str) -> str:
        return clean_cell(self.fields[self.columns[name]]) if name in self.columns else ""

    def fail(self, name: str, key: str) -> None:
        self.failed = True
        self.problems.add(self.line, self.header[self.columns[name]], key, self.cell(name))

    def flag(self, name: str, default: bool) -> bool:
        value = self.cell(name)
        if not value:
            return default
        parsed = parse_flag(value)
        if parsed is None:
            self.fail(name, "import.bad_flag")
            return default
        return parsed

    def kind(self, company_name: str) -> AccountKind:
        value = self.cell("kind").casefold()
        if not value:
            return AccountKind.COMPANY if company_name else AccountKind.INDIVIDUAL
        for kind, names in _KINDS.items():
            if value in names:
                return kind
        self.fail("kind", "import.bad_kind")
        return AccountKind.COMPANY

    def email(self) -> str:
        value = self.cell("email")
        if value and clean_address(value) is None:
            self.fail("email", "import.bad_email")
        return value

    def client_number(self) -> int | None:
        value = self.cell("client_number")
        if not value:
            return None
        if not value.isdigit() or not 1 <= int(value) <= MAX_CLIENT_NUMBER:
            self.fail("client_number", "import.bad_client_number")
            return None
        return int(value)

    def read(self, custom: dict[int, tuple[str, str]]) -> ClientRow | None:
        company = self.cell("company_name")
        # Checked in the order of the usual columns, so the report reads left to right.
        kind, email = self.kind(company), self.email()
        # Portal access needs an address; without one LOGIN defaults to off.
        login, notify, sync = self.flag("login", bool(email)), self.flag("notify", True), self.flag("sync", False)
        full_access, client_number = self.flag("full_access", True), self.client_number()
        account_custom = {label: clean_cell(self.fields[i]) for i, (target, label) in custom.items()
                          if target == "account" and self.fields[i].strip()}
        contact_custom = {label: clean_cell(self.fields[i]) for i, (target, label) in custom.items()
                          if target == "contact" and self.fields[i].strip()}
        row = ClientRow(
            line=self.line, kind=kind, account_name=self.cell("account_name"), company_name=company,
            company_address=self.cell("company_address"), tags=self.cell("tags"),
            client_number=client_number,
            accountants=tuple(p.strip() for p in _SPLIT_LIST.split(self.cell("accountants")) if p.strip()),
            first_name=self.cell("first_name"), last_name=self.cell("last_name"), email=email,
            phone=self.cell("phone"), address=self.cell("address"), contact_tags=self.cell("contact_tags"),
            login=login, notify=notify, sync=sync, full_access=full_access, account_custom=account_custom,
            contact_custom=contact_custom,
            columns={name: self.header[i] for name, i in self.columns.items()},
        )
        return None if self.failed else row
