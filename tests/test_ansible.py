"""The Ansible deployment (ansible/), checked without root or remote hosts.

Neither PyYAML nor Ansible is among the locked dependencies, and a test-only YAML library is not worth a new
dependency: the playbook is written in a strict block-style subset of YAML (mappings, lists, plain and quoted
scalars, ``|`` and ``>`` block scalars, ``[]`` and ``{}`` when empty) that ``load_yaml`` below reads. Anything
outside the subset, and any plain scalar whose type YAML 1.1 and 1.2 read differently (``yes``, ``0750``,
``1:30``, dates), fails the test, so a file that passes means the same to Ansible as it does here.

On top of that: every role that site.yml names exists, every template and file a task names exists, every
handler a task notifies exists in the play, every variable a template or task uses is defined (role defaults,
the inventory example, the vault example, a ``register``), the systemd units start ``stockyard`` only with
options the CLI has, the units pass ``systemd-analyze verify``, and the backup scripts and the broker
configuration work against real SQLite, PostgreSQL and Mosquitto.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import pytest
from click.testing import CliRunner
from jinja2 import meta, nodes

from central.cli import main
from edge.bench import free_port
from tests.services import MOSQUITTO, PostgresServer, require, wait_for_port

ROOT = Path(__file__).parent.parent
ANSIBLE = ROOT / "ansible"
ROLES = ANSIBLE / "roles"
# A deployer's own files (ansible/.gitignore) are not part of the playbook: the vault is encrypted.
OPERATOR_FILES = ("inventory.yml", "group_vars/", "host_vars/", ".mqtt-config/")
YAML_FILES = sorted(
    path
    for path in [*ANSIBLE.rglob("*.yml"), *ANSIBLE.rglob("*.yaml")]
    if not path.relative_to(ANSIBLE).as_posix().startswith(OPERATOR_FILES)
)


# --- a strict reader of the YAML subset the playbook is written in ------------------------------------------


class YamlSubsetError(ValueError):
    """A line outside the YAML subset, with file and line number."""


# Plain scalars that YAML 1.1 (PyYAML, Ansible) resolves to something other than a string, bool, null or a
# plain decimal int, or that YAML 1.1 and 1.2 read differently: they must be quoted.
_AMBIGUOUS = [
    re.compile(r"^(?:yes|no|on|off|y|n)$", re.IGNORECASE),
    re.compile(r"^(?:True|TRUE|False|FALSE)$"),
    re.compile(r"^[-+]?(?:0[0-9_]+|0[box][0-9a-fA-F_]+|[0-9][0-9_]*_[0-9_]*)$"),  # octal, hex, underscores
    re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$"),  # sexagesimal
    re.compile(
        r"^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"),  # timestamps
    re.compile(r"^(?:<<|=)$"),
]
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_KEY = re.compile(r"^([A-Za-z0-9_][A-Za-z0-9_.@/-]*|\"[^\"]*\"|'[^']*'):(?: |$)")


class _Reader:
    def __init__(self, text: str, name: str) -> None:
        self.lines = text.splitlines()
        self.name = name
        self.pos = 0

    def fail(self, lineno: int, message: str) -> YamlSubsetError:
        return YamlSubsetError(f"{self.name}:{lineno}: {message}")

    def peek(self) -> tuple[int, int, str] | None:
        """The next line that holds content: (line number, indentation, text after the indentation)."""
        while self.pos < len(self.lines):
            raw = self.lines[self.pos]
            stripped = raw.lstrip(" ")
            if not stripped or stripped.startswith("#"):
                self.pos += 1
                continue
            if stripped.startswith("\t") or "\t" in raw[: len(raw) - len(stripped)]:
                raise self.fail(self.pos + 1, "tabs are not allowed in indentation")
            return self.pos + 1, len(raw) - len(stripped), stripped.rstrip()
        return None

    def document(self) -> Any:
        line = self.peek()
        if line and line[2] == "---":
            self.pos += 1
            line = self.peek()
        if line is None:
            return None
        if line[1] != 0:
            raise self.fail(line[0], "the document must start at column 0")
        value = self.block(0)
        rest = self.peek()
        if rest is not None:
            raise self.fail(rest[0], "unexpected content (indentation?)")
        return value

    def block(self, indent: int) -> Any:
        line = self.peek()
        assert line is not None
        if line[2] == "-" or line[2].startswith("- "):
            return self.sequence(line[1])
        return self.mapping(line[1])

    def sequence(self, indent: int) -> list[Any]:
        items: list[Any] = []
        while (line := self.peek()) is not None and line[1] == indent:
            lineno, _, text = line
            if not (text == "-" or text.startswith("- ")):
                raise self.fail(lineno, "a mapping key where a list item was expected")
            self.pos += 1
            rest = text[1:]
            content = rest.lstrip(" ")
            if not content or content.startswith("#"):
                nested = self.peek()
                if nested is None or nested[1] <= indent:
                    raise self.fail(lineno, "empty list item")
                items.append(self.block(nested[1]))
                continue
            column = indent + 1 + len(rest) - len(content)
            if content == "-" or content.startswith("- "):
                raise self.fail(lineno, "nested lists on one line are outside the subset")
            if _KEY.match(content):
                items.append(self.mapping(column, first=(lineno, content)))
            else:
                items.append(self.scalar(content, lineno, indent))
        if line is not None and line[1] > indent:
            raise self.fail(line[0], "unexpected indentation")
        return items

    def mapping(self, indent: int, first: tuple[int, str] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while True:
            if first is not None:
                lineno, text = first
                first = None
            else:
                line = self.peek()
                if line is None or line[1] < indent:
                    break
                if line[1] > indent:
                    raise self.fail(line[0], "unexpected indentation")
                lineno, _, text = line
                self.pos += 1
            match = _KEY.match(text)
            if match is None:
                raise self.fail(lineno, f"expected `key: value`, found {text!r}")
            key = match.group(1).strip("\"'")
            if key in result:
                raise self.fail(lineno, f"duplicate key {key!r}")
            value_text = text[match.end() :].strip()
            if not value_text or value_text.startswith("#"):
                nested = self.peek()
                if nested is not None and nested[1] > indent:
                    result[key] = self.block(nested[1])
                elif nested is not None and nested[1] == indent and nested[2].startswith("-"):
                    raise self.fail(nested[0], "indent list items under their key")
                else:
                    result[key] = None
            else:
                result[key] = self.scalar(value_text, lineno, indent)
        return result

    def scalar(self, text: str, lineno: int, parent_indent: int) -> Any:
        if text[0] in "|>":
            return self.block_scalar(text, lineno, parent_indent)
        if text[0] == '"':
            end = 1
            while end < len(text) and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if end >= len(text):
                raise self.fail(lineno, "a double-quoted scalar must end on its line")
            self.after_quoted(text[end + 1 :], lineno)
            try:
                return json.loads(text[: end + 1])
            except json.JSONDecodeError as exc:
                raise self.fail(lineno, f"escape outside the subset: {exc}") from exc
        if text[0] == "'":
            match = re.match(r"'((?:[^']|'')*)'", text)
            if match is None:
                raise self.fail(lineno, "a single-quoted scalar must end on its line")
            self.after_quoted(text[match.end() :], lineno)
            return match.group(1).replace("''", "'")
        plain = text.split(" #", 1)[0].rstrip()
        if plain in ("[]", "{}"):
            return [] if plain == "[]" else {}
        if plain[0] in "[]{}&*!%@`?:,":
            raise self.fail(lineno, f"quote the value {plain!r} (flow style, anchors, tags are outside the subset)")
        if ": " in plain or plain.endswith(":"):
            raise self.fail(lineno, f"quote the value {plain!r}: it holds ': '")
        if plain in ("true", "false"):
            return plain == "true"
        if plain in ("null", "~"):
            return None
        if _INT.match(plain):
            return int(plain)
        if any(pattern.match(plain) for pattern in _AMBIGUOUS):
            raise self.fail(lineno, f"quote the value {plain!r}: YAML readers disagree on its type")
        return plain

    def after_quoted(self, rest: str, lineno: int) -> None:
        rest = rest.strip()
        if rest and not rest.startswith("#"):
            raise self.fail(lineno, f"unexpected text after a quoted scalar: {rest!r}")

    def block_scalar(self, header: str, lineno: int, parent_indent: int) -> str:
        header = header.split(" #", 1)[0].strip()
        if header not in ("|", "|-", ">", ">-"):
            raise self.fail(lineno, f"block scalar header {header!r} is outside the subset")
        body: list[str] = []
        indent: int | None = None
        while self.pos < len(self.lines):
            raw = self.lines[self.pos]
            stripped = raw.lstrip(" ")
            if stripped:
                current = len(raw) - len(stripped)
                if current <= parent_indent:
                    break
                if indent is None:
                    indent = current
                if current < indent:
                    raise self.fail(self.pos + 1, "block scalar lines must keep its indentation")
                if header[0] == ">" and current > indent:
                    raise self.fail(self.pos + 1, "more-indented lines in folded scalars are outside the subset")
                body.append(raw[indent:])
            else:
                body.append("")
            self.pos += 1
        while body and not body[-1]:
            body.pop()
        if header[0] == "|":
            text = "\n".join(body)
        else:
            text = ""
            for previous, current_line in zip(["", *body], body, strict=False):
                if not current_line:
                    text += "\n"
                elif previous and text and not text.endswith("\n"):
                    text += " " + current_line
                else:
                    text += current_line
        return text if header.endswith("-") else text + "\n"


def load_yaml(path: Path) -> Any:
    """The document in ``path``, read as the strict subset: ``load_yaml(ANSIBLE / "site.yml")[0]["hosts"]``."""
    return _Reader(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))).document()


# --- what the playbook consists of -------------------------------------------------------------------------


def role_yaml(role: str, part: str) -> list[tuple[Path, Any]]:
    """Every YAML file of one part (tasks, handlers, defaults) of a role, parsed."""
    return [(path, load_yaml(path)) for path in sorted((ROLES / role / part).glob("*.yml"))]


def all_roles() -> list[str]:
    return sorted(path.name for path in ROLES.iterdir() if path.is_dir())


def tasks_of(role: str, part: str = "tasks") -> Iterator[tuple[Path, dict[str, Any]]]:
    for path, document in role_yaml(role, part):
        for task in document or []:
            yield path, task


def module_args(task: dict[str, Any], module: str) -> dict[str, Any] | None:
    """The arguments of ``ansible.builtin.MODULE`` in ``task``, or None when the task runs another module."""
    for key in (f"ansible.builtin.{module}", module):
        if key in task:
            value = task[key]
            return value if isinstance(value, dict) else {"_raw": value}
    return None


def loop_items(task: dict[str, Any]) -> list[Any]:
    loop = task.get("loop")
    return loop if isinstance(loop, list) else []


def site_plays() -> list[dict[str, Any]]:
    plays = load_yaml(ANSIBLE / "site.yml")
    assert isinstance(plays, list)
    return plays


def inventory_vars() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The inventory example's ``all.vars`` and the variables of each host, merged across its groups."""
    inventory = load_yaml(ANSIBLE / "inventory.example.yml")["all"]
    hosts: dict[str, dict[str, Any]] = {}
    for group in inventory["children"].values():
        for host, host_vars in (group.get("hosts") or {}).items():
            hosts.setdefault(host, {}).update(host_vars or {})
    return inventory.get("vars") or {}, hosts


