# Two commands for a new user: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

CHROMIUM := /usr/bin/chromium
DEJAVU := /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
BROWSER_DEBS := chromium fonts-dejavu-core

.PHONY: run test lint fmt install browser-deps bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python -m registry.devrun --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium (never a downloaded one) and the PDF report embeds
# DejaVu Sans: installed here when missing (as root, or with password-less sudo); otherwise
# the one command to run is printed and the tests do not start.
browser-deps:
	@if [ ! -x $(CHROMIUM) ] || [ ! -f $(DEJAVU) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing $(BROWSER_DEBS) for the browser tests and the PDF report"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_DEBS); \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_DEBS); \
	  else \
	    echo "make test needs Chromium and DejaVu fonts; run: sudo apt-get install -y $(BROWSER_DEBS)"; \
	    exit 2; \
	  fi; \
	fi

test: install browser-deps
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python bench/import_persons.py --rows 20000

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis
