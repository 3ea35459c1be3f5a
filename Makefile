# Maillage — the README's commands. Everything the project needs is installed from here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := MAILLAGE_ENV=development FLASK_APP=wsgi $(BIN)/flask
HOST ?= 127.0.0.1
PORT ?= 5000
# Mailed links, the printable sheet's QR code and the API's links follow the port make run serves on
# (an address the browser can open: 0.0.0.0 listens everywhere, links say 127.0.0.1); BASE_URL wins when set.
BASE_URL ?= http://$(if $(filter 0.0.0.0,$(HOST)),127.0.0.1,$(HOST)):$(PORT)

.PHONY: run test lint install install-dev constraints assets browser catalogues translations icons db seed bench relevance clean

## make run: the app with a demo network on the embedded default (SQLite, console mail) + the scheduler
run: install assets catalogues db seed
	@echo "Maillage sur $(BASE_URL) (planificateur lancé à côté ; Ctrl+C arrête les deux)"
	@echo "Essayer : README.md, « Essayer en 5 minutes » ; mot de passe des comptes de démonstration : demo-maillage-44"
	@BASE_URL=$(BASE_URL) $(FLASK) scheduler run & scheduler=$$!; \
	  trap 'kill $$scheduler 2>/dev/null' EXIT; trap 'exit 0' INT TERM; \
	  BASE_URL=$(BASE_URL) $(FLASK) run --host $(HOST) --port $(PORT)

## make test: installs everything the suite needs, then runs it (TEST_DATABASE_URL for PostgreSQL)
test: install-dev assets browser catalogues
	$(BIN)/pytest

lint: install-dev
	$(BIN)/ruff check coordination export tests wsgi.py
	$(BIN)/lint-imports

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "venv manque : apt-get install python3-venv"; exit 1; }
	$(BIN)/pip install --quiet --upgrade pip || { rm -rf $(VENV); exit 1; }

# Python packages at the versions CI runs with (constraints.txt), within setup.cfg's ranges
$(VENV)/.installed: setup.cfg pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: setup.cfg pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make constraints: writes the virtualenv's versions to constraints.txt (after an upgrade that make test passed)
constraints: install-dev
	{ grep '^#' constraints.txt; $(BIN)/pip freeze --exclude-editable | grep -v '^#' | grep -iv '^maillage=='; } \
	  > constraints.txt.new && mv constraints.txt.new constraints.txt

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed

## the compiled catalogues (.mo, never committed): each language's .po, and French typeset from the template
catalogues: install
	$(BIN)/python -c "from coordination.web.i18n import compile_catalogues; compile_catalogues()"

## make translations: extracts every marked string and updates each language's .po (then translate, make catalogues)
translations: install-dev
	$(BIN)/pybabel -q extract --mapping-file babel.cfg --keywords lazy_gettext --keywords N_ --sort-by-file --omit-header \
	  -o coordination/translations/messages.pot .
	$(BIN)/pybabel -q update --input-file coordination/translations/messages.pot --output-dir coordination/translations \
	  --no-fuzzy-matching --ignore-obsolete
	@# no dates in the headers: they would make every merge of two catalogues conflict
	sed -i -E '/^"(POT-Creation-Date|PO-Revision-Date): /d' coordination/translations/*/LC_MESSAGES/messages.po

## Debian's Chromium, for the browser and accessibility tests (Playwright drives it; no browser download)
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Chromium manque : sudo apt-get install chromium (tests navigateur ignorés)"; fi; \
	fi

db: install
	@mkdir -p var
	$(FLASK) db upgrade

seed: db
	$(FLASK) demo seed --if-empty

## make bench: the national-scale benchmark (100,000 places; BENCH_PLACES=5000 for a quick run), not part of make test
bench: install-dev assets
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "wrk manque : sudo apt-get install wrk (débit mesuré avec le générateur Python)"; fi; \
	fi
	BENCH_PLACES=$(BENCH_PLACES) $(BIN)/python -m bench.run

## make relevance: the search relevance benchmark on the real-world files (REAL_WORLD), not part of make test
REAL_WORLD ?= ../shared/reference/real-world
relevance: install-dev assets
	RELEVANCE_DATA=$(REAL_WORLD) $(BIN)/python -m bench.relevance

clean:
	rm -rf $(VENV) node_modules var .pytest_cache
