"""E-mail of notices: the rows still ``pending`` are sent over the company's SMTP server after their commit.

A notice whose recipient has no address is ``none`` from the start; a server that refuses the recipient marks
it ``failed`` with the reason; a server that is down or not configured leaves it ``pending`` for the next round.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass

import structlog
from sqlalchemy import Engine, select, update

from central.documents.mail import Letter, MailError, send_mail
from central.documents.settings import DocumentSettings
from central.store.schema import notifications, users

log = structlog.get_logger(__name__)
n = notifications.c


@dataclass(frozen=True)
class Delivery:
    sent: int
    failed: int
    waiting: int


def deliver_pending(engine: Engine, settings: DocumentSettings, now: dt.datetime, limit: int = 100) -> Delivery:
    """Mail the pending notices: ``deliver_pending(engine, DocumentSettings(), now)``."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(n.id, n.subject, n.body, n.link, users.c.email)
            .join(users, users.c.id == n.user_id)
            .where(n.mail_status == "pending")
            .order_by(n.id)
            .limit(limit)
        ).all()
    if not rows or not settings.smtp_host:
        return Delivery(0, 0, len(rows))
    sent = failed = waiting = 0
    for row in rows:
        body = row.body + (f"\n\nОткрыть: {row.link}" if row.link else "")
        try:
            send_mail(settings, Letter(to=row.email, subject=row.subject, body=body))
        except MailError as exc:
            refused = isinstance(exc.__cause__, smtplib.SMTPRecipientsRefused | smtplib.SMTPDataError)
            values: dict[str, object] = {"mail_error": str(exc)}
            if refused:
                values["mail_status"] = "failed"
                failed += 1
            else:
                waiting += 1
            with engine.begin() as conn:
                conn.execute(update(notifications).where(n.id == row.id).values(**values))
            log.warning("notice_not_mailed", notice=row.id, error=str(exc))
            if not refused:
                break  # the server is down: the rest waits for the next round
            continue
        with engine.begin() as conn:
            conn.execute(
                update(notifications).where(n.id == row.id).values(mail_status="sent", mailed_at=now, mail_error=None)
            )
        sent += 1
    return Delivery(sent, failed, waiting)