def inventory_groups() -> dict[str, list[str]]:
    inventory = load_yaml(ANSIBLE / "inventory.example.yml")["all"]
    return {name: sorted(group.get("hosts") or {}) for name, group in inventory["children"].items()}


# --- Jinja as Ansible uses it ------------------------------------------------------------------------------


class _AnyCallable(dict[str, Any]):
    """Stands for Ansible's filters and tests when only the variable names of an expression matter."""

    def __contains__(self, key: object) -> bool:
        return True

    def get(self, key: str, default: Any = None) -> Any:
        return lambda value=None, *args, **kwargs: value


NAME_ENV = jinja2.Environment()
NAME_ENV.filters = _AnyCallable()
NAME_ENV.tests = _AnyCallable()

# Set by Ansible itself, not by this playbook.
MAGIC = {"inventory_hostname", "groups", "hostvars", "playbook_dir", "ansible_managed", "role_path", "omit", "lookup"}
# Keys whose values Ansible reads as bare Jinja expressions.
CONDITIONALS = {"when", "changed_when", "failed_when", "until", "that"}


def names_in(template: str) -> set[str]:
    """Variables an Ansible template string reads: ``names_in("{{ a | default(b) }}") == {"a", "b"}``."""
    tree = NAME_ENV.parse(template)
    # Jinja counts a name set inside an {% if %} as possibly undefined after it; the template defines it.
    targets = [node.target for node in tree.find_all(nodes.Assign)]
    assigned = {
        name.name
        for target in targets
        for name in [target, *target.find_all(nodes.Name)]
        if isinstance(name, nodes.Name)
    }
    return set(meta.find_undeclared_variables(tree)) - assigned


def jinja_strings(node: Any, key: str | None = None) -> Iterator[str]:
    """Every Jinja template in a parsed YAML document, conditionals wrapped in ``{{ }}``."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from jinja_strings(v, k)
    elif isinstance(node, list):
        for item in node:
            yield from jinja_strings(item, key)
    elif isinstance(node, str):
        if key in CONDITIONALS:
            yield "{{ " + node + " }}"
        elif "{{" in node or "{%" in node:
            yield node


def defaults() -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for role in all_roles():
        for _, document in role_yaml(role, "defaults"):
            merged.update(document or {})
    return merged


def defined_names() -> set[str]:
    """Every variable the playbook defines: role defaults, inventory and vault examples, registered results."""
    all_vars, hosts = inventory_vars()
    names = set(defaults()) | set(all_vars) | set(load_yaml(ANSIBLE / "vault.example.yml"))
    for host_vars in hosts.values():
        names |= set(host_vars)
    for role in all_roles():
        for part in ("tasks", "handlers"):
            for _, task in tasks_of(role, part):
                if "register" in task:
                    names.add(task["register"])
                names |= set(task.get("vars") or {})
                names |= set(module_args(task, "set_fact") or {})
                if "loop" in task:
                    names.add((task.get("loop_control") or {}).get("loop_var", "item"))
    return names | MAGIC


RENDER_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
# The few Ansible filters and tests the playbook uses, as Ansible defines them.
RENDER_ENV.filters["bool"] = lambda value: value if isinstance(value, bool) else str(value).lower() in {"true", "1"}
RENDER_ENV.filters["urlsplit"] = lambda url, part: getattr(urlsplit(url), part)
RENDER_ENV.filters["regex_replace"] = lambda value, pattern, replacement: re.sub(pattern, replacement, value)
RENDER_ENV.filters["extract"] = lambda key, container, morekey: container[key][morekey]
RENDER_ENV.filters["flatten"] = lambda lists: [item for sub in lists for item in sub]
RENDER_ENV.globals["lookup"] = lambda kind, path: Path(path).read_text(encoding="utf-8").rstrip("\n")
RENDER_ENV.tests["match"] = lambda value, pattern: re.match(pattern, value) is not None


def host_context(host: str, **overrides: Any) -> dict[str, Any]:
    """The variables of ``host`` as Ansible would see them, every ``{{ }}`` in them resolved."""
    all_vars, hosts = inventory_vars()
    context: dict[str, Any] = {
        **defaults(),
        **all_vars,
        **hosts[host],
        **load_yaml(ANSIBLE / "vault.example.yml"),
        "inventory_hostname": host,
        "groups": inventory_groups(),
        "hostvars": {name: {**all_vars, **host_vars} for name, host_vars in hosts.items()},
        "playbook_dir": str(ANSIBLE),
        "ansible_managed": "Ansible managed",
        **overrides,
    }
    for _ in range(10):
        changed = False
        for key, value in context.items():
            if isinstance(value, str) and "{{" in value and key not in overrides:
                rendered = RENDER_ENV.from_string(value).render(context)
                changed |= rendered != value
                context[key] = rendered
        if not changed:
            return context
    raise AssertionError("variables of the inventory example refer to each other in a cycle")


def render(role: str, template: str, context: dict[str, Any]) -> str:
    source = (ROLES / role / "templates" / template).read_text(encoding="utf-8")
    return RENDER_ENV.from_string(source).render(context)


def host_with(group: str) -> str:
    return inventory_groups()[group][0]


# --- the tests ---------------------------------------------------------------------------------------------


def test_the_yaml_reader_refuses_what_yaml_readers_disagree_on(tmp_path):
    path = tmp_path / "x.yml"
    for bad in (
        "a: yes\n",
        "mode: 0750\n",
        "at: 1:30\n",
        "d: 2026-01-01\n",
        "a: {b: 1}\n",
        "a: b: c\n",
        "a: 1\na: 2\n",
    ):
        path.write_text(bad)
        with pytest.raises(YamlSubsetError):
            _Reader(bad, "x.yml").document()
    good = '---\na:\n  - b: "{{ x }}"\n    c: >-\n      one\n      two\n  - plain # note\nd: |\n  l1\n  l2\ne: []\n'
    assert _Reader(good, "x.yml").document() == {
        "a": [{"b": "{{ x }}", "c": "one two"}, "plain"],
        "d": "l1\nl2\n",
        "e": [],
    }


@pytest.mark.parametrize("path", YAML_FILES, ids=[str(p.relative_to(ANSIBLE)) for p in YAML_FILES])
def test_every_yaml_file_parses(path):
    document = load_yaml(path)
    assert isinstance(document, dict | list), f"{path} holds no mapping or list"


def test_the_playbook_has_the_files_the_docs_name():
    for name in ("site.yml", "inventory.example.yml", "vault.example.yml", "ansible.cfg"):
        assert (ANSIBLE / name).is_file(), name
    assert set(inventory_groups()) >= {"central", "broker", "edges"}
    sites = [site["site"] for host in inventory_groups()["edges"] for site in inventory_vars()[1][host]["edge_sites"]]
    assert sorted(sites) == ["S1", "W1"]


def test_every_role_in_site_yml_exists():
    for play in site_plays():
        assert play["hosts"] in inventory_groups(), f"play {play['name']!r} targets an unknown group"
        for role in play["roles"]:
            name = role if isinstance(role, str) else role["role"]
            assert (ROLES / name / "tasks" / "main.yml").is_file(), f"role {name} has no tasks/main.yml"


def test_every_template_file_and_included_task_file_exists():
    for role in all_roles():
        for part in ("tasks", "handlers"):
            for path, task in tasks_of(role, part):
                for module, folder in (("template", "templates"), ("copy", "files")):
                    args = module_args(task, module)
                    if args is None or "src" not in args:
                        continue
                    src = args["src"]
                    sources = [src]
                    if src == "{{ item }}.j2":
                        sources = [f"{item}.j2" for item in loop_items(task)]
                    elif "{{" in src:
                        continue  # a file the operator provides (TLS certificates, generated broker files)
                    for source in sources:
                        assert (ROLES / role / folder / source).is_file(), f"{path}: {folder}/{source} is missing"
                include = module_args(task, "include_tasks")
                if include is not None:
                    file = str(include.get("_raw") or include.get("file"))
                    assert (ROLES / role / "tasks" / file).is_file(), f"{path}: tasks/{file} is missing"


def test_every_notified_handler_exists_in_its_play():
    for play in site_plays():
        roles = [role if isinstance(role, str) else role["role"] for role in play["roles"]]
        handlers: set[str] = set()
        for role in roles:
            for _, handler in tasks_of(role, "handlers"):
                handlers.add(handler["name"])
                if "listen" in handler:
                    handlers.add(handler["listen"])
        for role in roles:
            for path, task in tasks_of(role):
                notify = task.get("notify", [])
                for name in [notify] if isinstance(notify, str) else notify:
                    assert name in handlers, f"{path}: {task['name']!r} notifies {name!r}, unknown in {play['name']!r}"


def test_every_variable_used_is_defined():
    defined = defined_names()
    sources: list[tuple[str, str]] = []
    for template in sorted(ROLES.glob("*/templates/*.j2")):
        sources.append((str(template.relative_to(ROOT)), template.read_text(encoding="utf-8")))
    for path in YAML_FILES:
        sources.extend((str(path.relative_to(ROOT)), text) for text in jinja_strings(load_yaml(path)))
    missing = {(where, name) for where, text in sources for name in names_in(text) - defined}
    assert not missing, f"undefined variables: {sorted(missing)}"


def test_every_inventory_variable_is_known_to_a_role():
    all_vars, hosts = inventory_vars()
    known = set(defaults()) | {"ansible_user", "stockyard_secret_key"}
    used: set[str] = set()
    for path in YAML_FILES:
        for text in jinja_strings(load_yaml(path)):
            used |= names_in(text)
    for template in ROLES.glob("*/templates/*.j2"):
        used |= names_in(template.read_text(encoding="utf-8"))
    names = set(all_vars).union(*hosts.values())
    assert names <= known | used, f"inventory variables no role reads (typos?): {sorted(names - known - used)}"


def exec_start(unit: str) -> list[str]:
    lines = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    assert len(lines) == 1, unit
    return shlex.split(lines[0].removeprefix("ExecStart="))


def environment_file(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return {key: value.strip('"') for key, value in pairs}


def check_stockyard_command(argv: list[str], binary: str) -> list[str]:
    """Parse ``argv`` with the real CLI as systemd would start it; returns the subcommand path."""
    assert argv[0] == binary, f"ExecStart runs {argv[0]}, not {binary}"
    args = argv[1:]
    for token in args:
        assert not token.startswith(("%", "$")), f"unsubstituted {token} in ExecStart"
    context = main.make_context("stockyard", list(args))
    with warnings.catch_warnings():  # Click 8.2+ warns on protected_args; Click 9 folds it into args
        warnings.simplefilter("ignore", DeprecationWarning)
        rest = list(getattr(context, "protected_args", [])) + list(context.args)
    name, rest = rest[0], rest[1:]
    command = main.get_command(context, name)
    assert command is not None, f"stockyard has no command {name}"
    sub = command.make_context(name, rest, parent=context)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        leftover = list(getattr(sub, "protected_args", [])) + list(sub.args)
    assert not leftover, f"stockyard {name} would not accept {leftover}"
    help_text = CliRunner().invoke(main, [name, "--help"]).output + CliRunner().invoke(main, ["--help"]).output
    for token in args:
        if token.startswith("--"):
            assert token in help_text, f"{token} is not in the --help of stockyard {name}"
    return [name]


def test_central_unit_starts_stockyard_central_with_existing_options():
    context = host_context(host_with("central"))
    unit = render("central", "stockyard-central.service.j2", context)
    argv = exec_start(unit)
    assert check_stockyard_command(argv, context["stockyard_bin"]) == ["central"]
    assert argv[argv.index("--port") + 1] == str(context["central_port"])
    env = environment_file(render("central", "central.env.j2", context))
    assert env["STOCKYARD_ENVIRONMENT"] == "production"
    assert {"STOCKYARD_DATABASE_URL", "STOCKYARD_MQTT_URL", "STOCKYARD_SECRET_KEY"} <= set(env)


def substitute(token: str, env: dict[str, str]) -> str:
    """``${NAME}`` replaced from the unit's environment file, as systemd does in ExecStart."""
    return re.sub(r"\$\{(\w+)\}", lambda match: env[match.group(1)], token)


