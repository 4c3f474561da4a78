"""A month's payroll: a sheet per person, every line with its basis, amounts exact to the kopeck.

Rules (also in docs/guide-shopfloor.md):

- **Piecework** (``workers.pay_kind = 'piecework'``): work finished in the month (Moscow date of the finish).
  An operation with a piece rate (``piece_rates``) pays good units × that rate. Every other operation earns
  norm minutes (good × norm minutes per unit); the month's norm minutes are paid at the worker's
  ``rate_kop`` per norm-hour: ``minutes × rate / 60`` rounded half up **once** for the month.
- **Hourly**: actual time in the month (pauses excluded, split at Moscow midnight) × ``rate_kop`` per hour,
  from microseconds, rounded half up once for the month.
- **Salary**: ``rate_kop`` × days worked / working days of the month (``central.payroll.calendar``), rounded
  half up once. Days worked are working days on which the shop terminal recorded work for the person.
- **Sales managers** (active users with role ``sales_manager``): ``manager_pay_terms.salary_kop`` in full
  (there is no timesheet for office staff), plus the percentage (``commission_bp``, default
  ``DEFAULT_COMMISSION_BP`` = 3 % when a manager has no terms) of **paid sales**: payments received in the
  month (amount with VAT) that are matched to an invoice of an order the manager is responsible for.
  The percentage is taken of the month's sum and rounded half up once.
- Defective units are shown but neither paid nor deducted; work closed by rule at shift end earns no output
  (its time still counts for hourly pay). No overtime, night or holiday premiums in this release.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Connection, select

from central.payroll.calendar import month_bounds, working_days
from central.production.normhours import MSK, US_PER_HOUR, WorkLine, hours, norm_hours, work_lines
from central.store import schema as s

DEFAULT_COMMISSION_BP = 300


def round_kop(value: Decimal) -> int:
    """Half up to a whole kopeck: ``round_kop(Decimal("341527.5")) == 341528``."""
    return int(value.quantize(Decimal(1), ROUND_HALF_UP))


def rub(kop: int) -> str:
    """``rub(341528) == "3 415,28 ₽"`` (no-break spaces between thousands)."""
    sign = "-" if kop < 0 else ""
    whole, frac = divmod(abs(kop), 100)
    return f"{sign}{whole:,}".replace(",", "\u00a0") + f",{frac:02d} ₽"


def _dec(value: Decimal) -> str:
    return str(value).replace(".", ",")


@dataclass
class Line:
    """One line of a sheet: what, on what basis, how much (``None`` for a line that only explains)."""

    title: str
    basis: str
    amount_kop: int | None = None


@dataclass
class Sheet:
    person: str
    kind: str  # piecework | hourly | salary | sales_manager
    ref: str  # badge of a worker, login of a manager
    lines: list[Line] = field(default_factory=list)

    @property
    def total_kop(self) -> int:
        return sum(line.amount_kop or 0 for line in self.lines)

    def as_dict(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "kind": self.kind,
            "ref": self.ref,
            "total_kop": self.total_kop,
            "lines": [{"title": x.title, "basis": x.basis, "amount_kop": x.amount_kop} for x in self.lines],
        }


@dataclass
class Payroll:
    period: str
    working_days: int
    sheets: list[Sheet]

    @property
    def total_kop(self) -> int:
        return sum(sheet.total_kop for sheet in self.sheets)

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "working_days": self.working_days,
            "total_kop": self.total_kop,
            "sheets": [sheet.as_dict() for sheet in self.sheets],
        }


KIND_TITLES = {"piecework": "сдельная", "hourly": "повременная", "salary": "оклад", "sales_manager": "менеджер"}


def compute_payroll(conn: Connection, year: int, month: int) -> Payroll:
    """``compute_payroll(conn, 2026, 11).sheets[0].lines`` — the month's pay of every worker and sales manager."""
    start, end = month_bounds(year, month)
    calendar = working_days(year, month)
    by_worker: dict[int, list[WorkLine]] = defaultdict(list)
    for line in work_lines(conn, start, end):
        if line.worker_id is not None:
            by_worker[line.worker_id].append(line)
    rates = dict(conn.execute(select(s.piece_rates.c.routing_operation_id, s.piece_rates.c.rate_kop)).all())
    sheets = []
    for wid, badge, name, kind, rate in conn.execute(
        select(
            s.workers.c.id, s.workers.c.badge, s.workers.c.full_name, s.workers.c.pay_kind, s.workers.c.rate_kop
        ).order_by(s.workers.c.full_name, s.workers.c.id)
    ).all():
        sheet = Sheet(name, kind, badge)
        lines = by_worker.get(wid, [])
        if kind == "piecework":
            _piecework(sheet, lines, int(rate), rates)
        elif kind == "hourly":
            _hourly(sheet, lines, int(rate))
        else:
            _salary(sheet, lines, int(rate), calendar)
        sheets.append(sheet)
    sheets += _managers(conn, start, end)
    return Payroll(f"{year}-{month:02d}", len(calendar), sheets)


def _record_title(line: WorkLine) -> str:
    return f"{line.task}, оп. {line.op_seq} «{line.operation}» ({line.sku})"


def _finish_date(line: WorkLine) -> str:
    assert line.finished_on is not None
    return line.finished_on.strftime("%d.%m.%Y")


