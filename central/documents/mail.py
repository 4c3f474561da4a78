"""E-mail of documents over SMTP (ORD-7: the manager sends the contract to the customer).

``send_mail(smtp, Letter(...))`` speaks to the SMTP server the company names in its settings
(``smtp_host``, ``smtp_port``, ``smtp_starttls``, ``smtp_user``/``smtp_password``, ``mail_from``).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid

from central.documents.settings import DocumentSettings

SMTP_TIMEOUT = 30  # seconds; a stuck server must not hold a request thread for ever


class MailError(Exception):
    """The letter was not sent; the message says why, for the manager."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    maintype: str
    subtype: str


@dataclass(frozen=True)
class Letter:
    """``Letter(to="buyer@example.ru", subject="Договор", body="…", attachments=[…])``."""

    to: str
    subject: str
    body: str
    attachments: list[Attachment] = field(default_factory=list)


def build_message(sender: str, letter: Letter) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = letter.to
    message["Subject"] = letter.subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(letter.body)
    for a in letter.attachments:
        message.add_attachment(a.data, maintype=a.maintype, subtype=a.subtype, filename=a.filename)
    return message


def send_mail(settings: DocumentSettings, letter: Letter) -> str:
    """Send the letter; its Message-ID. ``MailError`` when SMTP is not set up or the server refuses."""
    if not settings.smtp_host:
        raise MailError("Почта не настроена: укажите smtp_host в настройках центрального сервера")
    message = build_message(settings.mail_from, letter)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"Письмо не отправлено: {exc}") from exc
    return str(message["Message-ID"])
