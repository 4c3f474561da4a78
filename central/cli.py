"""The ``stockyard`` command: one entry point for central, edges, the demo, simulators, sync tools and benches.

Subcommands are imported only when used, so ``stockyard edge`` never loads the optimizer and
``stockyard --help`` answers at once.
"""

from __future__ import annotations

import importlib
import logging
import sys
from typing import Any

import click
import structlog


class LazyGroup(click.Group):
    """A group whose commands live in other modules, named ``"module:attribute"``."""

    def __init__(
        self,
        *args: Any,
        lazy_subcommands: dict[str, str] | None = None,
        default_command: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = lazy_subcommands or {}
        self.default_command = default_command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # ``stockyard simulate --edge-url …`` means its default subcommand: options first, no command name.
        if self.default_command and args and args[0].startswith("-") and args[0] not in ("-h", "--help"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy_subcommands])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_subcommands:
            module_name, attribute = self.lazy_subcommands[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy_subcommands[cmd_name]} is not a click command")
            return command
        return super().get_command(ctx, cmd_name)


def configure_logging(level: str = "INFO") -> None:
    """Structured logs on stderr: JSON lines for services, readable lines on a terminal."""
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=False) if sys.stderr.isatty() else structlog.processors.JSONRenderer()
    )
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


@click.group(
    cls=LazyGroup,
    lazy_subcommands={
        "central": "central.commands:central",
        "edge": "edge.commands:edge",
        "demo": "central.demo.supervisor:demo",
        "simulate": "central.commands:simulate",
        "sync": "central.commands:sync",
        "bench": "central.commands:bench",
        "payroll": "central.payroll.cli:payroll",
    },
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110},
)
@click.option("--log-level", default="INFO", show_default=True, help="Logging level of this process.")
def main(log_level: str) -> None:
    """Stockyard: warehouse and shop-floor edges, the central office, the optimizer."""
    configure_logging(log_level.upper())


if __name__ == "__main__":
    main()
