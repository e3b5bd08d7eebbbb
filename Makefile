# Two commands for everything: `make run` (set up, build, serve) and `make test` (set up, run every test).
# Each installs what it needs, once: a .venv with every Python package from requirements/dev.lock
# (hash-checked) and the package itself in editable mode, node_modules from the lockfile.

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

.PHONY: run test test-python lint lint-python format train evaluate bench soak venv lock clean
.PHONY: frontend-deps frontend-build chromium wrk test-frontend test-e2e lint-frontend golden
.PHONY: postgresql nginx

run: venv frontend-build
	$(PY) backend/app.py --host $(HOST) --port $(PORT)

test: venv
	$(MAKE) lint
	$(MAKE) frontend-build  # before pytest too: it checks the headers of the built UI
	$(MAKE) test-python
	$(MAKE) test-frontend
	$(MAKE) test-e2e

test-python: venv postgresql nginx
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

bench: venv wrk
	$(PY) bench/predict_bench.py

# Soak and chaos against the production server (about 6 minutes): wrk at 32 and 64 connections, hot
# reload, kill -9 of a worker, 64 slow clients, SIGTERM drain; then load and 64 slow clients through
# nginx in front of two instances sharing PostgreSQL (--proxy). `SOAK_ARGS=--quick make soak` for a short run.
soak: venv wrk postgresql nginx
	$(PY) -m bench.soak --proxy $(SOAK_ARGS)

venv: $(VENV)/.installed

# Only what the lock names, at its versions, each file checked against the lock's hashes: first the
# build tools (pip, setuptools, pybind11: requirements/build.lock), which then build what comes as
# source (pywuffs) without fetching anything; then the package itself, built with that setuptools.
$(VENV)/.installed: pyproject.toml requirements/build.lock requirements/dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@command -v c++ >/dev/null || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y g++; }
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements/build.lock
	$(PY) -m pip install --quiet --require-hashes --no-deps --no-build-isolation -r requirements/dev.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	touch $@

# Regenerate the locks after editing pyproject.toml's dependencies (or requirements/build.in): every
# package pinned, with the hashes of its files on PyPI. build.lock is the build tools alone (installed
# first), serving.lock the base dependencies (what the container image installs), dev.lock adds the
# train and dev extras. uv resolves, from a throwaway virtual
# environment. A lock keeps its other pins; `make lock LOCK_ARGS=--upgrade` (or --upgrade-package NAME) moves them.
UV_VERSION   := 0.13.9
LOCK_OPTIONS := --no-config --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28
LOCK_ARGS    ?=

lock:
	set -e; tools=$$(mktemp -d); trap 'rm -rf "$$tools"' EXIT; \
	$(PYTHON) -m venv "$$tools"; "$$tools/bin/pip" install --quiet uv==$(UV_VERSION); \
	"$$tools/bin/uv" pip compile requirements/build.in $(LOCK_OPTIONS) $(LOCK_ARGS) -o requirements/build.lock >/dev/null; \
	"$$tools/bin/uv" pip compile pyproject.toml requirements/build.in $(LOCK_OPTIONS) $(LOCK_ARGS) -o requirements/serving.lock >/dev/null; \
	"$$tools/bin/uv" pip compile pyproject.toml requirements/build.in --extra dev $(LOCK_OPTIONS) $(LOCK_ARGS) -o requirements/dev.lock >/dev/null

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

# The build carries the shipped model for on-device answers (vite.config.ts): a new model is a new build.
$(FRONTEND)/dist/index.html: $(FRONTEND)/node_modules/.installed $(FRONTEND_SRC) $(wildcard models/digit_cnn.onnx models/digit_cnn.json)
	cd $(FRONTEND) && $(NPM) run build
	touch $@

chromium:
	@test -x $(CHROMIUM) || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

# The storage tests also run against a real PostgreSQL, started in a temporary folder (tests/support/postgres.py).
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; }

# The reverse proxy of the production topology (deploy/nginx/), run on loopback by tests/deploy/test_topology.py
# and `make soak` (Debian puts the binary in /usr/sbin). The system service apt may start is not needed: it is stopped.
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y nginx \
	  && { $(SUDO) systemctl disable --now nginx 2>/dev/null || true; }; }

# The benchmark's HTTP load generator: a C client leaves the 2 cores to the server (bench/predict_bench.py).
wrk:
	@command -v wrk >/dev/null || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; }

test-frontend: frontend-deps golden
	cd $(FRONTEND) && $(NPM) test

# The on-device reader's golden fixtures (backend/training/golden.py): pictures and what the server makes of each,
# which Vitest holds the TypeScript preprocessing and verdict to. Derived data, git-ignored, remade when what makes
# them changes (needs MNIST and the handwriting sets: MNIST_DIR, HANDWRITING_DIR above, or a download).
GOLDEN         := $(FRONTEND)/golden/fixtures.json
GOLDEN_SOURCES := backend/training/golden.py backend/core/preprocessing.py backend/core/confidence.py \
                  backend/core/strokes.py backend/core/samples.py backend/training/drawings.py \
                  backend/training/negatives.py models/digit_cnn.onnx models/digit_cnn.json

golden: $(GOLDEN)

$(GOLDEN): $(GOLDEN_SOURCES) | venv
	$(PY) -m backend.training.golden --out $(FRONTEND)/golden

lint-frontend: frontend-deps
	cd $(FRONTEND) && $(NPM) run lint

test-e2e: venv frontend-build chromium
	cd $(FRONTEND) && CHROMIUM_PATH=$(CHROMIUM) $(NPM) run test:e2e

# -------------------------------------------------------------------------------------------

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist frontend/golden .pytest_cache
