"""Pack mode and package moves at the handheld, as pure session transitions (WH-2)."""

from __future__ import annotations

from edge.terminal.session import (
    Mode,
    ScannedCell,
    ScannedItem,
    ScannedPackage,
    Session,
    TypedQuantity,
    finish_pack,
    prompt,
    start,
    step,
)
from edge.warehouse.domain import Cell, Item, MoveUnits
from edge.warehouse.packing import ClosePackage, MovePackage, NestPackage, PackUnits

ASM = Cell(950, "ASM-01", "assembly")
SHIP = Cell(960, "SHP-01", "shipping")
K40 = Item("K-40", "Кронштейн")
BOX = "046012340000000017"
BOX2 = "046012340000000024"
PALLET = "346012340000000018"


def run(session: Session, *inputs: object) -> Session:
    for scanned in inputs:
        session, reply = step(session, scanned)  # type: ignore[arg-type]
        assert reply.ok, reply.message
    return session


def test_a_box_is_opened_filled_and_closed():
    session = start("pack")
    session, reply = step(session, ScannedPackage(BOX))
    assert not reply.ok and "ячейку" in reply.message  # the cell comes first
    session = run(session, ScannedCell(ASM), ScannedPackage(BOX))
    assert session.package == BOX and "Сканируйте товар" in prompt(session)
    session, reply = step(session, ScannedItem(K40))
    assert reply.commands == (PackUnits(BOX, 950, "K-40", 1),)
    session, reply = step(session, TypedQuantity(5))  # five of it in all
    assert reply.commands == (PackUnits(BOX, 950, "K-40", 4),)
    session, reply = step(session, TypedQuantity(3))
    assert not reply.ok and not reply.commands
    session, reply = step(session, ScannedPackage(BOX2))
    assert not reply.ok and "завершите" in reply.message
    session, reply = finish_pack(session)
    assert reply.ok and reply.commands == (ClosePackage(BOX),) and "этикетку" in reply.message
    assert session.package is None and session.cell == ASM  # the next box at the same cell


def test_an_empty_box_does_not_close_and_a_closed_one_does_not_reopen():
    session = run(start("pack"), ScannedCell(ASM), ScannedPackage(BOX))
    assert not finish_pack(session)[1].ok
    fresh = run(start("pack"), ScannedCell(ASM))
    _, reply = step(fresh, ScannedPackage(BOX, "closed", ASM, units=5))
    assert not reply.ok and "закрыта" in reply.message


def test_an_open_box_resumes_at_its_cell():
    session, reply = step(start("pack"), ScannedPackage(BOX, "open", ASM, units=2))
    assert reply.ok and session.package == BOX and session.cell == ASM and session.packed == 2
    assert finish_pack(session)[1].commands == (ClosePackage(BOX),)


def test_a_pallet_takes_closed_boxes():
    session = run(start("pack"), ScannedCell(ASM), ScannedPackage(PALLET))
    session, reply = step(session, ScannedPackage(BOX, "closed", ASM, units=5))
    assert reply.commands == (NestPackage(PALLET, BOX, 950),)
    session, reply = step(session, ScannedPackage(BOX2, "closed", ASM, units=3))
    assert reply.commands == (NestPackage(PALLET, BOX2, 950),) and session.packed == 8
    assert finish_pack(session)[1].commands == (ClosePackage(PALLET),)


def test_move_mode_moves_a_closed_package_whole():
    session = run(start("move"), ScannedCell(ASM), ScannedPackage(BOX, "closed", ASM, units=5))
    assert "ячейку назначения" in prompt(session)
    session, reply = step(session, ScannedCell(SHIP))
    assert reply.commands == (MovePackage(BOX, 950, 960),) and session == start("move")


def test_move_mode_refuses_an_open_nested_or_elsewhere_package():
    at_asm = run(start("move"), ScannedCell(ASM))
    for package, words in (
        (ScannedPackage(BOX, "open", ASM, units=1), "не закрыта"),
        (ScannedPackage(BOX, "closed", ASM, parent=PALLET, units=1), "на паллете"),
        (ScannedPackage(BOX, "closed", SHIP, units=1), "в ячейке SHP-01"),
        (ScannedPackage(BOX), "не найдена"),
    ):
        session, reply = step(at_asm, package)
        assert not reply.ok and words in reply.message and session == at_asm
    # Loose units in hand first: the package waits.
    holding = run(at_asm, ScannedItem(K40))
    assert not step(holding, ScannedPackage(BOX, "closed", ASM, units=1))[1].ok
    _, reply = step(holding, ScannedCell(SHIP))
    assert reply.commands == (MoveUnits("K-40", 950, 960, 1),)


def test_other_modes_refuse_a_package_with_the_reason():
    modes: tuple[Mode, ...] = ("receive", "count", "pick", "ship")
    for mode in modes:
        _, reply = step(start(mode), ScannedPackage(BOX))
        assert not reply.ok and not reply.commands, mode
