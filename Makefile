# Two commands for a fresh machine with only Python: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
SERVICES_ENV := DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/0

BROWSER_STAMP := $(VENV)/.browser
DOCUMENTS_STAMP := $(VENV)/.documents
# The suites run on this many worker processes (pytest-xdist), one per core of CI's two; 0 runs in one process.
TEST_WORKERS ?= 2
XDIST := $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS))

.PHONY: run test test-services test-browser diagrams bench bench-notifications bench-dashboards simulate lint setup messages

# A demo on this machine: plain HTTP on 127.0.0.1, a key generated into var/, the demo accounts and their
# list on the sign-in page. Anything else is production (README "Production"): SECRET_KEY is required.
run bench bench-notifications bench-dashboards simulate: export XCERT_DEMO = 1
# Compiling the catalogues needs no key of production's: the demo's will do.
messages: export XCERT_DEMO = 1

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

# The message catalogues are compiled from locale/*/LC_MESSAGES/django.po on every run.
messages: $(STAMP)
	$(PY) manage.py compile_catalogues

$(BROWSER_STAMP): $(STAMP) scripts/install-browser
	scripts/install-browser
	touch $(BROWSER_STAMP)

# Pango and the Noto CJK fonts WeasyPrint lays the PDF documents out with, from Debian's packages.
$(DOCUMENTS_STAMP): $(STAMP) scripts/install-documents
	scripts/install-documents
	touch $(DOCUMENTS_STAMP)

run: $(STAMP) $(DOCUMENTS_STAMP) messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py deploy_processes
	$(PY) manage.py load_demo
	# The timer scheduler (deadlines, reminders) runs beside the server and stops with it.
	$(PY) manage.py run_timers --loop --interval 30 > var/run_timers.log 2>&1 & SCHEDULER=$$!; \
	trap 'kill $$SCHEDULER 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) webapp.asgi:application

test: $(STAMP) $(DOCUMENTS_STAMP) messages
	$(PY) -m pytest $(XDIST) -m "not services and not browser"

test-services: $(STAMP) $(DOCUMENTS_STAMP) messages
	$(SERVICES_ENV) $(PY) -m pytest $(XDIST) --create-db -m "not browser"

# Headless Debian chromium driven by Playwright; screenshots land in docs/screenshots/.
test-browser: $(BROWSER_STAMP) $(DOCUMENTS_STAMP) messages
	$(PY) -m pytest -m browser

# The README's pictures of the models, drawn again by bpmn-js in chromium from bpmn/processes/;
# make test-browser fails while a committed picture differs from what the models draw.
diagrams: $(BROWSER_STAMP) messages
	XCERT_WRITE_DIAGRAMS=1 $(PY) -m pytest -m browser tests/browser/test_diagrams_in_chromium.py

bench: $(STAMP)
	rm -rf var/bench
	XCERT_VAR_DIR=var/bench $(PY) manage.py bench

# Each dashboard and table timed, with its query count, on the national-scale data set (tryout/national_scale.py).
bench-dashboards: $(STAMP)
	rm -rf var/bench
	XCERT_VAR_DIR=var/bench $(PY) manage.py bench_dashboards

# Commit -> frame latency at 1, 100 and 1,000 WebSocket clients, in-memory and Redis layers.
bench-notifications: $(STAMP) messages
	rm -rf var/bench
	XCERT_VAR_DIR=var/bench $(PY) manage.py bench_notifications

simulate: $(STAMP)
	$(PY) manage.py simulate --alliances 50 --seed 1 --cold

lint: $(STAMP)
	$(VENV)/bin/ruff check .