def test_edge_unit_starts_stockyard_edge_with_existing_options():
    for host in inventory_groups()["edges"]:
        context = host_context(host)
        unit = render("edge", "stockyard-edge@.service.j2", context)
        for site in context["edge_sites"]:
            env = environment_file(render("edge", "edge.env.j2", {**context, "item": site}))
            command = " ".join(exec_start(unit)).replace("%i", site["site"])
            argv = [substitute(token, env) for token in command.split(" ")]
            assert check_stockyard_command(argv, context["stockyard_bin"]) == ["edge"]
            assert argv[argv.index("--site") + 1] == site["site"]
            assert argv[argv.index("--data-dir") + 1] == f"{context['stockyard_data_root']}/{site['site']}"
            assert argv[argv.index("--port") + 1] == str(site.get("port", context["edge_default_port"]))
            assert env["STOCKYARD_MQTT_URL"] == context["stockyard_mqtt_url"]


def test_edges_get_their_own_generated_credentials_with_the_tls_scheme_and_ca(tmp_path):
    # The form `stockyard central mqtt-config` writes credentials/SITE.env in (sync/broker.py).
    (tmp_path / "credentials").mkdir()
    (tmp_path / "credentials" / "W1.env").write_text(
        "# MQTT credentials of W1, written by `stockyard central mqtt-config`. Keep secret.\n"
        "STOCKYARD_MQTT_URL=mqtt://W1:s3cr3t-_x@office.example.lan:8883\n"
    )
    context = host_context(
        "w1-edge.example.lan",
        stockyard_mqtt_config=True,
        stockyard_mqtt_config_local_dir=str(tmp_path),
        stockyard_mqtt_url="mqtts://office.example.lan:8883?ca=/etc/stockyard/mqtt-ca.crt",
    )
    env = environment_file(render("edge", "edge.env.j2", {**context, "item": {"site": "W1"}}))
    assert env["STOCKYARD_MQTT_URL"] == "mqtts://W1:s3cr3t-_x@office.example.lan:8883?ca=/etc/stockyard/mqtt-ca.crt"
    plain = host_context(
        "w1-edge.example.lan", stockyard_mqtt_config=True, stockyard_mqtt_config_local_dir=str(tmp_path)
    )
    env = environment_file(render("edge", "edge.env.j2", {**plain, "item": {"site": "W1"}}))
    assert env["STOCKYARD_MQTT_URL"] == "mqtt://W1:s3cr3t-_x@office.example.lan:8883"


