"""Dockerfile, compose.yaml and .dockerignore, checked without Docker (it cannot run here): what they say must hold.

- the image installs requirements/serving.lock (hash-checked), and it is enough: the app, in a
  fresh interpreter that cannot import any other installed package, answers every kind of
  request (so the image needs no TensorFlow);
- the Dockerfile builds the UI in a Node stage, runs as a non-root user, and its HEALTHCHECK
  command, run against a real server, passes when it is healthy and fails when it is not;
- compose.yaml runs nginx (the shipped template, every variable given) in front of two
  instances of the image that share PostgreSQL and the models folder; only nginx is published.
"""

from __future__ import annotations

import functools
import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from backend.core.paths import REPO_ROOT
from tests.support.locks import SERVING_LOCK, read_lock
from tests.support.nginx import TEMPLATE, render
from tests.support.server import free_port, running_server

DOCKERFILE = REPO_ROOT / "Dockerfile"
COMPOSE = REPO_ROOT / "compose.yaml"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"


# --- the Dockerfile ------------------------------------------------------------------------------


@functools.cache
def stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's instructions, (INSTRUCTION, arguments), grouped by stage; continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        instruction, _, arguments = line.partition(" ")
        if instruction.upper() == "FROM":
            found.append([])
        found[-1].append((instruction.upper(), arguments.strip()))
    return found


def instructions(stage: list[tuple[str, str]], name: str) -> list[str]:
    return [arguments for instruction, arguments in stage if instruction == name]


def test_the_image_is_built_in_stages_and_runs_as_a_user_without_node_or_build_tools():
    *builders, final = stages()
    names = [instructions(stage, "FROM")[0] for stage in builders]
    assert any(re.match(r"node:\S+ AS frontend$", name) for name in names), names
    assert "npm run build" in " ".join(instructions(stages()[0], "RUN"))
    (base,) = instructions(final, "FROM")
    assert base.startswith("python:3.11-slim"), "the runtime image: Python only"
    users = instructions(final, "USER")
    assert users and users[-1] not in ("root", "0"), "the server runs as a user, not root"
    assert not [run for run in instructions(final, "RUN") if re.search(r"\b(npm|pip|apt-get)\b", run)]
    copied = " ".join(instructions(final, "COPY"))
    assert "--from=frontend /src/frontend/dist /app/frontend/dist" in copied and "--from=python /opt/venv" in copied
    assert json.loads(instructions(final, "CMD")[0]) == ["python", "backend/app.py"]


def test_the_node_stage_has_the_model_the_ui_build_embeds():
    """vite.config.ts puts ../models/digit_cnn.onnx and its card into the build (on-device answers)."""
    vite = (REPO_ROOT / "frontend" / "vite.config.ts").read_text()
    assert "../models/digit_cnn.onnx" in vite
    (workdir,) = instructions(stages()[0], "WORKDIR")
    copies = [arguments.split() for arguments in instructions(stages()[0], "COPY")]
    models = (Path(workdir) / "../models").resolve()
    assert any(
        {"models/digit_cnn.onnx", "models/digit_cnn.json"} <= set(sources) and Path(target).resolve() == models
        for *sources, target in copies
    ), copies
    build = [arguments for instruction, arguments in stages()[0] if instruction in ("COPY", "RUN")]
    assert build.index("npm run build") > max(i for i, a in enumerate(build) if "models/" in a)


def test_every_file_the_dockerfile_copies_exists_and_is_in_the_build_context():
    allowed = [line[1:].rstrip("/") for line in DOCKERIGNORE.read_text().splitlines() if line.startswith("!")]
    for stage in stages():
        for arguments in instructions(stage, "COPY"):
            if arguments.startswith("--from"):
                continue
            *sources, _ = arguments.split()
            for source in sources:
                assert (REPO_ROOT / source).exists(), source
                path = source.rstrip("/")
                assert any(path == kept or path.startswith(kept + "/") for kept in allowed), f"{source} is ignored"


