"""Price rules without I/O: who may change prices, the cost floor, the date a price may start, rubles typed in forms."""

from __future__ import annotations

import datetime as dt
import re

from central.orders.domain import Forbidden, OrderRefused, rubles

CHANGE_ROLES = ("commercial_director", "admin")
READ_ROLES = ("commercial_director", "director", "sales_manager", "admin")
REQUEST_ROLES = ("sales_manager", "director", "admin")
KIND_TITLES = {
    "retail": "Розница",
    "wholesale_1": "Опт 1",
    "wholesale_2": "Опт 2",
    "wholesale_3": "Опт 3",
    "personal": "Персональный",
}
STATUS_TITLES = {"open": "Ожидает решения", "approved": "Одобрено", "rejected": "Отклонено"}
FORBIDDEN_CHANGE = "Недостаточно прав: цены и прайс-листы меняет только коммерческий директор"
FORBIDDEN_READ = "Недостаточно прав: цены видят менеджеры продаж, коммерческий директор и директор"
FORBIDDEN_REQUEST = "Запрос на изменение цены подаёт менеджер продаж; коммерческий директор меняет цену сам"
_RUBLES = re.compile(r"^(\d{1,12})(?:[.,](\d{1,2}))?$")


def may_change(role: str) -> None:
    """Only the commercial director (and the administrator) change prices and lists (PRICE-2, ACC-2)."""
    if role not in CHANGE_ROLES:
        raise Forbidden(FORBIDDEN_CHANGE)


def may_read(role: str) -> None:
    if role not in READ_ROLES:
        raise Forbidden(FORBIDDEN_READ)


def may_request(role: str) -> None:
    if role not in REQUEST_ROLES:
        raise Forbidden(FORBIDDEN_REQUEST)


def parse_rubles(text: str) -> int:
    """Kopecks of a price typed in a form: ``parse_rubles("1 234,5") == 123450``."""
    cleaned = text.replace("\u00a0", "").replace(" ", "").replace("₽", "").strip()
    match = _RUBLES.match(cleaned)
    if match is None:
        raise OrderRefused(f"Цена «{text.strip()}» не понятна: укажите рубли и копейки, например 1234,50")
    whole, part = match.groups()
    return int(whole) * 100 + int((part or "0").ljust(2, "0"))


def check_new_price(sku: str, price_kop: int, planned_cost_kop: int, effective_from: dt.date, today: dt.date) -> None:
    """A price may be set if it is positive, not below the planned cost and starts today or later (PRICE-1)."""
    if price_kop <= 0:
        raise OrderRefused("Цена должна быть больше нуля")
    if price_kop < planned_cost_kop:
        raise OrderRefused(
            f"Цена {rubles(price_kop)} для {sku} ниже плановой себестоимости {rubles(planned_cost_kop)}: "
            "продажа в убыток запрещена"
        )
    if effective_from < today:
        raise OrderRefused(
            f"Дата начала действия {effective_from:%d.%m.%Y} уже прошла: цена действует с сегодняшнего дня или позже"
        )
