"""The supply contract of an order (ORD-7): a .docx template filled by docxtpl, and the same text as PDF.

``contract_context`` reads the order, its customer and the company's requisites into the placeholders'
values; ``fill_contract`` fills the template the company edits in Word (``contract_template`` setting, the
built-in one by default); ``contract_pdf`` renders the *filled* document — its headings, paragraphs and
tables in order — as HTML and prints that with WeasyPrint, so the PDF carries the company's own wording too.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import Connection, select

from central.documents.money import amount_in_words, format_rub, vat_included
from central.settings import CentralSettings
from central.store import schema as s

MOSCOW = ZoneInfo("Europe/Moscow")

PAYMENT_FORMS = {
    "prepayment": (
        "100 % предоплата",
        "Покупатель оплачивает товар в полном объёме до его отгрузки на основании счёта Поставщика.",
    ),
    "advance": (
        "аванс",
        "Покупатель перечисляет аванс по счёту Поставщика; остаток оплачивается до отгрузки товара.",
    ),
    "deferral": (
        "отсрочка платежа",
        "Покупатель оплачивает товар в течение согласованного срока отсрочки после его получения.",
    ),
    "consignment": (
        "реализация",
        "Товар передаётся на реализацию; Покупатель оплачивает реализованный товар по отчёту о продажах.",
    ),
}
RETURN_TERMS = {
    "full_until_date": (
        "Полный возврат до указанной даты",
        "Покупатель вправе вернуть товар надлежащего качества в полном объёме до даты, согласованной в заказе.",
    ),
    "partial": (
        "Частичный возврат",
        "Покупатель вправе вернуть часть товара надлежащего качества по согласованию с Поставщиком.",
    ),
    "defects_only": (
        "Возврат только брака",
        "Возврату подлежит только товар ненадлежащего качества (брак), выявленный при приёмке или в гарантийный срок.",
    ),
    "no_return": (
        "Без права возврата",
        "Товар надлежащего качества возврату не подлежит.",
    ),
}


class ContractError(Exception):
    """The template cannot be read or filled; the message says what to fix in it."""


@dataclass(frozen=True)
class ContractOrder:
    """The order a contract is for, with who may see it."""

    id: int
    number: str
    manager_id: int


def contract_number(order_number: str) -> str:
    """The contract's number from the order's: ``contract_number("З-0000042") == "Д-0000042"``."""
    return "Д-" + order_number.removeprefix("З-")


def find_order(conn: Connection, order_id: int) -> ContractOrder | None:
    row = conn.execute(
        select(s.orders.c.id, s.orders.c.number, s.orders.c.manager_id).where(s.orders.c.id == order_id)
    ).first()
    return None if row is None else ContractOrder(row.id, row.number, row.manager_id)


def contract_context(conn: Connection, order_id: int, settings: CentralSettings, vat_percent: int) -> dict[str, Any]:
    """The placeholders' values: ``{"contract": {...}, "company": {...}, "customer": {...}, "order": {...},
    "terms": {...}}``, every value a string as the document prints it."""
    o, c = s.orders, s.customers
    row = (
        conn.execute(
            select(*o.c, *(col.label(f"customer_{col.name}") for col in c.c))
            .join(c, c.c.id == o.c.customer_id)
            .where(o.c.id == order_id)
        )
        .mappings()
        .one()
    )
    created: dt.datetime = row["created_at"]
    signed_on = created.astimezone(MOSCOW).date()
    total = int(row["total_kop"])
    pay_name, pay_text = PAYMENT_FORMS.get(row["payment_form"], (row["payment_form"], ""))
    ret_name, ret_text = RETURN_TERMS.get(row["return_terms"], (row["return_terms"], ""))
    return {
        "contract": {"number": contract_number(row["number"]), "date": f"{signed_on:%d.%m.%Y}"},
        "company": {
            "name": settings.company_name,
            "inn": settings.company_inn,
            "kpp": settings.company_kpp,
            "account": settings.company_account,
            "bank": settings.company_bank,
            "bik": settings.company_bik,
            "correspondent_account": settings.company_correspondent_account,
        },
        "customer": {
            "name": row["customer_name"],
            "inn": row["customer_inn"],
            "kpp": row["customer_kpp"] or "—",
            "ogrn": row["customer_ogrn"],
            "legal_address": row["customer_legal_address"],
            "delivery_address": row["customer_delivery_address"],
            "phone": row["customer_phone"],
            "account": row["customer_settlement_account"],
            "bank": row["customer_bank_name"],
            "bik": row["customer_bank_bik"],
            "correspondent_account": row["customer_correspondent_account"],
        },
        "order": {
            "number": row["number"],
            "date": f"{signed_on:%d.%m.%Y}",
            "deadline": f"{row['deadline']:%d.%m.%Y}",
            "total": format_rub(total),
            "total_in_words": amount_in_words(total),
            "vat_percent": str(vat_percent),
            "vat": format_rub(vat_included(total, vat_percent)),
        },
        "terms": {
            "payment_form": pay_name,
            "payment_form_text": pay_text,
            "return_terms": ret_name,
            "return_terms_text": ret_text,
        },
    }


def fill_contract(template: Path, context: dict[str, Any]) -> bytes:
    """The filled .docx: every placeholder replaced; an unknown placeholder is refused with its name."""
    if not template.is_file():
        raise ContractError(f"Шаблон договора {template} не найден")
    try:
        doc = DocxTemplate(str(template))
        # Sandboxed: the template comes from an office user's Word file; strict: a misspelt placeholder
        # must not print as an empty gap in a contract.
        doc.render(context, jinja_env=SandboxedEnvironment(undefined=StrictUndefined), autoescape=True)
        out = io.BytesIO()
        doc.save(out)
    except TemplateError as exc:
        raise ContractError(f"Шаблон договора не заполнен: {exc}") from exc
    except Exception as exc:  # a damaged or non-.docx file: docx/zip/lxml raise many kinds
        raise ContractError(f"Шаблон договора не прочитан: {exc}") from exc
    return out.getvalue()


def docx_text(data: bytes) -> str:
    """The document's text in order, one paragraph a line, table cells separated by `` | ``."""
    doc = Document(io.BytesIO(data))
    lines: list[str] = []
    for block in doc.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        else:
            for row in block.rows:
                lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _paragraph_html(p: Paragraph) -> str:
    style = (p.style.name if p.style is not None else "") or ""
    text = "".join(f"<b>{html.escape(r.text)}</b>" if r.bold else html.escape(r.text) for r in p.runs).replace(
        "\t", " "
    )
    if style.startswith("Heading 1") or style == "Title":
        return f"<h1>{text}</h1>"
    if style.startswith("Heading"):
        return f"<h2>{text}</h2>"
    align = {0: "left", 1: "center", 2: "right", 3: "justify"}.get(int(p.alignment or 0), "left")
    return f'<p style="text-align:{align}">{text or "&nbsp;"}</p>'


