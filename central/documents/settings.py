"""Settings of the printed documents: the VAT rate and the contract template the company edits in Word.

Read like central's own settings: ``STOCKYARD_VAT_PERCENT`` / ``STOCKYARD_CONTRACT_TEMPLATE``, else the
``[central]`` table of the TOML file named by ``STOCKYARD_CONFIG`` (``vat_percent = 22``,
``contract_template = "/srv/stockyard/contract.docx"``, ``smtp_host = "mail.example.ru"``), else the
defaults below.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from central.documents.contract_template import BUILT_IN
from central.documents.money import STANDARD_VAT_PERCENT
from central.settings import CentralSection


class DocumentSettings(CentralSection):
    """``DocumentSettings(vat_percent=22, contract_template=Path("contract.docx"))``."""

    vat_percent: int = Field(STANDARD_VAT_PERCENT, ge=0, le=100)
    contract_template: Path = BUILT_IN
    # Outgoing mail (contracts to customers); no smtp_host means mail is not set up and sending is refused.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_starttls: bool = False
    smtp_user: str | None = None
    smtp_password: SecretStr = SecretStr("")
    mail_from: str = "office@stockyard-demo.ru"
