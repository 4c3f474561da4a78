"""Refusals of the invoicing and payment commands: an HTTP status and a Russian message for the office."""

from __future__ import annotations


class PaymentRefused(Exception):
    """A refused command; ``status`` is the HTTP answer (422 bad input), ``message`` is for the user."""

    status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(PaymentRefused):
    status = 404


class Forbidden(PaymentRefused):
    status = 403


class Conflict(PaymentRefused):
    """The data is in the wrong state for the command (already invoiced, already matched): reload and decide."""

    status = 409
