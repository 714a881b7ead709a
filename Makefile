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
# + Redis, once per role, fixed seed, ~4 min. Longer: FUZZ_MAX_EXAMPLES=200 FUZZ_MAX_TIME=1800 make fuzz
fuzz: install
	$(BIN)/python scripts/fuzz_api.py

postman: install
	$(BIN)/python manage.py generate_postman_collection

clean:
	rm -rf $(VENV) lms.sqlite3 staticfiles .pytest_cache .ruff_cache

# Load benchmark (bench/README.md, docs/performance.md): seeds --scale $(BENCH_SCALE) into the
# PostgreSQL database lms_bench on 127.0.0.1 (created if missing), serves it with gunicorn in
# production mode, drives each endpoint from a separate process and prints the figures (~3-4 min).
BENCH_SCALE ?= 1
.PHONY: bench bench-scale10
bench: install
	BENCH_SCALE=$(BENCH_SCALE) $(BIN)/python -m bench.run

# The analytics endpoints on the 10x data set (10,000 students, 1,000,000 progress rows; the first run
# seeds lms_bench_10 in ~2 minutes), against the 100 ms median target of docs/performance.md.
bench-scale10: install
	BENCH_SCALE=10 BENCH_ONLY=analytics $(BIN)/python -m bench.run
