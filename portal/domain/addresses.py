"""Email addresses typed in by staff: a pragmatic check, not the whole of RFC 5322.

An address goes into an email header, so anything that could break the header
(line breaks, commas, angle brackets) is refused along with plain typos.
"""

import re

MAX_ADDRESS_CHARS = 254
MAX_LOCAL_CHARS = 64
_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+")
# Letters of any script (internationalised domains), digits and hyphens per label.
_LABEL = re.compile(r"[^\W_](?:(?:[^\W_]|-)*[^\W_])?")


def clean_address(text: str) -> str | None:
    """The address as stored (trimmed, domain in lower case), or None if it is not one.

    Args:
        text: What was typed.
    """
    address = text.strip()
    if not address or len(address) > MAX_ADDRESS_CHARS or address.count("@") != 1:
        return None
    local, domain = address.split("@")
    if not local or len(local) > MAX_LOCAL_CHARS or not _LOCAL.fullmatch(local) or ".." in local \
            or local.startswith(".") or local.endswith("."):
        return None
    labels = domain.lower().split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) and len(label) <= 63 for label in labels):
        return None
    if labels[-1].isdigit():
        return None  # a bare IP address is never what staff mean
    return f"{local}@{'.'.join(labels)}"
