"""Writing and reading the in-app inbox.

``notify`` runs inside the caller's transaction, so a notice exists exactly when the fact it tells about was
committed; e-mail goes out afterwards (``central.notifications.delivery``) from the rows still ``pending``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, insert, or_, select, update

from central.store.schema import notifications, users

n = notifications.c


@dataclass(frozen=True)
class Notice:
    """One line of a user's inbox."""

    id: int
    kind: str
    subject: str
    body: str
    link: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None
    mail_status: str


def recipients(conn: Connection, users_: Collection[int] = (), roles: Collection[str] = ()) -> list[int]:
    """Active users named or holding one of the roles: ``recipients(conn, roles=["dispatcher"])``."""
    if not users_ and not roles:
        return []
    u = users.c
    rows = conn.execute(
        select(u.id).where(u.active.is_(True), or_(u.id.in_(list(users_)), u.role.in_(list(roles)))).order_by(u.id)
    )
    return [int(r.id) for r in rows]


def notify(
    conn: Connection,
    *,
    kind: str,
    subject: str,
    body: str,
    now: dt.datetime,
    link: str | None = None,
    users: Collection[int] = (),
    roles: Collection[str] = (),
) -> list[int]:
    """Tell people something; the new notices' ids.

    ``notify(conn, roles=["dispatcher", "logistician"], kind="pick_completed", subject="Заказ З-00012 собран",
    body="…", link="/dispatch/board", now=now)``. Each person gets one notice even when named twice.
    """
    ids: list[int] = []
    emails = _emails(conn, recipients(conn, users, roles))
    for user_id, email in emails.items():
        ids.append(
            conn.execute(
                insert(notifications)
                .values(
                    user_id=user_id, kind=kind, subject=subject[:300], body=body, link=link, created_at=now,
                    mail_status="pending" if email else "none",
                )
                .returning(n.id)
            ).scalar_one()
        )  # fmt: skip
    return ids


def _emails(conn: Connection, user_ids: Sequence[int]) -> dict[int, str | None]:
    if not user_ids:
        return {}
    rows = conn.execute(select(users.c.id, users.c.email).where(users.c.id.in_(user_ids)).order_by(users.c.id))
    return {int(r.id): (r.email or None) for r in rows}


def inbox(conn: Connection, user_id: int, *, unread_only: bool = False, limit: int = 200) -> list[Notice]:
    """A user's notices, newest first: ``inbox(conn, user.id, unread_only=True)``."""
    query = select(n.id, n.kind, n.subject, n.body, n.link, n.created_at, n.read_at, n.mail_status).where(
        n.user_id == user_id
    )
    if unread_only:
        query = query.where(n.read_at.is_(None))
    rows = conn.execute(query.order_by(n.id.desc()).limit(limit))
    return [Notice(**r._asdict()) for r in rows]


def unread_count(conn: Connection, user_id: int) -> int:
    """How many notices the user has not read: ``unread_count(conn, user.id)``."""
    query = select(func.count()).select_from(notifications).where(n.user_id == user_id, n.read_at.is_(None))
    return int(conn.execute(query).scalar_one())


def mark_read(conn: Connection, user_id: int, now: dt.datetime, ids: Collection[int] | None = None) -> int:
    """Mark the user's notices read (all of them when ``ids`` is None); how many changed."""
    where = and_(n.user_id == user_id, n.read_at.is_(None))
    if ids is not None:
        where = and_(where, n.id.in_(list(ids)))
    return conn.execute(update(notifications).where(where).values(read_at=now)).rowcount
