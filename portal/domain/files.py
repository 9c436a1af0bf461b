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
MAX_FILENAME_BYTES = 255
# Enough to tell text from binary; files shorter than this are sniffed whole.
SNIFF_BYTES = 512
# Programs are refused even when they would decode as text (scripts with a shebang):
# Windows (MZ), Linux (ELF), macOS (Mach-O 32/64 bit in both byte orders, universal).
_PROGRAMS = (b"MZ", b"\x7fELF", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xce",
             b"\xfe\xed\xfa\xcf", b"\xca\xfe\xba\xbe", b"#!")
# What a browser's own sniffing takes for a web page (WHATWG MIME Sniffing, "HTML"
# patterns): such text is HTML here too, so it is never handed out as plain text.
_HTML_STARTS = ("<!doctype html", "<html", "<head", "<script", "<iframe", "<h1", "<div", "<font", "<table", "<a",
                "<style", "<title", "<b", "<body", "<br", "<p", "<!--")


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
    if any(start.startswith(tag) and start[len(tag):len(tag) + 1] in (" ", ">") for tag in _HTML_STARTS):
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
    """A display and download name without paths, control, direction or zero-width
    characters, at most :data:`MAX_FILENAME_CHARS` characters and
    :data:`MAX_FILENAME_BYTES` bytes of UTF-8.

    The extension is made to match the sniffed type, so ``rechnung.pdf.exe`` that is
    really a PDF becomes ``rechnung.pdf.pdf`` and never looks like a program.

    Args:
        name: The name the browser sent.
        content_type: The sniffed type.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    # Cc/Cf: control and format characters, incl. the RTL override used to fake extensions.
    # Cs: lone surrogates (from JSON) that no encoder takes.
    base = "".join(ch for ch in base if unicodedata.category(ch) not in ("Cc", "Cf", "Cs"))
    base = unicodedata.normalize("NFC", base)
    base = re.sub(r"\s+", " ", base).strip(" .") or "datei"
    extension = _EXTENSIONS.get(content_type, "")
    own = next((e for e in (*_FAMILY.get(content_type, ()), ".jpeg") if base.lower().endswith(e)), None)
    if own and (own != ".jpeg" or content_type == "image/jpeg"):
        extension = base[-len(own):]
    stem = base[: -len(extension)] if extension and base.lower().endswith(extension.lower()) else base
    stem = stem[: MAX_FILENAME_CHARS - len(extension)]
    # Also within what file systems take (255 bytes on ext4 and APFS): 180 emoji are 720.
    while len((stem + extension).encode("utf-8")) > MAX_FILENAME_BYTES:
        stem = stem[:-1]
    return (stem.rstrip(" .") or "datei") + extension


# Types a browser renders or runs (PDF viewer, image decoder) whose bytes must hold
# nothing else: markup or a script opening inside them makes a polyglot, a file that is
# a valid receipt and a web page or script at once.
POLYGLOT_CHECKED = RECEIPT_TYPES | {"image/gif", "image/tiff", "image/webp"}
# Markup that runs script in a page. Short tag names alone (<svg, <img) would turn up by
# chance in a few of every thousand large photos, so those count only with an event
# handler attribute (onload=, onerror=...) before the tag ends.
# Matched against lower-cased bytes (much faster than re.IGNORECASE on binary data).
_ACTIVE_MARKUP = re.compile(
    rb"<(?:script|iframe|object|embed|html|body|!doctype\s+html)[\s/>]"
    rb"|<[a-z][a-z0-9]*[^>]{0,200}?[\s/\"']on[a-z]{3,}\s*=")
_SCRIPT_URL = b"javascript:"
# A match may start this far back in the previous chunk.
_MARKUP_REACH = 256


class PolyglotScan:
    """Looks through a receipt or image as it streams by for a second, active format.

    Two signs of a polyglot, refused by :meth:`feed`:

    * The header continues as a JavaScript comment or assignment: ``GIF89a/*``,
      ``GIF89a=``, a JPEG whose first segment length reads ``/*``. Browsers decoding
      the file as Latin-1 script see an identifier, then the code.
    * Markup that runs script (:data:`_ACTIVE_MARKUP`) or a ``javascript:`` address
      anywhere in the bytes, e.g. an HTML page after a PDF header.

    PDF JavaScript of its own (form calculations) is not looked for: that is a PDF
    feature, fillable forms from authorities use it, and the portal never opens the file
    (downloads are attachments).
    """

    def __init__(self, content_type: str) -> None:
        """Scan files of ``content_type``; other types pass unscanned."""
        self.active = content_type in POLYGLOT_CHECKED
        self._tail = b""
        self._first = True

    def feed(self, chunk: bytes) -> bool:
        """Look at the next bytes; True as soon as the file shows a second format."""
        if not self.active or not chunk:
            return False
        data = self._tail + chunk
        if self._first and len(data) >= 8:
            self._first = False
            if data.startswith((b"GIF87a", b"GIF89a")) and (data[6:8] == b"/*" or data[6:7] == b"="):
                return True
            if data.startswith(b"\xff\xd8\xff") and data[4:6] == b"/*":
                return True
        lowered = data.lower()
        if _SCRIPT_URL in lowered or _ACTIVE_MARKUP.search(lowered):
            return True
        self._tail = data[-_MARKUP_REACH:]
        return False
