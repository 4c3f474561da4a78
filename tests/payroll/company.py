"""A hand-made company for payroll tests: three workers, two sales managers, a month of work and payments.

Every figure is chosen so the expected pay can be computed on paper (see test_payroll.py).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from sqlalchemy import Connection, insert

from central.production.normhours import MSK
from central.production.projection import project_work
from central.store import schema as s
from sync.events import WorkClosedByRule, WorkFinished, WorkPaused, WorkResumed, WorkStarted
from sync.messages import Event

PIECE, HOURLY, SALARY = "2200000020001", "2200000020002", "2200000020003"
_seq = itertools.count(1)


def msk(day: int, hhmm: str, month: int = 11) -> dt.datetime:
    h, m = map(int, hhmm.split(":"))
    return dt.datetime(2026, month, day, h, m, tzinfo=MSK)


def seed(conn: Connection) -> None:
    conn.execute(insert(s.sites), [{"id": 1, "code": "S1", "name": "Цех", "kind": "shop"}])
    conn.execute(insert(s.work_center_groups), [{"id": 1, "code": "WG1", "name": "Сварка"}])
    conn.execute(
        insert(s.items),
        [{"id": 1, "sku": "ГП-1", "name": "Стеллаж", "kind": "finished", "uom": "шт", "ean13": "4600000000011",
          "weight_g": 1, "volume_cm3": 1, "planned_cost_kop": 1}],
    )  # fmt: skip
    conn.execute(
        insert(s.routing_operations),
        [{"id": n, "item_id": 1, "seq": n, "name": f"Операция {n}", "group_id": 1, "norm_minutes_per_unit": norm}
         for n, norm in ((1, 12), (2, 7), (3, 30))],
    )  # fmt: skip
    conn.execute(insert(s.piece_rates), [{"routing_operation_id": 3, "rate_kop": 1_250}])
    conn.execute(
        insert(s.workers),
        [
            {"id": 1, "badge": PIECE, "full_name": "Аксёнов Антон", "pay_kind": "piecework", "rate_kop": 45_537, "group_id": 1},
            {"id": 2, "badge": HOURLY, "full_name": "Борисов Борис", "pay_kind": "hourly", "rate_kop": 38_333, "group_id": 1},
            {"id": 3, "badge": SALARY, "full_name": "Васильев Виктор", "pay_kind": "salary", "rate_kop": 9_512_345, "group_id": 1},
        ],
    )  # fmt: skip
    conn.execute(
        insert(s.users),
        [
            {"id": 1, "login": "manager01", "full_name": "Громова Галина", "role": "sales_manager", "password_hash": "x"},
            {"id": 2, "login": "manager02", "full_name": "Дёмин Денис", "role": "sales_manager", "password_hash": "x"},
            {"id": 3, "login": "accountant", "full_name": "Егорова Елена", "role": "accountant", "password_hash": "x"},
        ],
    )  # fmt: skip
    conn.execute(insert(s.manager_pay_terms), [{"user_id": 1, "salary_kop": 5_000_000, "commission_bp": 250}])
    conn.execute(insert(s.price_lists), [{"id": 1, "code": "retail", "name": "Розница", "kind": "retail"}])
    now = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    customer = {
        "inn": "7700000000", "ogrn": "1000000000000", "bank_bik": "044525225", "bank_name": "Банк",
        "correspondent_account": "30101810400000000225", "settlement_account": "40702810000000000000",
        "legal_address": "Москва", "delivery_address": "Москва", "lat": 55.7, "lon": 37.6, "window_from_min": 540,
        "window_to_min": 1080, "phone": "+74950000000", "price_list_id": 1, "payment_method": "prepayment",
        "created_at": now,
    }  # fmt: skip
    conn.execute(
        insert(s.customers),
        [
            {**customer, "id": 1, "name": "ООО «Альфа»", "manager_id": 1},
            {**customer, "id": 2, "name": "ООО «Бета»", "inn": "7700000001", "manager_id": 2},
        ],
    )
    order = {"status": "confirmed", "source": "office", "created_at": now, "deadline": dt.date(2026, 12, 1),
             "payment_form": "prepayment", "return_terms": "none", "total_kop": 1}  # fmt: skip
    conn.execute(
        insert(s.orders),
        [{**order, "id": 1, "number": "З-1", "customer_id": 1, "manager_id": 1},
         {**order, "id": 2, "number": "З-2", "customer_id": 2, "manager_id": 2}],
    )  # fmt: skip
    conn.execute(
        insert(s.invoices),
        [{"id": 1, "number": "С-1", "order_id": 1, "issued_on": dt.date(2026, 10, 1), "amount_kop": 9_000_000, "vat_kop": 0},
         {"id": 2, "number": "С-2", "order_id": 2, "issued_on": dt.date(2026, 10, 1), "amount_kop": 9_000_000, "vat_kop": 0}],
    )  # fmt: skip
    payment = [
        (1, 1, dt.date(2026, 11, 3), 1_234_567),  # manager01, counted
        (1, 1, dt.date(2026, 11, 30), 100_001),  # manager01, counted
        (1, 1, dt.date(2026, 10, 31), 555_555),  # manager01, October: not counted
        (2, 2, dt.date(2026, 11, 10), 999_999),  # manager02, counted
        (2, None, dt.date(2026, 11, 11), 777_777),  # not matched to an invoice: not counted
        (2, 2, dt.date(2026, 12, 1), 444_444),  # December: not counted
    ]
    conn.execute(
        insert(s.payments),
        [{"customer_id": c, "invoice_id": inv, "received_on": d, "amount_kop": a, "document_number": str(n)}
         for n, (c, inv, d, a) in enumerate(payment, 1)],
    )  # fmt: skip


def _event(fact: Any) -> Event:
    n = next(_seq)
    return Event(
        event_id=f"{n:032x}", seq=n, type=type(fact).__name__, occurred_at=fact.at, actor="test",
        payload=fact.model_dump(mode="json"), schema_version=2,
    )  # fmt: skip


def work(
    conn: Connection,
    badge: str,
    op: int,
    norm: int,
    stretches: list[tuple[dt.datetime, dt.datetime]],
    good: int,
    defective: int = 0,
    closed: bool = False,
) -> None:
    """Project one work record: running in ``stretches`` (paused between them), then finished or closed."""
    session = f"s{next(_seq)}"
    facts: list[Any] = [
        WorkStarted(session=session, task="ПР-1", operation_id=op, op_seq=op, operation=f"Операция {op}",
                    sku="ГП-1", group_code="WG1", norm_minutes_per_unit=norm, worker=badge, at=stretches[0][0])
    ]  # fmt: skip
    for n, (begin, end) in enumerate(stretches):
        if n:
            facts.append(WorkResumed(session=session, at=begin))
        if n < len(stretches) - 1:
            facts.append(WorkPaused(session=session, reason="break", at=end))
    last = stretches[-1][1]
    facts.append(
        WorkClosedByRule(session=session, rule="shift_end", at=last)
        if closed
        else WorkFinished(session=session, good=good, defective=defective, at=last)
    )
    assert project_work(conn, 1, [_event(f) for f in facts], dt.datetime.now(dt.UTC)) == []


def month_of_work(conn: Connection) -> None:
    # Piecework: 20 × 12 + 30 × 7 = 450 norm minutes, 16 pieces at a piece rate, one record finished in December.
    work(conn, PIECE, 1, 12, [(msk(24, "08:00"), msk(24, "10:00")), (msk(24, "10:15"), msk(24, "12:30"))], 20, 1)
    work(conn, PIECE, 2, 7, [(msk(24, "13:00"), msk(24, "17:00"))], 30)
    work(conn, PIECE, 3, 30, [(msk(25, "08:00"), msk(25, "16:00"))], 16)
    work(conn, PIECE, 1, 12, [(msk(30, "19:00"), msk(1, "09:00", 12))], 5)
    work(conn, PIECE, 2, 7, [(msk(26, "08:00"), msk(26, "20:00"))], 0, closed=True)
    # Hourly: 4 h 13 min on the 24th, then 19:00 on the 30th to 02:00 on 1 December (5 h in November).
    work(conn, HOURLY, 1, 12, [(msk(24, "08:00"), msk(24, "10:00")), (msk(24, "10:07"), msk(24, "12:20"))], 15)
    work(conn, HOURLY, 2, 7, [(msk(30, "19:00"), msk(1, "02:00", 12))], 10)
    # Salary: the 24th and 25th (working days), the 4th (a holiday) and the 28th (a Saturday).
    for day in (4, 24, 25, 28):
        work(conn, SALARY, 2, 7, [(msk(day, "09:00"), msk(day, "11:00"))], 1)