def _piecework(sheet: Sheet, lines: list[WorkLine], rate: int, piece_rates: dict[int, int]) -> None:
    minutes = 0
    for line in lines:
        if line.finished_on is None:
            continue
        when = _finish_date(line)
        piece = piece_rates.get(line.routing_operation_id)
        if line.closed_by_rule:
            sheet.lines.append(Line(_record_title(line), f"{when}: закрыто по окончании смены, выработки нет", None))
        elif piece is not None:
            sheet.lines.append(
                Line(
                    _record_title(line),
                    f"{when}: {line.good} шт. годных × расценка {rub(piece)} за шт. (брак {line.defective} шт.)",
                    line.good * piece,
                )
            )
        else:
            minutes += line.norm_minutes
            sheet.lines.append(
                Line(
                    _record_title(line),
                    f"{when}: {line.good} шт. годных × {line.norm_minutes_per_unit} мин/шт = {line.norm_minutes} "
                    f"нормо-мин (брак {line.defective} шт.)",
                    None,
                )
            )
    if minutes:
        amount = round_kop(Decimal(minutes) * rate / 60)
        sheet.lines.append(
            Line(
                "Оплата нормо-часов",
                f"{minutes} нормо-мин = {_dec(norm_hours(minutes))} н-ч; {minutes} × {rub(rate)} / 60 "
                f"= {_dec((Decimal(minutes) * rate / 60 / 100).quantize(Decimal('0.0001'), ROUND_HALF_UP))} ₽,"
                " округлено до копейки",
                amount,
            )
        )
    if not sheet.lines:
        sheet.lines.append(Line("Нет выполненных работ за период", "", 0))


def _hourly(sheet: Sheet, lines: list[WorkLine], rate: int) -> None:
    total_us = 0
    for line in lines:
        if not line.actual_us:
            continue
        total_us += line.actual_us
        sheet.lines.append(Line(_record_title(line), f"отработано {_dec(hours(line.actual_us))} ч без пауз", None))
    if not total_us:
        sheet.lines.append(Line("Нет отработанного времени за период", "", 0))
        return
    exact = Decimal(total_us) * rate / US_PER_HOUR
    seconds = Decimal(total_us) / 1_000_000
    sheet.lines.append(
        Line(
            "Оплата отработанного времени",
            f"{_dec(Decimal(format(seconds.normalize(), 'f')))} с = {_dec(hours(total_us))} ч × {rub(rate)} за час "
            f"= {_dec((exact / 100).quantize(Decimal('0.0001'), ROUND_HALF_UP))} ₽, округлено до копейки",
            round_kop(exact),
        )
    )


def _salary(sheet: Sheet, lines: list[WorkLine], rate: int, calendar: list[dt.date]) -> None:
    present = {day for line in lines for day, us in line.actual_by_day.items() if us > 0}
    paid = sorted(present & set(calendar))
    off = sorted(present - set(calendar))
    exact = Decimal(rate) * len(paid) / len(calendar)
    days = ", ".join(d.strftime("%d.%m") for d in paid) or "нет"
    sheet.lines.append(
        Line(
            "Оклад пропорционально отработанным дням",
            f"{rub(rate)} × {len(paid)} дн. / {len(calendar)} рабочих дней месяца "
            f"= {_dec((exact / 100).quantize(Decimal('0.0001'), ROUND_HALF_UP))} ₽; дни работы: {days}",
            round_kop(exact),
        )
    )
    if off:
        sheet.lines.append(
            Line(
                "Работа в выходные и праздничные дни",
                ", ".join(d.strftime("%d.%m") for d in off) + " — в окладе не учтена, оплачивается по приказу",
                None,
            )
        )


def _managers(conn: Connection, start: dt.date, end: dt.date) -> list[Sheet]:
    u, terms = s.users.c, s.manager_pay_terms.c
    sheets = []
    managers = conn.execute(
        select(u.id, u.login, u.full_name, terms.salary_kop, terms.commission_bp)
        .outerjoin(s.manager_pay_terms, terms.user_id == u.id)
        .where(u.role == "sales_manager", u.active.is_(True))
        .order_by(u.full_name, u.id)
    ).all()
    payments: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in conn.execute(
        select(
            s.orders.c.manager_id, s.payments.c.received_on, s.payments.c.document_number, s.payments.c.amount_kop,
            s.invoices.c.number, s.orders.c.number,
        )
        .join(s.invoices, s.invoices.c.id == s.payments.c.invoice_id)
        .join(s.orders, s.orders.c.id == s.invoices.c.order_id)
        .where(s.payments.c.received_on >= start, s.payments.c.received_on < end)
        .order_by(s.payments.c.received_on, s.payments.c.id)
    ).all():  # fmt: skip
        payments[row[0]].append(row[1:])
    for uid, login, name, salary, terms_bp in managers:
        sheet = Sheet(name, "sales_manager", login)
        if salary:
            sheet.lines.append(
                Line("Оклад", f"{rub(int(salary))} за месяц (табеля офиса нет — полностью)", int(salary))
            )
        bp = DEFAULT_COMMISSION_BP if terms_bp is None else int(terms_bp)
        paid = payments.get(uid, [])
        for received, document, amount, invoice, order in paid:
            sheet.lines.append(
                Line(
                    f"Оплата по счёту {invoice} (заказ {order})",
                    f"платёжное поручение № {document} от {received.strftime('%d.%m.%Y')}: {rub(int(amount))}",
                    None,
                )
            )
        base = sum(int(p[2]) for p in paid)
        exact = Decimal(base) * bp / 10_000
        percent = _dec((Decimal(bp) / 100).normalize())
        sheet.lines.append(
            Line(
                f"Процент с оплаченных продаж ({percent} %)",
                f"оплачено {rub(base)} × {percent} % = {_dec((exact / 100).quantize(Decimal('0.0001'), ROUND_HALF_UP))}"
                f" ₽, округлено до копейки" + ("" if paid else "; оплат за период нет"),
                round_kop(exact),
            )
        )
        sheets.append(sheet)
    return sheets


def msk_today() -> dt.date:
    return dt.datetime.now(MSK).date()
