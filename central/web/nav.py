"""The office menu: each section with the roles that work in it, so every role sees its own pages first."""

from __future__ import annotations

from typing import Protocol

EVERYONE: frozenset[str] = frozenset()  # an empty set of roles means every signed-in member of staff

# (address, title, roles); the order is the order of the menu.
SECTIONS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("/orders", "Заказы", frozenset({"sales_manager", "commercial_director", "director", "admin"})),
    ("/prices", "Цены", frozenset({"commercial_director", "sales_manager", "director", "admin"})),
    ("/planned-work", "План работ", frozenset({"commercial_director", "director", "admin"})),
    ("/dispatch/board", "Диспетчерская", frozenset({"dispatcher", "commercial_director", "director", "admin"})),
    ("/purchasing", "Закупки", frozenset({"purchasing_manager", "dispatcher", "director", "admin"})),
    ("/logistics", "Отгрузки", frozenset({"logistician", "dispatcher", "director", "admin"})),
    ("/accounting/payments", "Оплаты", frozenset({"accountant", "director", "admin"})),
    ("/dispatch/proposals", "Предложения оптимизатора", frozenset({"dispatcher", "logistician", "director", "admin"})),
    ("/production/tasks", "Производство", EVERYONE),
    ("/production/norm-hours", "Нормо-часы", EVERYONE),
    ("/warehouse/counts", "Инвентаризация", EVERYONE),
    ("/warehouse/claims", "Претензии", EVERYONE),
    ("/sync", "Площадки", EVERYONE),
    ("/audit", "Журнал", EVERYONE),
    ("/inbox", "Уведомления", EVERYONE),
)


class Staff(Protocol):
    @property
    def role(self) -> str: ...


def menu(user: Staff | None) -> list[tuple[str, str]]:
    """The sections a user sees: ``menu(user)[0] == ("/orders", "Заказы")`` for a sales manager."""
    if user is None:
        return []
    return [(href, title) for href, title, roles in SECTIONS if not roles or user.role in roles]
