"""Reading bank statements in the 1CClientBankExchange format (cp1251 text, ``Key=Value`` lines).

Every Russian bank's client exports this format for 1C. The PyPI packages for it are unmaintained since
2017–2023, and the format is a flat list of sections, so we read it here, strictly: a file that is not
what it claims is refused with the line at fault, never half-read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

HEADER = "1CClientBankExchange"


class StatementError(ValueError):
    """The file is not a readable 1CClientBankExchange statement; the message names the line."""


@dataclass(frozen=True)
class PaymentDocument:
    """One payment order of the statement, incoming or outgoing."""

    kind: str  # «Платежное поручение», «Банковский ордер», …
    number: str
    issued: date
    amount_kop: int
    payer_inn: str
    payer_name: str
    payer_account: str
    payee_inn: str
    payee_name: str
    payee_account: str
    received: date | None
    purpose: str

    @property
    def fingerprint(self) -> str:
        """Identity of the payment across re-imports of overlapping statements."""
        key = "|".join([self.number, self.issued.isoformat(), self.payer_inn, self.payer_account, str(self.amount_kop)])
        return hashlib.sha256(key.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Statement:
    accounts: tuple[str, ...]
    start: date | None
    end: date | None
    documents: tuple[PaymentDocument, ...]

    def incoming(self) -> list[PaymentDocument]:
        """Payments into one of the statement's own accounts."""
        return [d for d in self.documents if d.payee_account in self.accounts]


def parse_statement(data: bytes) -> Statement:
    """Read a statement file: ``parse_statement(Path("kl_to_1c.txt").read_bytes())``."""
    text = _decode(data)
    lines = text.splitlines()
    if not lines or lines[0].strip().lstrip("\ufeff") != HEADER:
        raise StatementError(f"Это не выписка 1CClientBankExchange: первая строка должна быть «{HEADER}»")
    header: dict[str, str] = {}
    accounts: list[str] = []
    documents: list[PaymentDocument] = []
    section: dict[str, str] | None = None
    section_start = 0
    ended = False
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        if not line:
            continue
        if line == "КонецФайла":
            ended = True
            break
        if line.startswith("СекцияДокумент="):
            if section is not None:
                raise StatementError(
                    f"Строка {number}: новый документ до «КонецДокумента» документа со строки {section_start}"
                )
            section, section_start = {"СекцияДокумент": line.split("=", 1)[1]}, number
            continue
        if line == "КонецДокумента":
            if section is None:
                raise StatementError(f"Строка {number}: «КонецДокумента» без начала документа")
            documents.append(_document(section, section_start))
            section = None
            continue
        if line in ("СекцияРасчСчет", "КонецРасчСчет"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise StatementError(f"Строка {number}: ожидалось «Ключ=Значение», получено «{line[:60]}»")
        if section is not None:
            section[key] = value.strip()
        elif key == "РасчСчет":
            accounts.append(value.strip())
        else:
            header[key] = value.strip()
    if section is not None:
        raise StatementError(f"Документ со строки {section_start} не закончен: файл обрезан")
    if not ended:
        raise StatementError("Нет строки «КонецФайла»: файл обрезан или повреждён")
    return Statement(
        accounts=tuple(dict.fromkeys(accounts)),
        start=_date(header.get("ДатаНачала", ""), "ДатаНачала", 0) if header.get("ДатаНачала") else None,
        end=_date(header.get("ДатаКонца", ""), "ДатаКонца", 0) if header.get("ДатаКонца") else None,
        documents=tuple(documents),
    )


def _decode(data: bytes) -> str:
    # The format says «Кодировка=Windows» (cp1251) or «Кодировка=DOS» (cp866); some banks send UTF-8.
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    head = data[:400]
    encoding = "cp866" if b"\xca\xee\xe4\xe8\xf0\xee\xe2\xea\xe0=DOS" in head else "cp1251"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise StatementError(f"Файл не в кодировке {encoding}: байт {error.start}") from error


def _document(fields: dict[str, str], line: int) -> PaymentDocument:
    for required in ("Номер", "Дата", "Сумма"):
        if not fields.get(required):
            raise StatementError(f"Документ со строки {line}: нет поля «{required}»")
    return PaymentDocument(
        kind=fields["СекцияДокумент"],
        number=fields["Номер"],
        issued=_date(fields["Дата"], "Дата", line),
        amount_kop=_kopecks(fields["Сумма"], line),
        payer_inn=fields.get("ПлательщикИНН", ""),
        payer_name=fields.get("Плательщик1") or fields.get("Плательщик", ""),
        payer_account=fields.get("ПлательщикСчет") or fields.get("ПлательщикРасчСчет", ""),
        payee_inn=fields.get("ПолучательИНН", ""),
        payee_name=fields.get("Получатель1") or fields.get("Получатель", ""),
        payee_account=fields.get("ПолучательСчет") or fields.get("ПолучательРасчСчет", ""),
        received=_date(fields["ДатаПоступило"], "ДатаПоступило", line) if fields.get("ДатаПоступило") else None,
        purpose=fields.get("НазначениеПлатежа", ""),
    )


def _date(value: str, field: str, line: int) -> date:
    try:
        return datetime.strptime(value, "%d.%m.%Y").date()  # noqa: DTZ007 - a calendar date, no time
    except ValueError as error:
        raise StatementError(f"Документ со строки {line}: «{field}={value}» — не дата ДД.ММ.ГГГГ") from error


def _kopecks(value: str, line: int) -> int:
    try:
        amount = Decimal(value.replace(",", "."))
    except InvalidOperation as error:
        raise StatementError(f"Документ со строки {line}: «Сумма={value}» — не число") from error
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise StatementError(f"Документ со строки {line}: «Сумма={value}» — сумма должна быть положительной, до копеек")
    return int(amount * 100)
