"""Printing over raw TCP 9100 to a real listener on loopback, and the operator's error when nobody listens."""

from __future__ import annotations

import logging
import socket
import socketserver
import threading
from collections.abc import Iterator

import pytest

from devices.labels import CellLabel, LabelPrinter, PrinterError, render_zpl


class Capture(socketserver.BaseRequestHandler):
    """Reads one job until the client closes, as a label printer does, and hands it to the test."""

    def handle(self) -> None:
        chunks = []
        while chunk := self.request.recv(65536):
            chunks.append(chunk)
        server: FakePrinter = self.server  # type: ignore[assignment]
        server.jobs.append(b"".join(chunks))
        server.received.set()


class FakePrinter(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Capture)
        self.jobs: list[bytes] = []
        self.received = threading.Event()

    @property
    def port(self) -> int:
        return int(self.server_address[1])


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    server = FakePrinter()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_printer_receives_exactly_the_zpl_in_utf8(printer):
    zpl = render_zpl(CellLabel(101, "A-01-01-01"))
    sent = LabelPrinter("127.0.0.1", printer.port, name="Стеллажи").send(zpl, timeout=5)
    assert printer.received.wait(5)
    assert printer.jobs == [zpl.encode("utf-8")]
    assert sent == len(zpl.encode("utf-8"))
    assert "Ячейка".encode() in printer.jobs[0]


def test_two_jobs_arrive_as_two_connections_in_order(printer):
    client = LabelPrinter("127.0.0.1", printer.port)
    for address in ("A-01-01-01", "A-01-01-02"):
        printer.received.clear()
        client.send(render_zpl(CellLabel(101, address)))
        assert printer.received.wait(5)
    assert [b"A-01-01-01" in job for job in printer.jobs] == [True, False]
    assert [b"A-01-01-02" in job for job in printer.jobs] == [False, True]


def test_unreachable_printer_gives_a_russian_message_and_an_english_log(caplog):
    port = free_port()  # nobody listens: the connection is refused
    caplog.set_level(logging.WARNING, logger="devices.labels.printer")
    with pytest.raises(PrinterError) as raised:
        LabelPrinter("127.0.0.1", port, name="Упаковка-1").send("^XA^XZ", timeout=2)
    assert raised.value.reason == "refused"
    assert raised.value.message == (
        f"Принтер «Упаковка-1» (127.0.0.1:{port}) отклонил соединение — включён ли он и открыт ли порт"
    )
    assert f"printer Упаковка-1 at 127.0.0.1:{port}: refused (ConnectionRefusedError" in caplog.text


def test_a_printer_that_does_not_answer_times_out():
    # A listening socket that never accepts: once its backlog is full, the kernel drops further SYNs and a
    # connect hangs until its timeout, as with a printer that is powered but stuck.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(0)
        port = silent.getsockname()[1]
        fillers: list[socket.socket] = []
        try:
            while len(fillers) < 16:
                try:
                    fillers.append(socket.create_connection(("127.0.0.1", port), timeout=0.3))
                except TimeoutError:
                    break
            else:
                pytest.skip("this kernel accepts connections beyond the backlog")
            with pytest.raises(PrinterError) as raised:
                LabelPrinter("127.0.0.1", port, name="Склад").send("^XA^XZ", timeout=0.5)
        finally:
            for filler in fillers:
                filler.close()
    assert raised.value.reason == "timeout"
    assert raised.value.message == f"Принтер «Склад» (127.0.0.1:{port}) не ответил за 0.5 с — проверьте сеть и питание"


def test_unknown_host_is_named_in_the_message():
    with pytest.raises(PrinterError) as raised:
        LabelPrinter("no-such-printer.invalid").send("^XA^XZ", timeout=2)
    assert raised.value.reason == "unknown_host"
    assert "no-such-printer.invalid:9100" in raised.value.message
