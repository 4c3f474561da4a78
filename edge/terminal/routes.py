"""Handheld terminal API: every route turns a request into one call on the site's ``Terminals``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from edge.terminal.service import Feedback, Terminals
from edge.terminal.session import Mode

router = APIRouter(prefix="/api/v1")


def get_terminals(request: Request) -> Terminals:
    """The site's terminals, built once by the composition root."""
    terminals: Terminals = request.app.state.terminals
    return terminals


SiteTerminals = Annotated[Terminals, Depends(get_terminals)]


class FeedbackOut(BaseModel):
    ok: bool
    beep: str
    message: str
    prompt: str
    mode: str
    operator: str | None
    event_seqs: list[int]
    serial: int = 0


def out(feedback: Feedback) -> FeedbackOut:
    return FeedbackOut(beep=feedback.beep, **{**asdict(feedback), "event_seqs": list(feedback.event_seqs)})


class ScanIn(BaseModel):
    workstation: str = Field(min_length=1, max_length=64)
    code: str = Field(min_length=1, max_length=512)
    source: str = Field(default="browser", max_length=128)


class LoginIn(BaseModel):
    badge: str = Field(min_length=1, max_length=64)
    pin: str = Field(min_length=1, max_length=32)


class ModeIn(BaseModel):
    mode: Mode


class QuantityIn(BaseModel):
    qty: int


@router.post("/scans", response_model=FeedbackOut)
def scan(body: ScanIn, terminals: SiteTerminals) -> FeedbackOut:
    """One scanned code from a workstation; the answer says what happened and what to scan next."""
    return out(terminals.scan(body.workstation, body.code, source=body.source))


@router.get("/scans")
def scans(terminals: SiteTerminals, limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> list[dict[str, object]]:
    """The scan journal, newest first: source, raw code, interpretation, outcome, message."""
    return terminals.journal(limit)


@router.get("/terminal/{workstation}", response_model=FeedbackOut)
def terminal_state(workstation: str, terminals: SiteTerminals) -> FeedbackOut:
    return out(terminals.state(workstation))


@router.get("/terminal/{workstation}/last", response_model=FeedbackOut)
def last_answer(workstation: str, terminals: SiteTerminals) -> FeedbackOut:
    """The latest answer of a workstation, including scans from a scanner bound to it (the page polls this)."""
    return out(terminals.last(workstation))


@router.post("/terminal/{workstation}/login", response_model=FeedbackOut)
def login(workstation: str, body: LoginIn, terminals: SiteTerminals) -> FeedbackOut:
    return out(terminals.login(workstation, body.badge, body.pin))


@router.post("/terminal/{workstation}/logout", response_model=FeedbackOut)
def logout(workstation: str, terminals: SiteTerminals) -> FeedbackOut:
    return out(terminals.logout(workstation))


@router.post("/terminal/{workstation}/mode", response_model=FeedbackOut)
def mode(workstation: str, body: ModeIn, terminals: SiteTerminals) -> FeedbackOut:
    return out(terminals.choose_mode(workstation, body.mode))


@router.post("/terminal/{workstation}/qty", response_model=FeedbackOut)
def quantity(workstation: str, body: QuantityIn, terminals: SiteTerminals) -> FeedbackOut:
    return out(terminals.typed(workstation, body.qty))


@router.post("/terminal/{workstation}/finish", response_model=FeedbackOut)
def finish(workstation: str, terminals: SiteTerminals) -> FeedbackOut:
    return out(terminals.finish(workstation))


@router.post("/terminal/{workstation}/undo", response_model=FeedbackOut)
def undo(workstation: str, terminals: SiteTerminals) -> FeedbackOut:
    return out(terminals.undo(workstation))


@router.post("/terminal/{workstation}/defective", response_model=FeedbackOut)
def defective(workstation: str, terminals: SiteTerminals) -> FeedbackOut:
    """Record the units in hand as defective on the open receipt (not put into stock)."""
    return out(terminals.defective(workstation))
