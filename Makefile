# Two commands: `make demo` runs the product, `make test` runs the checks. Both set everything up.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PY ?= python3
VENV := .venv
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test install system-deps lint format bench-matching clean

demo: install
	$(VENV)/bin/fairclaim demo

# Browser tests (tests/e2e) run on their own: pytest-playwright keeps an event loop in the main
# thread, which the evidence capture's own sync Playwright must not share.
test: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest --ignore=tests/e2e
	$(VENV)/bin/pytest tests/e2e
	scripts/test-postgres.sh
	scripts/restore-drill.sh

install: system-deps $(STAMP)

system-deps:
	@scripts/system-deps.sh

$(STAMP): pyproject.toml constraints.txt
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "fairclaim needs Python 3.11 or newer; set PY=python3.12 or similar")'
	test -x $(VENV)/bin/python || $(PY) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q -U pip 2>&1 | { grep -v '^WARNING: Location' || true; }
	$(VENV)/bin/python -m pip install -q -c constraints.txt -e '.[dev]' 2>&1 | { grep -v '^WARNING: Location' || true; }
	$(VENV)/bin/python -c 'import fairclaim, django, cv2, faiss, pdqhash'
	touch $(STAMP)

lint: install
	$(VENV)/bin/ruff check src tests bench

format: install
	$(VENV)/bin/ruff format src tests bench
	$(VENV)/bin/ruff check --fix src tests bench

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
