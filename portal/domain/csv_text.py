"""Reading spreadsheet exports: bytes to lines to records, with a line-numbered problem report.

Shared by the bookings import and the client import; pure functions, no DB or Reflex.
The encodings (UTF-8 with or without BOM, Windows-1252, UTF-16 with BOM), line breaks,
strict quoting and separator detection are described in :mod:`portal.domain.booking_import`.
Problems carry an ``import.*`` message key rendered with ``line``, ``column`` and ``value``.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from portal.domain.text import clean_line

MAX_PROBLEMS = 200
"""At most this many problems are reported, then one ``import.too_many_problems``."""


PROGRESS_EVERY = 500


MAX_VALUE_SHOWN = 80
"""Problem values are cut to this length: they are shown to the user, not stored."""


Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class LineProblem:
    """Something wrong with the file.

    Attributes:
        line: 1-based physical line number, as an editor or Excel shows it; for a record
            spanning several lines, the line where it starts.
        column: The column name as written in the file ("" for whole-line problems;
            the expected name for a missing column; the DATEV field name for header
            problems).
        message_key: An ``import.*`` message key.
        value: The offending value (shortened), or a detail the message shows.
    """

    line: int
    column: str
    message_key: str
    value: str


class TooManyProblems(Exception):
    """Stops parsing once the report is full; caught inside :func:`parse_bookings`."""


class Problems:
    """Collects problems and stops the parse when :data:`MAX_PROBLEMS` is exceeded."""

    def __init__(self) -> None:
        self.items: list[LineProblem] = []

    def add(self, line: int, column: str, key: str, value: str = "") -> None:
        """Record a problem; raise :class:`TooManyProblems` when the report is full."""
        if len(self.items) >= MAX_PROBLEMS:
            self.items.append(LineProblem(line, "", "import.too_many_problems", str(MAX_PROBLEMS)))
            raise TooManyProblems
        self.items.append(LineProblem(line, column, key, shorten(value)))


def shorten(value: str) -> str:
    """Cut a value for display; a 5000-character cell would flood the report."""
    value = value.strip()
    return value if len(value) <= MAX_VALUE_SHOWN else value[: MAX_VALUE_SHOWN - 1] + "…"


def report_end(progress: Progress | None, total: int) -> None:
    """Tell the progress bar that everything is done."""
    if progress is not None:
        progress(total, total)


def decode(data: bytes) -> str | None:
    """Decode the upload; None when it is not a text file."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    elif b"\x00" in data:
        return None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            # Excel's "CSV (Trennzeichen-getrennt)" on German Windows writes cp1252.
            # Its five unassigned bytes become U+FFFD instead of failing the whole file.
            text = data.decode("cp1252", errors="replace")
    return None if looks_binary(text) else text


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f]")


