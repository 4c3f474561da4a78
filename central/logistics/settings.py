"""Settings of the logistician's work, read like central's own (``STOCKYARD_*``, then the ``[central]`` table).

``documents_return_days = 10`` — signed documents are due back this many days after the goods left;
``default_document = "upd"`` — the shipping document a new dispatch gets (``"torg12"`` or ``"upd"``);
``company_address`` and ``shipping_point`` — printed on TORG-12, UPD and the waybill (``CentralSettings``
has the company's bank requisites but no address).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from central.settings import config_file_source


class LogisticsSettings(BaseSettings):
    """``LogisticsSettings(documents_return_days=10, default_document="upd")``."""

    model_config = SettingsConfigDict(env_prefix="STOCKYARD_", extra="ignore")

    documents_return_days: int = Field(10, ge=0, le=365)
    default_document: Literal["torg12", "upd"] = "upd"
    company_address: str = "141700, Московская обл., г. Долгопрудный, Промышленный пр., д. 14"
    shipping_point: str = "Склад W1: 141700, Московская обл., г. Долгопрудный, Промышленный пр., д. 14"
    company_phone: str = "+7 495 000-00-00"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Explicit values beat the environment, which beats the ``[central]`` table of the TOML file."""
        return init_settings, env_settings, *config_file_source(settings_cls, "central")
