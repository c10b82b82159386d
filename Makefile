# Newsroom: the two quick-start commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup test cluster-test install migrate lint typecheck format superuser clean bench screenshots

run: setup ## Start the site on http://127.0.0.1:8000 (SQLite by default)
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Everything `make run` does before it starts the server: the venv, .env, the migrated
# database. .ci/run runs it before `make test`, so CI tests what a newcomer has.
setup: install .env migrate ## Prepare the site without starting it

test: install ## Run every test, on SQLite and on a throwaway PostgreSQL cluster
	$(BIN)/python scripts/run_tests.py

# Two app servers, PostgreSQL primary + replica, Redis, S3 (moto) and nginx on loopback
# (docs/deploy.md); needs PostgreSQL's server binaries, redis-server and nginx.
cluster-test: install ## Prove the multi-server deployment works, then clean it all up
	$(BIN)/python -m deploy.cluster_test

screenshots: install ## Remake the docs' screenshots (reader pages, editor screens) in Chromium
	sh scripts/screenshots.sh

bench: install ## Benchmark the reader site (needs wrk and nginx; see docs/performance.md)
	$(BIN)/python -m pip install --quiet -r bench/requirements.txt
	$(BIN)/python bench/run.py $(BENCH_ARGS)

install: $(VENV)/.installed

# Reinstall only when a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Local settings for development; never overwrites an existing .env.
.env:
	cp .env.example .env

migrate: install .env
	$(BIN)/python manage.py migrate --no-input

superuser: install .env migrate ## Create an editor account for the admin
	$(BIN)/python manage.py createsuperuser

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# What and how strictly: [tool.mypy] in pyproject.toml. Needs no database and no .env.
typecheck: install ## Check the annotations (mypy with django-stubs)
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache staticfiles
