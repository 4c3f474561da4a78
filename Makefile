# The two commands of README.md, each doing all of its own set-up on a fresh Debian machine.
PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test venv lint typecheck pytest clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

venv: $(UV)
	$(UV) sync --frozen --quiet

demo: venv
	scripts/system-deps demo
	$(BIN)/stockyard demo

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy $(wildcard central edge optimizer devices sync) tests

pytest: venv
	$(BIN)/pytest $(PYTEST_ARGS)

test: venv
	scripts/system-deps test
	$(MAKE) --no-print-directory lint typecheck pytest

clean:
	rm -rf .tools $(VENV) .mypy_cache .ruff_cache .pytest_cache
