"""Signed documents not back in time (LOG-2): a reminder a day to the logisticians and the order's manager.

``remind_documents(engine, now, settings)`` is a job of central's clock (``central.app.jobs``): every shipment
whose signed documents are due (``service.due_on``) and not returned gets one notice on its due day and one on
each later day until they are marked returned; ``dispatches.last_reminded_at`` keeps it to once a Moscow day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, select, update

from central.jobs import Job
from central.logistics.service import due_on, local_day
from central.logistics.settings import LogisticsSettings
from central.notifications.inbox import notify
from central.store import schema as s

d = s.dispatches.c


def remind_documents(engine: Engine, now: dt.datetime, settings: LogisticsSettings) -> int:
    """One round: ``remind_documents(engine, now, LogisticsSettings())`` → how many shipments were reminded of."""
    today = local_day(now)
    sent = 0
    with engine.begin() as conn:
        rows = conn.execute(
            select(
                d.id, d.shipped_at, d.documents_due_on, d.last_reminded_at, s.orders.c.number, s.orders.c.manager_id,
                s.customers.c.name.label("customer"),
            )
            .join(s.shipments, (s.shipments.c.order_id == d.order_id) & (s.shipments.c.site_id == d.site_id))
            .join(s.orders, s.orders.c.id == d.order_id)
            .join(s.customers, s.customers.c.id == s.orders.c.customer_id)
            .where(s.shipments.c.documents_returned_at.is_(None), d.shipped_at.is_not(None))
            .order_by(d.id)
        ).all()  # fmt: skip
        for row in rows:
            due = due_on(row, settings)
            if due is None or today < due:
                continue
            if row.last_reminded_at is not None and local_day(row.last_reminded_at) >= today:
                continue
            notify(conn, users=[row.manager_id], roles=["logistician"], now=now, **_notice(row, due, today))
            conn.execute(update(s.dispatches).where(d.id == row.id).values(last_reminded_at=now))
            sent += 1
    return sent


def _notice(row: Any, due: dt.date, today: dt.date) -> dict[str, str]:
    late = (today - due).days
    when = "сегодня срок возврата" if late == 0 else f"просрочка {late} дн."
    return {
        "kind": "documents_due",
        "subject": f"Документы по заказу {row.number}: {when}",
        "body": (
            f"Подписанные документы по заказу {row.number} ({row.customer}), отгруженному "
            f"{local_day(row.shipped_at):%d.%m.%Y}, ожидались к {due:%d.%m.%Y} и ещё не возвращены. "
            "Когда они придут, отметьте возврат на странице «Отгрузки»."
        ),
        "link": f"/logistics#dispatch-{row.id}",
    }


def documents_job(settings: Callable[[], LogisticsSettings]) -> Job:
    """The clock's job with the settings read when it runs: ``documents_job(LogisticsSettings)``."""

    def job(engine: Engine, now: dt.datetime) -> object:
        return remind_documents(engine, now, settings())

    return job