def test_the_image_installs_the_serving_lock_hash_checked_without_tensorflow():
    runs = instructions(stages()[1], "RUN")
    installs = [part.strip() for run in runs for part in run.split("&&") if "pip install" in part]
    assert installs == [
        "/opt/venv/bin/pip install --require-hashes --no-deps -r requirements/build.lock",
        "/opt/venv/bin/pip install --require-hashes --no-deps --no-build-isolation -r requirements/serving.lock",
        "/opt/venv/bin/pip install --no-deps --no-build-isolation -e .",  # the lock's setuptools builds it
    ]
    names = set(read_lock(SERVING_LOCK))
    assert {"onnxruntime", "flask", "gunicorn", "psycopg", "psycopg-binary", "sqlalchemy", "setuptools"} <= names
    assert not names & {"tensorflow-cpu", "tensorflow", "keras", "tf2onnx", "matplotlib", "skia-python"}


def test_the_healthcheck_passes_on_a_healthy_server_and_fails_without_one(tmp_path):
    (healthcheck,) = instructions(stages()[-1], "HEALTHCHECK")
    command = json.loads(healthcheck.split(" CMD ", 1)[1])
    assert command[0] == "python"
    path = str(Path(sys.executable).parent)  # the image's PATH starts with its virtual environment's bin
    with running_server(tmp_path, workers=1, threads=2) as server:
        env = {"PATH": path, "DIGITS_PORT": str(server.port)}
        healthy = subprocess.run(command, env=env, capture_output=True, timeout=30)
    assert healthy.returncode == 0, healthy.stderr
    env = {"PATH": path, "DIGITS_PORT": str(free_port())}
    nobody = subprocess.run(command, env=env, capture_output=True, timeout=30)
    assert nobody.returncode != 0


# Runs in a fresh interpreter as in the image: the packages it does not install cannot be imported
# (optional imports fall back as they would there). The app serves every kind of request, then the
# server's own modules are loaded; prints the answers' statuses and what was imported.
EXERCISE = """
import json, sys

ABSENT = set(json.loads(sys.argv[2]))


class NotInTheImage:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ABSENT:
            raise ModuleNotFoundError(f"No module named {name!r} (not in the image)", name=name)
        return None


sys.meta_path.insert(0, NotInTheImage())

import base64, io
from PIL import Image, ImageDraw
from backend.serving.app import create_app

app = create_app({"TESTING": True, "RELOAD_INTERVAL": 60.0, "DATABASE_URL": sys.argv[1],
                  "FEEDBACK_RATE_LIMIT": "1000 per minute", "ADMIN_TOKEN": "t"})
client = app.test_client()
picture = Image.new("L", (280, 280), 255)
ImageDraw.Draw(picture).line([(140, 40), (140, 240)], fill=0, width=20)
buffer = io.BytesIO()
picture.save(buffer, format="PNG")
image = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
statuses = {
    "predict": client.post("/predict", json={"image": image, "explain": True}).status_code,
    "read-number": client.post("/read-number", json={"image": image, "explain": True}).status_code,
    "feedback": client.post("/feedback", json={
        "strokes": [[[0.5, 0.14], [0.5, 0.86]]], "canvas": {"width": 280, "height": 280}, "image": image,
        "predicted": 1, "probabilities": [0.01] + [0.91] + [0.01] * 8, "model": "cnn-test", "label": 1,
        "share": True}).status_code,
}
for rule in app.url_map.iter_rules():
    if "GET" in rule.methods and not rule.arguments:
        statuses[rule.rule] = client.get(rule.rule, headers={"Authorization": "Bearer t"}).status_code
import backend.serving.server, backend.serving.worker, gunicorn.app.base, gunicorn.workers.gthread  # noqa
server = backend.serving.server
server.gunicorn_settings(server.Config(), "127.0.0.1", 1, 1, 1)
print(json.dumps({"statuses": statuses, "modules": sorted({name.partition(".")[0] for name in sys.modules})}))
"""


