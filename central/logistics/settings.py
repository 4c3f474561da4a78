"""Settings of the logistician's work, read like central's own (``STOCKYARD_*``, then the ``[central]`` table).

``documents_return_days = 10`` — signed documents are due back this many days after the goods left;
``default_document = "upd"`` — the shipping document a new dispatch gets (``"torg12"`` or ``"upd"``);
``company_address`` and ``shipping_point`` — printed on TORG-12, UPD and the waybill (``CentralSettings``
has the company's bank requisites but no address).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from central.settings import CentralSection


class LogisticsSettings(CentralSection):
    """``LogisticsSettings(documents_return_days=10, default_document="upd")``."""

    documents_return_days: int = Field(10, ge=0, le=365)
    default_document: Literal["torg12", "upd"] = "upd"
    company_address: str = "141700, Московская обл., г. Долгопрудный, Промышленный пр., д. 14"
    shipping_point: str = "Склад W1: 141700, Московская обл., г. Долгопрудный, Промышленный пр., д. 14"
    company_phone: str = "+7 495 000-00-00"
