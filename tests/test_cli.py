"""The CLI surface other issues and outside checks rely on: every command helps and is documented."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from central.cli import main

DOCS = Path(__file__).parent.parent / "docs" / "cli.md"


def walk(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command)
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            assert sub is not None, f"{' '.join((*path, name))} is listed but cannot be loaded"
            yield from walk(sub, (*path, name))


ALL = list(walk(main))


def test_the_commands_the_issues_name_exist():
    paths = {" ".join(p) for p, _ in ALL}
    for required in ("central", "central seed", "edge", "demo", "simulate", "sync", "bench"):
        assert required in paths


@pytest.mark.parametrize(("path", "command"), ALL, ids=[" ".join(p) or "stockyard" for p, _ in ALL])
def test_every_command_has_help(path, command):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert (command.help or "").strip(), f"stockyard {' '.join(path)} has no help text"


@pytest.mark.parametrize(("path", "command"), ALL, ids=[" ".join(p) or "stockyard" for p, _ in ALL])
def test_every_command_is_documented(path, command):
    heading = "## `" + " ".join(("stockyard", *path)) + "`"
    assert heading in DOCS.read_text(encoding="utf-8"), f"docs/cli.md lacks the heading {heading}"


def test_settings_error_is_a_sentence_and_exit_code(tmp_path):
    result = CliRunner().invoke(main, ["edge", "--site", "w1", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "site code 'w1' must be upper-case letters and digits" in result.output