def looks_binary(text: str) -> bool:
    """True for NULs or many control characters (a stray ^Z or two is still text)."""
    sample = text[:8192]
    return "\x00" in text or len(_CONTROL.findall(sample)) > max(2, len(sample) // 100)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Split on CRLF, CR or LF only.

    ``str.splitlines`` would also split on form feeds, U+2028 and others, which
    editors do not count as lines, and the line numbers would drift.
    """
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()  # the final line break does not start a new line
    return lines


_SEPARATORS = (";", "\t", ",")  # order breaks ties: ";" is what German Excel writes


def detect_separator(line: str) -> str:
    """Return the separator found most often outside double quotes in ``line``.

    Args:
        line: Usually the header line.

    Returns:
        ``";"``, ``"\\t"`` or ``","``; ``";"`` when none occurs.
    """
    counts = dict.fromkeys(_SEPARATORS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted  # a doubled quote toggles twice: still right
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(_SEPARATORS, key=lambda sep: counts[sep])  # max keeps the first on ties
    return best if counts[best] else ";"


def split_one(line: str, separator: str) -> list[str]:
    """Split a single line into fields (header lines; no multi-line records there)."""
    try:
        return next(csv.reader([line], delimiter=separator), [])
    except csv.Error:
        return []


class Records:
    """CSV records from ``lines[start:]`` with the physical line each one starts on."""

    def __init__(self, lines: Sequence[str], start: int, separator: str) -> None:
        self._lines = lines
        self._start = start
        self._separator = separator
        self.done = 0
        """Physical lines consumed after ``start``."""

    @property
    def progress(self) -> tuple[int, int]:
        """Lines of the file read so far and in total, for the progress bar."""
        return self._start + self.done, len(self._lines)

    def __iter__(self) -> Iterator[tuple[int, list[str] | None]]:
        """Yield ``(line, fields)``; ``fields`` is None for a record with broken quoting.

        Strict mode: without it an unclosed quote silently swallows the following lines
        into one cell, and bookings would vanish without a word. After an error the
        reader goes on with the next line.
        """
        source = (line + "\n" for line in self._lines[self._start :])
        reader = csv.reader(source, delimiter=self._separator, strict=True)
        while True:
            line = self._start + self.done + 1
            try:
                fields: list[str] | None = next(reader)
            except StopIteration:
                return
            except csv.Error:
                fields = None
            self.done = reader.line_num
            yield line, fields


def is_blank(fields: Sequence[str]) -> bool:
    """Empty lines and Excel's ``;;;;`` rows carry no booking."""
    return all(not field.strip() for field in fields)


class ProgressTicker:
    """Calls ``progress`` every :data:`PROGRESS_EVERY` data records."""

    def __init__(self, progress: Progress | None, records: Records) -> None:
        self._progress = progress
        self._records = records
        self._count = 0

    def tick(self) -> None:
        """Count one data record."""
        self._count += 1
        if self._progress is not None and self._count % PROGRESS_EVERY == 0:
            self._progress(*self._records.progress)


def data_records(lines: list[str], start: int, separator: str, *, width: int, pad: bool, problems: Problems,
                 progress: Progress | None, empty_key: str = "import.no_rows") -> Iterator[tuple[int, list[str]]]:
    """The data records below the heading line ``start`` (1-based), ready to parse.

    Reports broken quoting and wrong field counts, skips blank records, ticks the
    progress, and reports a file without any data record once exhausted.

    Yields:
        (line number where the record starts, its fields)
    """
    records = Records(lines, start, separator)
    ticker = ProgressTicker(progress, records)
    data_rows = 0
    for line, fields in records:
        if fields is None:
            problems.add(line, "", "import.bad_quotes")
            continue
        if is_blank(fields):
            continue
        data_rows += 1
        ticker.tick()
        if fits_header(fields, width, line, problems, pad=pad):
            yield line, fields
    if data_rows == 0 and not problems.items:
        problems.add(start, "", empty_key)


_YES = frozenset(("ja", "j", "yes", "y", "true", "wahr", "1", "x", "oui"))


_NO = frozenset(("nein", "n", "no", "false", "falsch", "0", "", "non"))


def parse_flag(value: str) -> bool | None:
    """Yes/no cell to bool (empty is no); None when it is neither."""
    text = value.strip().casefold()
    return True if text in _YES else False if text in _NO else None


_FORMULA_STARTS = ("=", "+", "-", "@")


def clean_cell(value: str) -> str:
    """Trim, collapse white space (line breaks too), drop invisible characters
    (:func:`portal.domain.text.clean_line`) and undo CSV-injection quoting."""
    text = clean_line(value)
    if text.startswith("'") and text[1:2] in _FORMULA_STARTS:
        text = text[1:]  # our export's neutralise_formula() added it
    return text


_UNIT_SUFFIX = re.compile(r"\s*\([^()]*\)$")


def normalize_header(name: str) -> str:
    """Case-folded, single-spaced, without a trailing unit such as ``(EUR)``."""
    return _UNIT_SUFFIX.sub("", " ".join(name.split()).casefold())


def map_columns(header: Sequence[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Field name to column index; per field the best-ranked alias wins."""
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        positions.setdefault(normalize_header(name), index)  # first of duplicates
    found: dict[str, int] = {}
    for field, names in aliases.items():
        for name in names:
            if name in positions:
                found[field] = positions[name]
                break
    return found


SEP_LINE = re.compile(r'"?sep=(.)"?', re.IGNORECASE)


def fits_header(
    fields: list[str], expected: int, line: int, problems: Problems, *, pad: bool
) -> bool:
    """Check the field count; extra empty fields are fine, short rows only if ``pad``.

    Pads ``fields`` in place to ``expected`` entries when allowed.
    """
    extra = fields[expected:]
    if len(fields) < expected and pad:
        fields.extend([""] * (expected - len(fields)))
        return True
    if len(fields) < expected or not is_blank(extra):
        problems.add(line, "", "import.wrong_field_count", f"{len(fields)}/{expected}")
        return False
    return True
