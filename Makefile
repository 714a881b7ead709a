# Two commands for a fresh machine (see README):
#   make run    install, migrate, load demo data, serve on http://127.0.0.1:8000
#   make test   install with the dev extra and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint format migrations-check worker beat postman clean fuzz

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo_data
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

worker: install
	$(BIN)/celery -A lms_project worker -Q default,emails,progress,certificates -l info

beat: install
	$(BIN)/celery -A lms_project beat -l info --scheduler django_celery_beat.schedulers:DatabaseScheduler

# Schema fuzzing (scripts/fuzz_api.py): schemathesis against the production server on PostgreSQL
# + Redis, once per role, fixed seed, ~4.5 min. Longer: FUZZ_MAX_EXAMPLES=200 FUZZ_MAX_TIME=1800 make fuzz
fuzz: install
	$(BIN)/python scripts/fuzz_api.py

postman: install
	$(BIN)/python manage.py generate_postman_collection

clean:
	rm -rf $(VENV) lms.sqlite3 staticfiles .pytest_cache .ruff_cache

# Load benchmark (bench/README.md, docs/performance.md): seeds --scale $(BENCH_SCALE) into the
# PostgreSQL database lms_bench_10 on 127.0.0.1 (created if missing; ~45 s of seeding the first time),
# serves it with gunicorn in production mode, drives each endpoint from a separate process (wrk when
# installed), runs the bulk-enroll and Celery-certificate scripts and prints the figures against issue
# 7's targets (~12-14 min). Some groups only: BENCH_ONLY=core,floor make bench.
BENCH_SCALE ?= 10
.PHONY: bench bench-scale1
bench: install
	@command -v wrk >/dev/null || (apt-get install -y -qq wrk >/dev/null 2>&1 || echo "bench: wrk not installed; the Python client drives every endpoint")
	BENCH_SCALE=$(BENCH_SCALE) $(BIN)/python -m bench.run

# The quick look: scale 1 (1,000 students), the HTTP groups only (~6 min).
bench-scale1: install
	BENCH_SCALE=1 BENCH_ONLY=core,floor,quiz,certificates,analytics $(BIN)/python -m bench.run
