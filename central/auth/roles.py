"""Staff roles of requirements.md and their Russian titles."""

from __future__ import annotations

ROLE_TITLES: dict[str, str] = {
    "admin": "Администратор",
    "sales_manager": "Менеджер продаж",
    "commercial_director": "Коммерческий директор",
    "dispatcher": "Диспетчер",
    "purchasing_manager": "Менеджер по закупке",
    "warehouse_manager": "Менеджер склада",
    "picker": "Менеджер-комплектовщик",
    "controlling_manager": "Контролирующий менеджер",
    "logistician": "Логист",
    "accountant": "Бухгалтер",
    "director": "Директор",
    "shop_master": "Мастер цеха",
}


def role_title(role: str) -> str:
    """Russian title for the staff screens: ``role_title("dispatcher") == "Диспетчер"``."""
    return ROLE_TITLES.get(role, role)
