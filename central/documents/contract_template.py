"""The built-in contract template: a .docx with docxtpl placeholders, written by python-docx.

``python -m central.documents.contract_template`` (re)writes ``central/documents/templates/contract.docx``.
The company copies that file, edits it in Word and names the copy in the ``contract_template`` setting;
every ``{{ … }}`` placeholder it keeps is filled from the order (see ``central.documents.contract``).
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

BUILT_IN = Path(__file__).parent / "templates" / "contract.docx"

TITLE = "ДОГОВОР ПОСТАВКИ № {{ contract.number }}"
PLACE_AND_DATE = "г. Москва\t\t\t\t\t\t{{ contract.date }}"
PREAMBLE = (
    "{{ company.name }}, ИНН {{ company.inn }}, КПП {{ company.kpp }}, именуемое в дальнейшем «Поставщик», "
    "с одной стороны, и {{ customer.name }}, ИНН {{ customer.inn }}, КПП {{ customer.kpp }}, "
    "ОГРН {{ customer.ogrn }}, именуемое в дальнейшем «Покупатель», с другой стороны, заключили настоящий "
    "договор о нижеследующем."
)
SECTIONS: list[tuple[str, list[str]]] = [
    (
        "1. Предмет договора",
        [
            "1.1. Поставщик передаёт в собственность Покупателя, а Покупатель принимает и оплачивает товар по "
            "заказу № {{ order.number }} от {{ order.date }} в количестве и по ценам, указанным в заказе и "
            "счёте на оплату.",
            "1.2. Общая стоимость товара по заказу составляет {{ order.total }} руб. ({{ order.total_in_words }}), "
            "в том числе НДС {{ order.vat_percent }} % — {{ order.vat }} руб.",
            "1.3. Срок поставки — не позднее {{ order.deadline }}. Адрес доставки: {{ customer.delivery_address }}.",
        ],
    ),
    (
        "2. Порядок оплаты",
        ["2.1. Форма оплаты: {{ terms.payment_form }}. {{ terms.payment_form_text }}"],
    ),
    (
        "3. Условия возврата",
        ["3.1. {{ terms.return_terms }}. {{ terms.return_terms_text }}"],
    ),
    (
        "4. Прочие условия",
        [
            "4.1. Договор вступает в силу с момента подписания сторонами и действует до полного исполнения "
            "обязательств по заказу.",
            "4.2. Споры разрешаются путём переговоров, а при недостижении согласия — в арбитражном суде по месту "
            "нахождения Поставщика.",
            "4.3. Договор составлен в двух экземплярах, имеющих равную юридическую силу, по одному для каждой "
            "из сторон. Скан-копии подписанного договора имеют силу до обмена оригиналами.",
        ],
    ),
]
SUPPLIER = [
    "Поставщик: {{ company.name }}",
    "ИНН {{ company.inn }}, КПП {{ company.kpp }}",
    "Р/с {{ company.account }} в {{ company.bank }}",
    "БИК {{ company.bik }}, к/с {{ company.correspondent_account }}",
    "",
    "____________________ / ____________________ /",
]
BUYER = [
    "Покупатель: {{ customer.name }}",
    "ИНН {{ customer.inn }}, КПП {{ customer.kpp }}, ОГРН {{ customer.ogrn }}",
    "Адрес: {{ customer.legal_address }}",
    "Р/с {{ customer.account }} в {{ customer.bank }}",
    "БИК {{ customer.bik }}, к/с {{ customer.correspondent_account }}",
    "Тел. {{ customer.phone }}",
    "",
    "____________________ / ____________________ /",
]


def write_default_template(path: Path = BUILT_IN) -> Path:
    """Write the built-in contract template to ``path``: ``write_default_template(tmp / "contract.docx")``."""
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(11)
    title = doc.add_heading(TITLE, level=1)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(PLACE_AND_DATE)
    doc.add_paragraph(PREAMBLE).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for heading, paragraphs in SECTIONS:
        doc.add_heading(heading, level=2)
        for text in paragraphs:
            doc.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    doc.add_heading("5. Реквизиты и подписи сторон", level=2)
    table = doc.add_table(rows=1, cols=2)
    for cell, lines in zip(table.rows[0].cells, (SUPPLIER, BUYER), strict=True):
        cell.paragraphs[0].text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


if __name__ == "__main__":
    print(write_default_template())
