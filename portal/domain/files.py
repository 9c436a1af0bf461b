"""What an uploaded file really is, and names that are safe to show and store."""

import re
import unicodedata

RECEIPT_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/heic"}
# What the documents area accepts: receipts' types plus office files, archives and text.
# HTML and SVG are stored (clients send web pages and logos) but only ever downloaded.
DOCUMENT_TYPES = RECEIPT_TYPES | {
    "image/gif", "image/tiff", "image/webp", "application/zip", "application/x-ole-storage",
    "text/plain", "application/xml", "text/html", "image/svg+xml",
}
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
MAX_FILENAME_CHARS = 180
# Enough to tell text from binary; files shorter than this are sniffed whole.
SNIFF_BYTES = 512
# Programs are refused even when they would decode as text (scripts with a shebang).
_PROGRAMS = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")


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
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "application/zip"  # also .docx, .xlsx, .odt: all zip containers
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/x-ole-storage"  # old .doc, .xls, Outlook .msg
    if head.startswith(_PROGRAMS):
        return None
    return _sniff_text(head)


def _sniff_text(head: bytes) -> str | None:
    if not head or b"\x00" in head:
        return None
    try:
        # The head may end inside a multi-byte character.
        text = head.decode("utf-8", errors="strict") if len(head) < SNIFF_BYTES else head[:-3].decode("utf-8")
    except UnicodeDecodeError:
        text = head.decode("cp1252", errors="replace")
    if any(ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text):
        return None
    start = text.lstrip("\ufeff \t\r\n").lower()
    if start.startswith(("<!doctype html", "<html")):
        return "text/html"
    if "<svg" in start[:SNIFF_BYTES]:
        return "image/svg+xml"
    if start.startswith("<?xml"):
        return "application/xml"
    return "text/plain"


_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png", "image/heic": ".heic",
               "image/gif": ".gif", "image/tiff": ".tif", "image/webp": ".webp", "application/zip": ".zip",
               "application/x-ole-storage": ".doc", "text/plain": ".txt", "application/xml": ".xml",
               "text/html": ".html", "image/svg+xml": ".svg"}
# Names that may keep their own extension because it is one of the sniffed type's family.
_FAMILY = {
    "application/zip": (".zip", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"),
    "application/x-ole-storage": (".doc", ".xls", ".ppt", ".msg"),
    "text/plain": (".txt", ".csv", ".json", ".md", ".tsv"),
    "application/xml": (".xml",),
    "image/tiff": (".tif", ".tiff"),
    "text/html": (".html", ".htm"),
}


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
    own = next((e for e in (*_FAMILY.get(content_type, ()), ".jpeg") if base.lower().endswith(e)), None)
    if own and (own != ".jpeg" or content_type == "image/jpeg"):
        extension = base[-len(own):]
    stem = base[: -len(extension)] if extension and base.lower().endswith(extension.lower()) else base
    return stem[: MAX_FILENAME_CHARS - len(extension)].rstrip(" .") + extension
