"""Sending one email over SMTP, configured by an ``SMTP_URL``."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Literal
from urllib.parse import unquote, urlsplit

from portal.notify.emails import Email

Security = Literal["plain", "starttls", "tls"]
_SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("plain", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}


@dataclass(frozen=True)
class SmtpSender:
    """Delivers emails to one SMTP server.

    Attributes:
        host: Server name or address.
        port: Server port.
        security: ``plain``, ``starttls`` (upgrade after connecting) or ``tls`` (implicit).
        username: Login for SMTP AUTH; empty = no authentication.
        password: Password for SMTP AUTH.
        timeout: Seconds to wait for the server on each network operation.
    """

    host: str
    port: int
    security: Security = "plain"
    username: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 20.0

    @classmethod
    def from_url(cls, url: str) -> SmtpSender:
        """Build a sender from ``smtp://``, ``smtp+starttls://`` or ``smtps://user:pass@host:port``.

        Args:
            url: The SMTP URL; user and password are percent-decoded (``%40`` is ``@``).

        Returns:
            The sender; the port defaults to 25, 587 or 465 by scheme.

        Raises:
            ValueError: If the scheme is unknown or the host is missing.
        """
        parts = urlsplit(url)
        if parts.scheme not in _SCHEMES:
            raise ValueError(f"SMTP URL must start with {', '.join(s + '://' for s in _SCHEMES)}.")
        if not parts.hostname:
            raise ValueError("SMTP URL has no host.")
        security, default_port = _SCHEMES[parts.scheme]
        return cls(
            host=parts.hostname,
            port=parts.port or default_port,
            security=security,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )

    def send(self, email: Email, *, mail_from: str) -> None:
        """Send ``email`` as multipart/alternative (text and HTML).

        Args:
            email: The rendered email.
            mail_from: The ``From`` header, e.g. ``Kanzlei <portal@kanzlei.de>``.

        Raises:
            OSError: If the server cannot be reached (``smtplib.SMTPException`` included).
        """
        message = EmailMessage()
        message["From"] = mail_from
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Date"] = formatdate(usegmt=True)
        # The sender's domain, not socket.getfqdn(): that can block on DNS in containers.
        message["Message-ID"] = make_msgid(domain=parseaddr(mail_from)[1].rpartition("@")[2] or None)
        message.set_content(email.text, charset="utf-8")
        message.add_alternative(email.html, subtype="html", charset="utf-8")

        context = ssl.create_default_context()
        if self.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.security == "starttls":
                client.starttls(context=context)
            if self.username:
                client.login(self.username, self.password)
            client.send_message(message)
