"""What an uploaded file really is, and names that are safe to show and store."""

import re
import unicodedata

RECEIPT_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/heic"}
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
MAX_FILENAME_CHARS = 180
SNIFF_BYTES = 32


def sniff(head: bytes) -> str | None:
    """The content type of a file from its first bytes, or None if unknown.

    The name and the browser's claim are ignored: a renamed executable stays unknown.

    Args:
        head: At least :data:`SNIFF_BYTES` bytes from the start (fewer for tiny files).
    """
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return None


_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "image/heic": ".heic"}


def safe_filename(name: str, content_type: str) -> str:
    """A display and download name without paths, control or direction characters.

    The extension is made to match the sniffed type, so ``rechnung.pdf.exe`` that is
    really a PDF becomes ``rechnung.pdf.pdf`` and never looks like a program.

    Args:
        name: The name the browser sent.
        content_type: The sniffed type.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Cc/Cf: control and format characters, incl. the RTL override used to fake extensions.
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch) not in ("Cc", "Cf"))
    base = re.sub(r"\s+", " ", base).strip(" .") or "datei"
    extension = _EXTENSIONS.get(content_type, "")
    stem = base[: -len(extension)] if extension and base.lower().endswith(extension) else base
    if content_type == "image/jpeg" and base.lower().endswith(".jpeg"):
        stem, extension = base[:-5], ".jpeg"
    return stem[: MAX_FILENAME_CHARS - len(extension)].rstrip(" .") + extension