def requirement_closure(requirements: list[str]) -> set[str]:
    """The distributions the requirements install, with everything they require in turn (as installed here)."""
    found, pending = set(), [(Requirement(text), "") for text in requirements]
    while pending:
        requirement, extra = pending.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = normalized(requirement.name)
        extras = requirement.extras or {""}
        if (name, frozenset(extras)) in found:
            continue
        found.add((name, frozenset(extras)))
        for text in metadata.requires(name) or []:
            pending += [(Requirement(text), wanted) for wanted in extras]
    return {name for name, _ in found}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_app_serves_with_only_what_the_image_installs(tmp_path):
    in_image = set(read_lock(SERVING_LOCK)) | {"digit-recognizer"}  # the lock, then the package (--no-deps)
    dependencies = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert requirement_closure(dependencies) <= in_image, "the lock lacks what the server's dependencies require"
    owners = {
        module: {normalized(name) for name in distributions}
        for module, distributions in metadata.packages_distributions().items()
    }
    absent = sorted(module for module, distributions in owners.items() if not distributions & in_image)
    assert {"tensorflow", "keras", "skia", "matplotlib", "tf2onnx"} <= set(absent), "the check hides TensorFlow"
    url = f"sqlite:///{tmp_path / 'drawings.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-c", EXERCISE, url, json.dumps(absent)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    served = json.loads(result.stdout.strip().splitlines()[-1])
    statuses = served["statuses"]
    assert statuses["predict"] == 200 and statuses["read-number"] == 200 and statuses["feedback"] == 201, statuses
    assert statuses["/docs"] == 200 and statuses["/metrics"] == 200 and statuses["/admin/drawings"] == 200, statuses
    assert not [status for status in statuses.values() if status >= 500], statuses
    assert {"onnxruntime", "flask", "gunicorn", "sqlalchemy", "scipy"} <= set(served["modules"])


# --- compose.yaml --------------------------------------------------------------------------------


def interpolated(value: str) -> str:
    """compose's `${NAME:-default}` with the defaults (no environment), as `docker compose config` would."""
    return re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", value)


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_runs_nginx_in_front_of_two_instances_sharing_postgres_and_the_models(compose):
    services = compose["services"]
    assert set(services) == {"nginx", "app1", "app2", "postgres"}
    app1, app2 = services["app1"], services["app2"]
    assert app1 == app2, "the two instances are alike"
    assert app1["build"] == "." and (REPO_ROOT / "Dockerfile").is_file()
    (models,) = [interpolated(volume) for volume in app1["volumes"] if ":/app/models" in volume]
    assert models == "./models:/app/models:ro"  # what the image serves (DIGITS_MODEL_PATH's default)
    url = interpolated(app1["environment"]["DIGITS_DATABASE_URL"])
    database = services["postgres"]["environment"]
    expected = {key: interpolated(value) for key, value in database.items()}
    assert url == "postgresql://{POSTGRES_USER}:{POSTGRES_PASSWORD}@postgres:5432/{POSTGRES_DB}".format(**expected)
    assert app1["environment"]["DIGITS_TRUSTED_PROXIES"] == "1"
    assert app1["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert [name for name, service in services.items() if "ports" in service] == ["nginx"]


def test_compose_s_nginx_renders_the_shipped_template_for_the_two_instances(compose):
    nginx = compose["services"]["nginx"]
    (mount,) = nginx["volumes"]
    source, target, _ = mount.split(":")
    assert (REPO_ROOT / source).resolve() == TEMPLATE
    assert target == "/etc/nginx/templates/default.conf.template"  # replaces the image's default server
    environment = {key: str(value) for key, value in nginx["environment"].items()}
    port = image_environment()["DIGITS_PORT"]
    assert environment["DIGITS_APP_1"] == f"app1:{port}" and environment["DIGITS_APP_2"] == f"app2:{port}"
    rendered = render(TEMPLATE.read_text(), environment)  # every ${DIGITS_*} has a value
    assert re.search(r"server app1:\d+ .*;\n\s*server app2:\d+ ", rendered)
    assert "$digits_request_id" in rendered and "$proxy_add_x_forwarded_for" in rendered, "nginx's own variables stay"
    # The image's envsubst fills in the variables the filter matches (awk's `~`: a search), and only those.
    matches = re.compile(environment["NGINX_ENVSUBST_FILTER"]).search
    assert all(matches(name) for name in re.findall(r"\$\{(\w+)\}", TEMPLATE.read_text()))
    assert not any(matches(name) for name in ("HOSTNAME", "PATH", "NGINX_VERSION", "HOME"))
    assert nginx["depends_on"] == {"app1": {"condition": "service_healthy"}, "app2": {"condition": "service_healthy"}}


def image_environment() -> dict[str, str]:
    """The final stage's ENV, NAME=value pairs."""
    pairs = " ".join(instructions(stages()[-1], "ENV")).split()
    return dict(pair.split("=", 1) for pair in pairs)