UNITS = [
    ("central", "stockyard-central.service.j2", "stockyard-central.service"),
    ("edge", "stockyard-edge@.service.j2", "stockyard-edge@W1.service"),
    ("backup", "stockyard-backup-central.service.j2", "stockyard-backup-central.service"),
    ("backup", "stockyard-backup-central.timer.j2", "stockyard-backup-central.timer"),
    ("backup", "stockyard-backup-edge@.service.j2", "stockyard-backup-edge@W1.service"),
    ("backup", "stockyard-backup-edge@.timer.j2", "stockyard-backup-edge@W1.timer"),
]


def test_systemd_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    require("systemd-analyze", analyze is not None, "apt-get install systemd")
    assert analyze is not None
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for script in ("stockyard-backup-central", "stockyard-backup-sqlite"):
        (bin_dir / script).write_text("#!/bin/sh\n")
        (bin_dir / script).chmod(0o755)
    # The repository's own virtual environment stands for the release: its stockyard binary exists here.
    context = host_context(host_with("edges"), stockyard_current_dir=str(ROOT), backup_bin_dir=str(bin_dir))
    context["stockyard_bin"] = str(ROOT / ".venv" / "bin" / "stockyard")
    names = []
    for role, template, name in UNITS:
        (tmp_path / name).write_text(render(role, template, context))
        names.append(str(tmp_path / name))
    result = subprocess.run([analyze, "verify", "--man=no", *names], capture_output=True, text=True, check=False)
    problems = [line for line in result.stderr.splitlines() if "/" in line or "Failed" in line]
    assert result.returncode == 0 and not problems, result.stderr


