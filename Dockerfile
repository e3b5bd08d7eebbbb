# The digit recognizer's server: the API and the built web UI under gunicorn, the model in ONNX
# Runtime; no TensorFlow, no Node, no build tools in the image that runs.
#
#   docker build -t digits .
#   docker run --rm -p 8000:8000 digits          # http://127.0.0.1:8000/ (drawings in SQLite, in the container)
#   docker compose up                            # nginx + 2 instances + PostgreSQL: compose.yaml

# --- the web UI: built with Node; only frontend/dist is kept ------------------------------
FROM node:20-bookworm-slim AS frontend
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
# The build carries the shipped model and its card for on-device answers (vite.config.ts reads
# ../models/digit_cnn.onnx and checks it against the card).
COPY models/digit_cnn.json models/digit_cnn.onnx /src/models/
RUN npm run build

# --- the server's Python packages, in a virtual environment --------------------------------
FROM python:3.11-slim-bookworm AS python
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /app
# The server's packages only (pyproject.toml's base dependencies: no TensorFlow, Keras or the other
# training packages), every one pinned in the lock and checked against its hashes (`make lock`).
# pywuffs, the PNG decoder, comes as C++ source for Linux: built here, with the locked build tools
# (requirements/build.lock, installed first), and the compiler stays behind in this stage.
RUN apt-get update && apt-get install -y --no-install-recommends g++ && rm -rf /var/lib/apt/lists/*
COPY requirements/build.lock requirements/serving.lock requirements/
RUN /opt/venv/bin/pip install --require-hashes --no-deps -r requirements/build.lock \
    && /opt/venv/bin/pip install --require-hashes --no-deps --no-build-isolation -r requirements/serving.lock
COPY pyproject.toml README.md ./
COPY backend/ backend/
# Installed in place, so the package's paths stay /app/...; its dependencies are above, and its build
# backend (setuptools) is the locked one.
RUN /opt/venv/bin/pip install --no-deps --no-build-isolation -e . \
    && /opt/venv/bin/python -m compileall -q backend

# --- what runs -------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home digits
COPY --from=python /opt/venv /opt/venv
COPY --from=python /app /app
COPY --from=frontend /src/frontend/dist /app/frontend/dist
# The shipped models, served unless DIGITS_MODEL_PATH (or a volume over /app/models) says otherwise.
COPY models/digit_cnn.json models/digit_cnn.keras models/digit_cnn.onnx /app/models/
# The drawings database's default (SQLite) lives in data/, the one folder the server writes.
RUN mkdir /app/data && chown digits:digits /app/data
WORKDIR /app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DIGITS_HOST=0.0.0.0 \
    DIGITS_PORT=8000 \
    DIGITS_RUNTIME=onnx
USER digits
EXPOSE 8000
# /health is 200 while a model serves ("ok" or "degraded"), 503 while none can.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ['DIGITS_PORT']}/health\", timeout=4)"]
CMD ["python", "backend/app.py"]
