"""The handheld's steps for serials and whole packages, pure (no database): state and scan in, state and reply out."""

from __future__ import annotations

from dataclasses import replace

from edge.terminal.session import (
    PickLine,
    PickTask,
    ScannedCell,
    ScannedItem,
    ScannedPackage,
    ScannedTask,
    ScannedText,
    TypedQuantity,
    finish_count,
    finish_pick,
    prompt,
    start,
    step,
    undo,
)
from edge.warehouse.domain import Cell, CountCell, Item, PickUnits
from edge.warehouse.packing import ShipPackage

PUMP = Item("P-1", "Насос", serialized=True)
STORE, ASM = Cell(101, "A-01", "storage"), Cell(950, "ASM-01", "assembly")
BOX = "046012340000000017"
TASK = PickTask("23-1", "З-1", "ООО «Ромашка»", 950, "ASM-01", (PickLine("P-1", "Насос", 2, 101, "A-01", True),))


def run(session, *inputs):
    reply = None
    for scanned in inputs:
        session, reply = step(session, scanned)
    return session, reply


def test_pick_takes_each_serial_and_the_line_completes_with_them():
    session, reply = run(start("pick"), ScannedTask(TASK, (0,)), ScannedCell(STORE), ScannedItem(PUMP))
    assert reply.ok and prompt(session) == "Отсканируйте серийный номер: P-1 «Насос»"
    session, reply = step(session, TypedQuantity(2))
    assert not reply.ok and reply.message == "Отсканируйте серийный номер товара P-1 «Насос» или «Отмена»"
    session, reply = run(session, ScannedText("SN1", "—"))
    assert reply.ok and reply.message == "P-1: 1 из 2 шт."
    session, reply = step(session, TypedQuantity(2))
    assert not reply.ok and "поштучно" in reply.message
    session, reply = step(session, ScannedItem(PUMP, serial="SN1"))
    assert not reply.ok and reply.message == "Серийный номер SN1 уже отсканирован"
    session, reply = step(session, ScannedItem(PUMP, serial="SN2"))
    assert reply.commands == (PickUnits("23-1", "P-1", 101, 950, 2, ("SN1", "SN2")),)


def test_undo_takes_back_the_last_serial_and_a_finished_pick_keeps_the_rest():
    session, _ = run(
        start("pick"), ScannedTask(TASK, (0,)), ScannedCell(STORE), ScannedItem(PUMP, serial="SN1"), ScannedItem(PUMP)
    )
    session, _ = undo(session)  # the EAN waiting for its serial
    session, reply = undo(session)  # SN1
    assert reply.ok and session.serials == () and session.qty == 0
    session, _ = step(session, ScannedItem(PUMP, serial="SN3"))
    _, done = finish_pick(session)
    assert done.commands[0] == PickUnits("23-1", "P-1", 101, 950, 1, ("SN3",))


def test_count_sends_the_serials_found_per_item():
    session, _ = run(
        start("count"), ScannedCell(STORE), ScannedItem(PUMP, serial="SN1"), ScannedItem(PUMP, serial="SN2")
    )
    _, reply = finish_count(session, {"P-1", "K-40"})
    assert reply.commands == (CountCell("K-40", 101, 0, None), CountCell("P-1", 101, 2, None, ("SN1", "SN2")))


def test_ship_mode_ships_a_closed_package_of_the_task_whole_and_refuses_the_rest():
    ready = replace(start("ship"), task=TASK, shipping=(("P-1", 2),), serials=(("P-1", "SN1"), ("P-1", "SN2")))
    closed = ScannedPackage(BOX, "closed", ASM, None, 2, 0, (("P-1", 2),), (("P-1", "SN1"), ("P-1", "SN2")))
    after, reply = step(ready, closed)
    assert reply.ok and reply.commands == (ShipPackage(BOX, 950, "23-1"),)
    assert reply.message == f"Упаковка {BOX} отгружена: 2 шт. Заказ З-1 отгружен полностью" and after.task is None
    refusals = {
        "не закрыта": replace(closed, status="open"),
        "уже отгружена": replace(closed, status="shipped"),
        "отгружайте паллету": replace(closed, parent="346012340000000018"),
        "а не в ячейке сборки ASM-01": replace(closed, cell=STORE),
        "а к отгрузке по заказу З-1 2 шт": replace(closed, contents=(("P-1", 3),)),
        "не найдена": ScannedPackage(BOX),
    }
    for says, package in refusals.items():
        _, refused = step(ready, package)
        assert not refused.ok and says in refused.message, (says, refused.message)
    _, early = step(start("ship"), closed)
    assert not early.ok and "Сначала отсканируйте задание" in early.message