def test_edge_backup_copies_a_live_wal_database_and_keeps_the_newest(tmp_path):
    context = host_context(
        host_with("edges"),
        stockyard_data_root=str(tmp_path / "data"),
        backup_root=str(tmp_path / "backups"),
        backup_edge_keep=2,
    )
    argv = exec_start(render("backup", "stockyard-backup-edge@.service.j2", context))
    argv = [token.replace("%i", "W1") for token in argv]
    assert argv[0] == f"{context['backup_bin_dir']}/stockyard-backup-sqlite"
    script = ROLES / "backup" / "files" / "stockyard_backup_sqlite.py"
    (tmp_path / "data" / "W1").mkdir(parents=True)
    live = sqlite3.connect(tmp_path / "data" / "W1" / "W1.db", isolation_level=None)
    live.execute("PRAGMA journal_mode=WAL")
    live.execute("CREATE TABLE outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT)")
    live.execute("INSERT INTO outbox (body) VALUES ('received'), ('moved')")
    live.execute("BEGIN IMMEDIATE")  # the edge is mid-transaction while the backup runs
    live.execute("INSERT INTO outbox (body) VALUES ('uncommitted')")
    for _ in range(3):
        result = subprocess.run([sys.executable, str(script), *argv[1:]], capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
    live.execute("ROLLBACK")
    live.close()
    copies = sorted((tmp_path / "backups" / "W1").glob("W1-*.db"))
    assert len(copies) == 2
    assert not list((tmp_path / "backups" / "W1").glob(".*"))
    with sqlite3.connect(copies[-1]) as copy:
        assert copy.execute("SELECT body FROM outbox ORDER BY seq").fetchall() == [("received",), ("moved",)]
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert (copies[-1].stat().st_mode & 0o077) == 0
    missing = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "nope.db"), str(tmp_path / "b")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert missing.returncode == 1 and "does not exist" in missing.stderr


