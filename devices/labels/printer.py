"""A network label printer on raw TCP (port 9100): ``LabelPrinter("10.0.0.5").send(zpl, timeout=5)``.

The printer reads the job until the connection closes and answers nothing, so ``send`` connects, writes the
whole job, half-closes and is done. Every failure becomes one ``PrinterError``: ``reason`` for machines, a
Russian ``message`` for the operator; the log gets the English account.
"""

from __future__ import annotations

import logging
import socket

log = logging.getLogger(__name__)

RAW_PORT = 9100


class PrinterError(RuntimeError):
    """A job that did not reach the printer: ``reason`` (``unreachable``, ``refused``…), ``message`` in Russian."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class LabelPrinter:
    """One printer's raw port: ``LabelPrinter("10.0.0.5", 9100, name="Упаковка-1")``."""

    def __init__(self, host: str, port: int = RAW_PORT, *, name: str | None = None) -> None:
        self.host = host
        self.port = port
        self.name = name or f"{host}:{port}"

    def __repr__(self) -> str:
        return f"LabelPrinter({self.host!r}, {self.port}, name={self.name!r})"

    def send(self, zpl: str, timeout: float = 5.0) -> int:
        """Send one job (UTF-8, as ``^CI28`` declares); return the bytes written: ``printer.send(zpl)``."""
        data = zpl.encode("utf-8")
        try:
            with socket.create_connection((self.host, self.port), timeout=timeout) as conn:
                conn.sendall(data)
                conn.shutdown(socket.SHUT_WR)
        except ConnectionRefusedError as error:
            raise self._failed("refused", "отклонил соединение — включён ли он и открыт ли порт", error) from error
        except TimeoutError as error:
            raise self._failed("timeout", f"не ответил за {timeout:g} с — проверьте сеть и питание", error) from error
        except socket.gaierror as error:
            raise self._failed("unknown_host", "не найден по имени — проверьте адрес в настройках", error) from error
        except (ConnectionResetError, BrokenPipeError) as error:
            raise self._failed("refused", "оборвал соединение во время печати — задание не принято", error) from error
        except OSError as error:
            raise self._failed("unreachable", "недоступен по сети — проверьте кабель и адрес", error) from error
        log.info("sent %d bytes to printer %s at %s:%s", len(data), self.name, self.host, self.port)
        return len(data)

    def _failed(self, reason: str, what: str, error: BaseException) -> PrinterError:
        log.warning(
            "printer %s at %s:%s: %s (%s: %s)", self.name, self.host, self.port, reason, type(error).__name__, error
        )
        where = f"{self.host}:{self.port}"
        who = f"{where}" if self.name == where else f"«{self.name}» ({where})"
        return PrinterError(reason, f"Принтер {who} {what}")
