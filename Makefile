# Two commands for everything: `make run` (set up, build, serve) and `make test` (set up, run every test).
# Each installs what it needs, once: a .venv with the package (pyproject.toml) installed in
# editable mode, node_modules from the lockfile.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 5000

# Use a local copy of MNIST when one sits beside the repo (as in CI); otherwise the
# loader downloads into data/mnist/ on first use.
ifneq ($(wildcard ../shared/mnist/SHA256SUMS),)
export MNIST_DIR ?= $(abspath ../shared/mnist)
endif
# The handwriting sets (UCI pen strokes and scanned forms) for training and the tests.
ifneq ($(wildcard ../shared/handwriting/SHA256SUMS),)
export HANDWRITING_DIR ?= $(abspath ../shared/handwriting)
endif

.PHONY: run test test-python lint lint-python format train evaluate bench venv clean
.PHONY: frontend-deps frontend-build chromium test-frontend test-e2e lint-frontend

run: venv frontend-build
	$(PY) backend/app.py --host $(HOST) --port $(PORT)

test: venv
	$(MAKE) lint
	$(MAKE) frontend-build  # before pytest too: it checks the headers of the built UI
	$(MAKE) test-python
	$(MAKE) test-frontend
	$(MAKE) test-e2e

test-python: venv
	$(PY) -m pytest tests

# Ruff (lint + format check) for Python, ESLint + Prettier for the frontend; `make test` runs it.
lint: lint-python lint-frontend

lint-python: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv frontend-deps
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	cd $(FRONTEND) && $(NPM) run format

train: venv
	$(PY) backend/train.py

evaluate: venv
	$(PY) backend/evaluate.py

bench: venv
	$(PY) bench/predict_bench.py

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# --- Frontend ----------------------------------------------------------------------------
# React + Vite app in frontend/, built into frontend/dist (served by Flask at /). The unit
# tests run in jsdom; the end-to-end tests drive Debian's Chromium against the real server.

FRONTEND      := frontend
NPM           ?= npm
CHROMIUM      ?= /usr/bin/chromium
SUDO          := $(if $(filter 0,$(shell id -u)),,sudo)
FRONTEND_SRC  := $(shell find $(FRONTEND)/src $(FRONTEND)/public -type f 2>/dev/null) \
                 $(wildcard $(FRONTEND)/index.html $(FRONTEND)/vite.config.ts $(FRONTEND)/tsconfig*.json)

frontend-deps: $(FRONTEND)/node_modules/.installed

$(FRONTEND)/node_modules/.installed: $(FRONTEND)/package-lock.json $(FRONTEND)/package.json
	cd $(FRONTEND) && $(NPM) ci --no-audit --no-fund
	touch $@

frontend-build: $(FRONTEND)/dist/index.html

$(FRONTEND)/dist/index.html: $(FRONTEND)/node_modules/.installed $(FRONTEND_SRC)
	cd $(FRONTEND) && $(NPM) run build
	touch $@

chromium:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

test-frontend: frontend-deps
	cd $(FRONTEND) && $(NPM) test

lint-frontend: frontend-deps
	cd $(FRONTEND) && $(NPM) run lint

test-e2e: venv frontend-build chromium
	cd $(FRONTEND) && CHROMIUM_PATH=$(CHROMIUM) $(NPM) run test:e2e
	# the "not a digit" answers, against the model trained for them (not yet the default: see README)
	cd $(FRONTEND) && CHROMIUM_PATH=$(CHROMIUM) E2E_VERDICT_MODEL=1 \
	  DIGITS_MODEL_PATH=$(abspath models/digit_cnn_writers.keras) \
	  node --test --test-concurrency=1 --test-name-pattern='Not a digit' e2e/app.e2e.test.mjs

# -------------------------------------------------------------------------------------------

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist .pytest_cache
