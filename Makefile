# Everything a new developer needs: `make run` to try it, `make test` to check it.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check --quiet
# Test processes (pytest-xdist): one more than the cores by default, as a worker waiting on the
# database server, a browser or a subprocess leaves its core idle (one per core kept the two
# cores of CI about 65% busy); PYTEST_WORKERS=0 runs in one process. Each takes the next test
# when it is free (worksteal), so no core idles while another has a queue of slow tests.
PYTEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
PYTEST_XDIST = --numprocesses $(PYTEST_WORKERS) --dist worksteal
# A marker `make test` leaves out besides the Redis restart: .ci/run's PostgreSQL pass leaves out
# same_on_any_database, the tests that would only repeat the first pass.
PYTEST_SKIP ?=

# The tests whose outcome depends on the day: the demo, progress, pace, currency, reminders and
# reports. `make test-dates` runs them with the clock moved (tests/conftest.py). The progress
# rules' and the writes' own tests (tests/trainees/progress/test_progress.py,
# tests/trainees/test_services.py) are written on fixed dates and set their own clock.
DATE_SENSITIVE_TESTS := tests/test_demo_plan.py tests/test_seed_demo.py tests/test_demo_data.py \
	tests/trainees/progress/test_dashboard.py \
	tests/trainees/progress/test_cache.py tests/trainees/medical/test_pages.py \
	tests/trainees/assessments/test_services.py \
	tests/notifications/test_sweep.py tests/notifications/test_views.py \
	tests/reports/test_reports.py tests/reports/test_weekly_progress.py tests/test_page_queries.py

.PHONY: run test test-fast test-dates lint install install-dev migrate demo messages check-deploy clean bench screenshots fuzz

$(PY):
	$(PYTHON) -m venv $(VENV)

# Reinstall only when a requirements file changes.
$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

## Benchmark under gunicorn + wrk (docs/benchmarks.md); set DATABASE_URL for PostgreSQL.
bench: install-dev
	PYTHON=$(PY) bench/run

## PNGs of the main pages at desktop and phone width in en, zh-hans, ur (docs/e2e.md).
screenshots: install-dev
	$(PY) docs/screenshots/make_screenshots.py

## Serve http://127.0.0.1:8000 with a Celery worker and beat beside it; Ctrl-C stops all three.
run: demo
	@echo "Serving http://127.0.0.1:8000/  (Ctrl-C stops the web server, the worker and beat)"
	$(VENV)/bin/honcho start -f Procfile

## Lint Python, its imports (pyproject.toml's contracts) and templates, check migrations, then
## run the whole test suite. LINT=0 runs the suite alone (.ci/run's second pass: the code linted
## in the first has not changed). DATES_ELSEWHERE=1 leaves out the date-sensitive tests, which
## .ci/run's second pass runs on another day instead (`make test-dates`).
LINT ?= 1
DATES_ELSEWHERE ?=
test: install-dev
ifneq ($(LINT),0)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/djlint templates --lint
	$(PY) manage.py makemigrations --check --dry-run
endif
	$(VENV)/bin/pytest $(PYTEST_XDIST) -m "not restarts_redis$(if $(PYTEST_SKIP), and not $(PYTEST_SKIP))" $(PYTEST_ARGS) $(if $(DATES_ELSEWHERE),$(addprefix --ignore=,$(DATE_SENSITIVE_TESTS)))
	@# Alone and last: it restarts the Redis server the rest uses (5: PYTEST_ARGS chose none of it).
	$(VENV)/bin/pytest -m restarts_redis $(PYTEST_ARGS) || [ $$? -eq 5 ]

## The inner loop: the suite without the browser, the property-based (fuzz) and slow tests and the
## Redis restart, and without the linters; `make test` runs everything.
test-fast: install-dev
	$(VENV)/bin/pytest $(PYTEST_XDIST) -m "not e2e and not fuzz and not slow and not restarts_redis" $(PYTEST_ARGS)

## The date-sensitive tests on another day: TRACKER_TEST_DATE=YYYY-MM-DD[THH:MM] chooses it;
## unset, a moment within three years either side of now is drawn and printed.
test-dates: install-dev
	@moment="$${TRACKER_TEST_DATE:-$$($(PY) -c 'import datetime as d, random as r; m = d.datetime.now() + d.timedelta(minutes=r.randrange(-3 * 525600, 3 * 525600)); print(m.strftime("%Y-%m-%dT%H:%M"))')}"; \
	echo "=== Date-sensitive tests with the clock at $$moment (reproduce: TRACKER_TEST_DATE=$$moment make test-dates) ==="; \
	TRACKER_TEST_DATE=$$moment $(VENV)/bin/pytest $(PYTEST_XDIST) $(if $(PYTEST_SKIP),-m "not $(PYTEST_SKIP)") $(DATE_SENSITIVE_TESTS)

## Hostile input at length: tests/security's generators with FUZZ_SCALE (8) times the examples,
## on PostgreSQL (DATABASE_URL=postgres://...), where NUL, dates and column limits bite; no
## per-test time limit (a page's 100 examples can pass 300 s on a busy machine).
fuzz: install-dev
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make fuzz: set DATABASE_URL=postgres://..."; exit 2;; esac
	HYPOTHESIS_PROFILE=fuzz $(VENV)/bin/pytest --numprocesses $(PYTEST_WORKERS) --timeout 0 -p no:randomly -q tests/security/test_hostile_input.py tests/security/test_hostile_reach.py $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Refresh the translation catalogues after changing visible strings, then compile them.
messages: install-dev
	$(PY) manage.py makemessages --locale zh_Hans --locale ur --no-obsolete --add-location file --ignore '.venv/*' --ignore 'var/*' --ignore 'staticfiles/*' --ignore 'tests/*'
	$(PY) manage.py compilemessages --locale zh_Hans --locale ur --ignore '.venv/*'

clean:
	rm -rf $(VENV) staticfiles
