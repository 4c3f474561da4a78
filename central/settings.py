"""Central's settings: environment variables ``STOCKYARD_*``, an optional TOML file, then defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEVELOPMENT_SECRET = "development-only-secret-change-me"  # noqa: S105 - the value production refuses


class CentralSection(BaseSettings):
    """Settings read like central's: ``STOCKYARD_*`` variables, then the ``[central]`` table of the TOML file."""

    model_config = SettingsConfigDict(env_prefix="STOCKYARD_", extra="ignore")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Explicit values (command-line options) beat the environment, which beats the TOML file."""
        return init_settings, env_settings, *config_file_source(settings_cls, "central")


class CentralSettings(CentralSection):
    """``CentralSettings(database_url="postgresql://…")``; the TOML file is named by ``STOCKYARD_CONFIG``."""

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/central.db"
    mqtt_url: str | None = None
    mqtt_keepalive: int = 10  # seconds; a silent broker is given up on after 1.5x this
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    language: str = "ru"
    # Seconds between rounds of the central clock (mail of notices, reservation expiry, reminders); 0 = off.
    jobs_interval: float = 60.0
    # The company's own requisites, printed on invoices and carried by the payment QR code (GOST R 56042).
    # The defaults are the demo company's; a real installation sets them in the TOML file.
    company_name: str = "ООО «Стокъярд Демо»"
    company_inn: str = "5001007329"
    company_kpp: str = "500101001"
    company_account: str = "40702810938000012345"
    company_bank: str = "ПАО СБЕРБАНК"
    company_bik: str = "044525225"
    company_correspondent_account: str = "30101810400000000225"

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> CentralSettings:
        # A forged session cookie is an open door to prices and customer data: production must set its own.
        if self.environment == "production" and self.secret_key.get_secret_value() == DEVELOPMENT_SECRET:
            raise ValueError("STOCKYARD_SECRET_KEY must be set to a random secret when environment=production")
        return self


def config_file_source(settings_cls: type[BaseSettings], section: str) -> tuple[PydanticBaseSettingsSource, ...]:
    """The ``[section]`` table of the TOML file named by ``STOCKYARD_CONFIG``, if there is one."""
    path = os.environ.get("STOCKYARD_CONFIG")
    if not path:
        return ()
    if not Path(path).is_file():
        raise ValueError(f"STOCKYARD_CONFIG names {path}, which is not a readable file")
    return (TomlConfigSettingsSource(settings_cls, toml_file=path, toml_table_header=(section,)),)
