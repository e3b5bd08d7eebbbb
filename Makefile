# Two commands for everything: `make run` (set up, build, serve) and `make test` (set up, run every test).
# Each installs what it needs, once: a .venv from requirements.txt, node_modules from the lockfile.

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

.PHONY: run test test-python train evaluate bench venv clean

run: venv
	$(PY) backend/app.py --host $(HOST) --port $(PORT)

test: venv
	$(MAKE) test-python

test-python: venv
	$(PY) -m pytest tests

train: venv
	$(PY) backend/train.py

evaluate: venv
	$(PY) backend/evaluate.py

bench: venv
	$(PY) bench/predict_bench.py

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

clean:
	rm -rf $(VENV) frontend/node_modules frontend/dist .pytest_cache
