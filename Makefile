# The two set-up commands: `make run` and `make test`. Everything else is a helper of theirs.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := wsgi
# Links in the demo's emails point at the port `make run` serves on, unless told otherwise.
export TRACKER_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run serve setup venv assets translations migrate demo test test-sqlite test-postgres bench lint clean

run: setup migrate demo ## set up everything, then serve the app (and the scheduler beside it) on http://127.0.0.1:$(PORT)
	@echo ""
	@$(BIN)/flask demo logins
	@echo "Serving on http://127.0.0.1:$(PORT) with the scheduler beside it (Ctrl+C stops both)"
	@trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/flask scheduler run & scheduler=$$!; \
	  $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

setup: venv assets translations ## Python environment, ECL assets, compiled catalogues

venv: $(BIN)/.installed
$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

NOTO := node_modules/@fontsource/noto-sans/files/noto-sans
assets: node_modules/.package-lock.json ## serve ECL's dist from static/ecl and the PDF fonts from static/fonts (copied, never committed)
	rm -rf static/ecl static/vendor static/fonts
	mkdir -p static/ecl static/vendor static/fonts
	cp -R node_modules/@ecl/preset-ec/dist/. static/ecl/
	cp $(NOTO)-{latin,latin-ext,greek,cyrillic}-{400,700}-normal.woff $(NOTO)-{latin,latin-ext,greek,cyrillic}-400-italic.woff static/fonts/

translations: venv ## compile the .po catalogues (the .mo files are build output)
	$(BIN)/flask translate compile

migrate: venv
	$(BIN)/flask db upgrade

demo: venv ## load the demo campaign when the database is empty
	$(BIN)/flask demo load --if-empty

test: setup ## the whole suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	 else echo "TEST_DATABASE_URL is not set: PostgreSQL run skipped (CI sets it)"; fi

test-sqlite:
	@echo "== test suite on SQLite"
	env -u TEST_DATABASE_URL $(BIN)/pytest -m "not postgresql" $(PYTEST_ARGS)

test-postgres:
	@echo "== test suite on PostgreSQL ($$TEST_DATABASE_URL)"
	$(BIN)/pytest -m "not once" $(PYTEST_ARGS)

bench: setup ## benchmarks on the large dataset; prints a table and writes bench/results.json
	command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y wrk; }
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.load

lint: venv
	$(BIN)/ruff check .

clean:
	rm -rf static/ecl static/vendor static/fonts instance/test*.db .pytest_cache
