"""Receive with an expected receipt, «Брак», closing; ship mode; count with a task — the pure session steps."""

from __future__ import annotations

from dataclasses import replace

from edge.terminal.session import (
    ExpectedLine,
    ExpectedReceipt,
    PickLine,
    PickTask,
    ScannedCell,
    ScannedItem,
    ScannedReceipt,
    ScannedTask,
    Session,
    TypedQuantity,
    finish_count,
    finish_receipt,
    finish_ship,
    mark_defective,
    prompt,
    start,
    step,
    undo,
)
from edge.warehouse.domain import Cell, CloseReceipt, CountCell, Item, ReceiveUnits, RecordDefective, ShipUnits

BRACKET = Item("K-40", "Кронштейн 40×40")
SCREW = Item("S-16", "Саморез 4,2×16")
NUT = Item("N-8", "Гайка M8")
RCV = Cell(900, "RCV-01", "receiving")
ASM = Cell(950, "ASM-01", "assembly")
DOC = "2400000000017"
RECEIPT = ExpectedReceipt(
    DOC, "ПЗ-00001", "ООО «Металл»", (ExpectedLine("K-40", BRACKET.name, 10), ExpectedLine("S-16", SCREW.name, 5))
)
TASK = PickTask(
    "2300000000015", "З-000001", "ООО «Ромашка»", ASM.id, ASM.address, (PickLine("K-40", BRACKET.name, 3, 101, "A-01"),)
)


def run(session: Session, *inputs: object) -> tuple[Session, list[bool]]:
    oks = []
    for scanned in inputs:
        session, reply = step(session, scanned)  # type: ignore[arg-type]
        oks.append(reply.ok)
    return session, oks


def test_receipt_checks_items_against_the_expected_lines():
    session, oks = run(start("receive"), ScannedReceipt(RECEIPT, (("K-40", 4, 0),)), ScannedItem(NUT))
    assert oks == [True, False]
    _, reply = step(session, ScannedItem(NUT))
    assert "не заказан по поставке ПЗ-00001" in reply.message
    assert prompt(session) == "Поставка ПЗ-00001: принято 4 из 15 шт. Сканируйте товар или «Завершить»"


def test_units_placed_against_a_receipt_carry_its_code_and_keep_it_in_hand():
    session, _ = run(start("receive"), ScannedReceipt(RECEIPT), ScannedItem(BRACKET), TypedQuantity(12))
    session, reply = step(session, ScannedCell(RCV))
    assert reply.commands == (ReceiveUnits("K-40", RCV.id, 12, DOC),)
    assert session.receipt == RECEIPT and session.tally == {"K-40": (12, 0)}
    assert "принято 12 из 15" in prompt(session)


def test_defective_units_are_recorded_not_placed():
    session, _ = run(start("receive"), ScannedReceipt(RECEIPT), ScannedItem(SCREW), ScannedItem(SCREW))
    session, reply = mark_defective(session)
    assert reply.ok and reply.commands == (RecordDefective("S-16", 2, DOC),)
    assert session.item is None and session.tally == {"S-16": (0, 2)}
    _, nothing = mark_defective(session)
    assert not nothing.ok


def test_closing_refuses_a_pending_item_then_reports_differences():
    session, _ = run(start("receive"), ScannedReceipt(RECEIPT), ScannedItem(BRACKET))
    _, pending = finish_receipt(session)
    assert not pending.ok and "разместите" in pending.message
    session, _ = undo(session)
    session = replace(session, tally={"K-40": (12, 0), "S-16": (4, 1)})
    after, reply = finish_receipt(session)
    assert reply.commands == (CloseReceipt(DOC, "ПЗ-00001", (("K-40", 10), ("S-16", 5))),)
    assert "K-40: 12 из 10" in reply.message and "S-16: 4 из 5, брак 1" in reply.message
    assert after.receipt is None


def test_a_second_receipt_waits_for_the_pending_item():
    _, oks = run(start("receive"), ScannedItem(BRACKET), ScannedReceipt(RECEIPT))
    assert oks == [True, False]


def test_receipt_code_outside_receive_mode_is_refused():
    for mode in ("move", "count", "pick", "ship"):
        _, oks = run(start(mode), ScannedReceipt(RECEIPT))
        assert oks == [False]


def test_ship_mode_needs_a_done_task_and_ships_everything_in_the_assembly_cell():
    _, oks = run(start("ship"), ScannedTask(TASK, (0,)), ScannedCell(ASM), ScannedItem(BRACKET))
    assert oks == [False, False, False]
    _, empty = step(start("ship"), ScannedTask(TASK, (3,), done=True))
    assert not empty.ok and "нечего отгружать" in empty.message
    session, ready = step(start("ship"), ScannedTask(TASK, (3,), done=True, in_cell=(("K-40", 3),)))
    assert ready.ok and "Отгрузить" in prompt(session)
    after, shipped = finish_ship(session)
    assert shipped.commands == (ShipUnits("K-40", ASM.id, 3, TASK.id),)
    assert after.task is None
    _, none = finish_ship(after)
    assert not none.ok


def test_pick_mode_refuses_a_done_task():
    _, oks = run(start("pick"), ScannedTask(TASK, (3,), done=True))
    assert oks == [False]


def test_count_carries_the_count_task():
    session, _ = run(start("count"), ScannedCell(RCV), ScannedItem(BRACKET))
    _, reply = finish_count(session, {"S-16"}, "ПСЧ-00001")
    assert reply.commands == (CountCell("K-40", RCV.id, 1, "ПСЧ-00001"), CountCell("S-16", RCV.id, 0, "ПСЧ-00001"))