def test_central_backup_dumps_with_pg_dump_and_drops_old_dumps(tmp_path, postgres: PostgresServer):
    url = postgres.create_database("ansible_backup")
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE orders (id int PRIMARY KEY)")
        conn.execute("INSERT INTO orders VALUES (1), (2)")
    context = host_context(
        host_with("central"),
        backup_root=str(tmp_path),
        central_database_name="ansible_backup",
        backup_central_keep_days=14,
    )
    script = tmp_path / "stockyard-backup-central"
    script.write_text(render("backup", "stockyard-backup-central.j2", context))
    script.chmod(0o755)
    dumps = tmp_path / "central"
    dumps.mkdir()
    old, recent = dumps / "central-20200101T000000Z.dump", dumps / "central-20200102T000000Z.dump"
    for path, age_days in ((old, 20), (recent, 3)):
        path.write_bytes(b"")
        stamp = time.time() - age_days * 86400
        os.utime(path, (stamp, stamp))
    env = {**os.environ, "PGHOST": "127.0.0.1", "PGPORT": str(postgres.port), "PGUSER": "postgres"}
    result = subprocess.run([str(script)], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    new = sorted(set(dumps.glob("central-*.dump")) - {recent})
    assert not old.exists() and recent.exists() and len(new) == 1
    listing = subprocess.run(["pg_restore", "--list", str(new[0])], capture_output=True, text=True, check=True)
    assert "TABLE DATA public orders" in listing.stdout


@pytest.fixture
def broker_dir() -> Iterator[Path]:
    # Mosquitto started as root drops to the mosquitto user, which must read its files.
    path = Path(tempfile.mkdtemp(prefix="stockyard-ansible-mqtt-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_broker_configuration_authenticates_with_the_generated_password_file(broker_dir):
    require("Mosquitto", Path(MOSQUITTO).exists(), "apt-get install mosquitto")
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    port = free_port()
    context = host_context(
        host_with("broker"), mosquitto_port=port, mosquitto_listen_address="127.0.0.1", stockyard_mqtt_config=True
    )
    config = render("broker", "stockyard.conf.j2", context)
    assert "set_tcp_nodelay true" in config and "persistence false" in config
    # Stand-ins for what `stockyard central mqtt-config` will generate: one identity, limited to its topics.
    passwd, acl = broker_dir / "stockyard.passwd", broker_dir / "stockyard.acl"
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(passwd), "W1", "w1-secret"], check=True, capture_output=True)
    acl.write_text("user W1\ntopic readwrite stockyard/W1/#\n")
    config = config.replace("/etc/mosquitto/stockyard.passwd", str(passwd)).replace(
        "/etc/mosquitto/stockyard.acl", str(acl)
    )
    conf_d = broker_dir / "conf.d"
    conf_d.mkdir()
    (conf_d / "stockyard.conf").write_text(config)
    # Debian's main file sets persistence on and includes conf.d, where ours turns it off.
    main_conf = broker_dir / "mosquitto.conf"
    main_conf.write_text(f"persistence true\npersistence_location {broker_dir}/\ninclude_dir {conf_d}\n")
    if os.geteuid() == 0:
        for path in (broker_dir, passwd, acl):
            shutil.chown(path, "mosquitto", "mosquitto")
        passwd.chmod(0o600)
        acl.chmod(0o600)
    process = subprocess.Popen([MOSQUITTO, "-c", str(main_conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for_port(port)

        def connect(username: str | None, password: str | None) -> str:
            client = mqtt.Client(CallbackAPIVersion.VERSION2)
            if username:
                client.username_pw_set(username, password)
            outcome: list[str] = []
            client.on_connect = lambda _c, _u, _f, reason, _p: outcome.append(str(reason))
            client.connect("127.0.0.1", port, keepalive=5)
            deadline = time.monotonic() + 10
            while not outcome and time.monotonic() < deadline:
                client.loop(timeout=0.1)
            client.disconnect()
            return outcome[0] if outcome else "no answer"

        assert connect(None, None) == "Not authorized"
        assert connect("W1", "wrong") == "Not authorized"
        assert connect("W1", "w1-secret") == "Success"
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert not list(broker_dir.glob("*.db")), "the broker persisted despite persistence false"