def _table_html(t: Table) -> str:
    rows = []
    for row in t.rows:
        cells = "".join("<td>" + "".join(_paragraph_html(p) for p in cell.paragraphs) + "</td>" for cell in row.cells)
        rows.append(f"<tr>{cells}</tr>")
    return f"<table>{''.join(rows)}</table>"


CONTRACT_CSS = """
@page { size: A4; margin: 20mm 15mm 20mm 25mm; }
body { font-family: "DejaVu Serif", serif; font-size: 10.5pt; line-height: 1.35; }
h1 { font-size: 13pt; text-align: center; margin: 0 0 8pt; }
h2 { font-size: 11pt; margin: 10pt 0 4pt; }
p { margin: 0 0 4pt; }
table { width: 100%; border-collapse: collapse; margin-top: 6pt; }
td { width: 50%; vertical-align: top; padding: 0 6pt 0 0; }
td p { text-align: left !important; margin: 0 0 2pt; }
"""


def docx_html(data: bytes, title: str) -> str:
    """The filled document as a printable HTML page: headings, paragraphs and tables in their order."""
    doc = Document(io.BytesIO(data))
    parts = [
        _paragraph_html(block) if isinstance(block, Paragraph) else _table_html(block)
        for block in doc.iter_inner_content()
    ]
    return (
        f'<!doctype html><html lang="ru"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{CONTRACT_CSS}</style></head><body>{''.join(parts)}</body></html>"
    )


def html_pdf(page: str) -> bytes:
    """Print an HTML page to PDF with WeasyPrint."""
    from weasyprint import HTML  # loads pango on first use, not when central starts

    pdf: bytes = HTML(string=page).write_pdf()
    return pdf


def contract_pdf(filled_docx: bytes, title: str) -> bytes:
    """The filled contract as PDF (its text via HTML → WeasyPrint; Word's exact layout is not reproduced)."""
    return html_pdf(docx_html(filled_docx, title))
