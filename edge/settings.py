"""An edge node's settings: ``STOCKYARD_*`` environment variables, the ``[edge]`` table of a TOML file, defaults."""

from __future__ import annotations

import os
import re
from pathlib import Path

from pydantic import field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

SITE_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,15}$")


class EdgeSettings(BaseSettings):
    """``EdgeSettings(site="W1", data_dir=Path("var/edge"))``; one process serves one site."""

    model_config = SettingsConfigDict(env_prefix="STOCKYARD_", extra="ignore")

    site: str
    data_dir: Path = Path("var/edge")
    mqtt_url: str | None = None
    mqtt_keepalive: int = 10  # seconds; a silent broker is given up on after 1.5x this
    host: str = "0.0.0.0"  # noqa: S104 - handheld terminals on the site's LAN must reach it
    port: int = 8100
    language: str = "ru"
    zeroconf: bool = True  # announce the edge, and find the broker when no mqtt_url is given
    scanners: list[str] = []  # serial:/dev/ttyACM0?workstation=ТСД-1, evdev:/dev/input/by-id/...
    printers: list[str] = []  # label printers NAME=HOST[:PORT], e.g. "Упаковка-1=10.0.0.5:9100" (docs/labels.md)
    gs1_company_prefix: str = "4601234"  # the company's GS1 prefix: the SSCCs of new boxes (docs/labels.md)
    sscc_extension: int = 0  # SSCC extension digit of this site's packages (0..9)
    box_tare_g: int = 300  # an empty box, added to its contents' weight on the label (DEV-2)
    pallet_tare_g: int = 25000  # an empty pallet

    @field_validator("site")
    @classmethod
    def _site_code(cls, value: str) -> str:
        # The site code is part of MQTT topics and file names: keep it to what both accept.
        if not SITE_CODE.match(value):
            raise ValueError(f"site code {value!r} must be upper-case letters and digits, like W1 or S1")
        return value

    @property
    def database_path(self) -> Path:
        """One SQLite file per site: ``EdgeSettings(site="W1").database_path == Path("var/edge/W1.db")``."""
        return self.data_dir / f"{self.site}.db"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Command-line options beat the environment, which beats the TOML file."""
        path = os.environ.get("STOCKYARD_CONFIG")
        if not path:
            return init_settings, env_settings
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls, path, ("edge",))
