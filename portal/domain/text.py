"""Typed text as it is stored: nothing invisible, nothing the database refuses.

Every service that stores what a user typed (names, subjects, messages, notes) runs it
through :func:`clean_line` or :func:`clean_block` before checking its length:

* Control characters (Unicode category Cc) go: NUL ends a Postgres text literal with an
  error, the others are invisible or break exports. A block keeps line breaks and tabs.
* Lone surrogates (Cs) go: JSON from the browser may carry ``"\\ud800"``, which no
  UTF-8 database or encoder accepts.
* Format characters (Cf) go: the bidi overrides, embeddings, isolates and marks
  (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F, U+061C) make text read differently
  from what it is (``rechnung\\u202efdp.exe``), and the zero-width ones (U+200B, U+2060,
  U+FEFF, soft hyphen) make two different names look the same. Messages keep the two
  joiners U+200C and U+200D: emoji sequences and Persian or Indic writing need them.
* NFC, so a name typed on a Mac (decomposed umlauts) equals the same name typed on
  Windows, in searches as in duplicate checks.

Markup is not touched: ``<script>`` is stored as those characters and shown as text
(React escapes every string it renders; no page renders user text as HTML or Markdown).
"""

from __future__ import annotations

import re
import unicodedata

_JOINERS = frozenset("\u200c\u200d")
_SPACES = re.compile(r"\s+")
_LINE_ENDS = re.compile(r"\r\n?|[\u2028\u2029]")


def _visible(text: str, *, keep: frozenset[str] | set[str] = frozenset()) -> str:
    return "".join(ch for ch in text if ch in keep or unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))


def clean_line(value: str | None) -> str:
    """One line: invisible characters removed, white space (line breaks too) collapsed, trimmed."""
    # Spaces first: a line break between two words must leave a space, not join them.
    text = _visible(_SPACES.sub(" ", value or ""))
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def clean_block(value: str | None) -> str:
    """Several lines: line breaks (CRLF, CR) made LF, tabs kept, invisible characters removed, trimmed."""
    text = _visible(_LINE_ENDS.sub("\n", value or ""), keep={"\n", "\t", *_JOINERS})
    return unicodedata.normalize("NFC", text).strip()
