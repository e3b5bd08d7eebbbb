"""backend/serving/headers.py, logs.py, metrics.py: security headers, request ids, log lines, /metrics."""

import io
import json
import logging
import re
from html.parser import HTMLParser

import pytest

from backend.core.paths import FRONTEND_DIST
from backend.core.samples import data_url
from backend.serving.app import create_app
from backend.serving.headers import API_POLICY, IMMUTABLE, UI_POLICY, WORKER_POLICY
from backend.serving.logs import JsonFormatter, RequestIdFilter, logging_config
from backend.serving.settings import Config
from tests.support.images import encode, seven


@pytest.fixture
def ui_client(tmp_path, predictor):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text('<!doctype html><script type="module" src="/assets/index-abc123.js"></script>')
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('hi')")
    (tmp_path / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (tmp_path / "assets" / "inference.worker-Bx1_9z.js").write_text("self.onmessage = () => {}")
    (tmp_path / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (tmp_path / "manifest.webmanifest").write_text('{"name": "Digit recognizer"}')
    return create_app({"TESTING": True, "STATIC_DIR": str(tmp_path)}, predictor=predictor).test_client()


COMMON = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"}


@pytest.mark.parametrize(
    "method, path, status, policy, cache",
    [
        ("GET", "/", 200, UI_POLICY, "no-cache"),
        ("GET", "/assets/index-abc123.js", 200, UI_POLICY, IMMUTABLE),
        ("GET", "/favicon.svg", 200, UI_POLICY, "no-cache"),
        ("GET", "/assets/inference.worker-Bx1_9z.js", 200, WORKER_POLICY, IMMUTABLE),
        ("GET", "/sw.js", 200, UI_POLICY, "no-cache"),
        ("GET", "/manifest.webmanifest", 200, UI_POLICY, "no-cache"),
        ("GET", "/model.onnx", 200, API_POLICY, "no-cache"),
        ("GET", "/model.json", 200, API_POLICY, "no-cache"),
        ("GET", "/assets/missing-abc.js", 404, API_POLICY, "no-store"),
        ("GET", "/health", 200, API_POLICY, "no-store"),
        ("GET", "/model", 200, API_POLICY, "no-store"),
        ("GET", "/metrics", 200, API_POLICY, "no-store"),
        ("POST", "/predict", 415, API_POLICY, "no-store"),
        ("GET", "/predict", 405, API_POLICY, "no-store"),
        ("GET", "/nowhere", 404, API_POLICY, "no-store"),
    ],
)
def test_security_and_cache_headers_on_every_response(ui_client, method, path, status, policy, cache):
    response = ui_client.open(path, method=method)
    assert response.status_code == status
    for name, value in COMMON.items():
        assert response.headers[name] == value
    assert response.headers["Content-Security-Policy"] == policy
    assert response.headers["Cache-Control"] == cache


def test_the_ui_policy_is_strict():
    directives = dict(part.split(" ", 1) for part in UI_POLICY.split("; "))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["default-src"] == "'self'"
    assert "unsafe" not in UI_POLICY


def test_only_the_worker_may_compile_webassembly():
    # The on-device reader's worker runs ONNX Runtime's WebAssembly: it may compile WebAssembly, nothing more.
    worker = dict(part.split(" ", 1) for part in WORKER_POLICY.split("; "))
    page = dict(part.split(" ", 1) for part in UI_POLICY.split("; "))
    assert worker.pop("script-src") == "'self' 'wasm-unsafe-eval'" and page.pop("script-src") == "'self'"
    assert worker == page and WORKER_POLICY.count("unsafe") == 1


def test_the_service_worker_and_the_manifest_are_served_as_what_they_are(ui_client):
    assert ui_client.get("/sw.js").mimetype == "text/javascript"
    assert ui_client.get("/manifest.webmanifest").mimetype == "application/manifest+json"
    # A script beside the worker that is not one gets the page's policy.
    assert ui_client.get("/assets/index-abc123.js").headers["Content-Security-Policy"] == UI_POLICY


class _InlineFinder(HTMLParser):
    """Collects what a `script-src 'self'; style-src 'self'` policy would block in a page."""

    def __init__(self):
        super().__init__()
        self.blocked, self._tag = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self._tag = tag
        if tag == "script" and "src" not in attrs:
            self.blocked.append("inline <script>")
        if tag == "style":
            self.blocked.append("<style> element")
        self.blocked += [f"{tag} {name}=" for name in attrs if name == "style" or name.startswith("on")]
        for name in ("src", "href"):
            if re.match(r"(?i)(https?:)?//", attrs.get(name) or ""):
                self.blocked.append(f"{tag} from another origin: {attrs[name]}")


@pytest.mark.skipif(not (FRONTEND_DIST / "index.html").is_file(), reason="the UI is not built")
def test_the_built_ui_has_nothing_the_policy_blocks():
    finder = _InlineFinder()
    finder.feed((FRONTEND_DIST / "index.html").read_text())
    assert finder.blocked == []
    for css in (FRONTEND_DIST / "assets").glob("*.css"):
        assert not re.search(r"@import|url\((['\"]?)(https?:)?//", css.read_text()), f"{css.name} loads from elsewhere"


def test_request_ids_are_kept_when_sane_and_made_otherwise(client):
    assert client.get("/health", headers={"X-Request-ID": "abc-123.x:y"}).headers["X-Request-ID"] == "abc-123.x:y"
    made = {client.get("/health").headers["X-Request-ID"] for _ in range(3)}
    assert len(made) == 3 and all(re.fullmatch(r"[0-9a-f]{32}", value) for value in made)
    for insane in ["a b", "x" * 129, "<script>", "id;drop", ""]:
        answer = client.get("/health", headers={"X-Request-ID": insane}).headers["X-Request-ID"]
        assert answer != insane and re.fullmatch(r"[0-9a-f]{32}", answer)
    error = client.post("/predict", data="x", content_type="text/plain", headers={"X-Request-ID": "err-1"})
    assert error.status_code == 415 and error.headers["X-Request-ID"] == "err-1"


@pytest.fixture
def captured_log():
    """Lines written through the server's own logging setup (filter and formatter), as JSON."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("backend")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_every_log_line_of_a_request_carries_its_id(predictor, captured_log):
    app = create_app({"TESTING": True}, predictor=predictor)

    @app.get("/boom")
    def boom():
        return 1 / 0

    client = app.test_client()
    client.get("/health", headers={"X-Request-ID": "req-7"})
    failed = client.get("/boom", headers={"X-Request-ID": "req-8"})
    assert failed.status_code == 500 and failed.json["error"]["code"] == "internal_error"
    lines = captured_log()
    access = [line for line in lines if line["logger"] == "backend.access"]
    assert access[0]["request_id"] == "req-7" and access[0]["path"] == "/health" and access[0]["status"] == 200
    assert access[0]["method"] == "GET" and access[0]["duration_ms"] >= 0
    failure = next(line for line in lines if line["logger"] == "backend.serving.errors")
    assert failure["request_id"] == "req-8" and "ZeroDivisionError" in failure["exception"]
    assert [line["request_id"] for line in access] == ["req-7", "req-8"]
    logging.getLogger("backend.serving").info("outside a request")
    assert captured_log()[-1]["request_id"] == "-"


def test_text_log_lines_carry_the_request_id_too():
    config = logging_config("text")
    assert "%(request_id)s" in config["formatters"]["main"]["format"]
    assert config["handlers"]["main"]["filters"] == ["request_id"]
    assert config["loggers"]["gunicorn.error"]["handlers"] == ["main"]  # gunicorn's lines in the same format
    json_config = logging_config("json")
    assert json_config["formatters"]["main"]["()"] is JsonFormatter


def test_the_log_format_setting_is_checked(monkeypatch):
    monkeypatch.setenv("DIGITS_LOG_FORMAT", "JSON")
    assert Config().LOG_FORMAT == "json"
    monkeypatch.setenv("DIGITS_LOG_FORMAT", "xml")
    with pytest.raises(ValueError, match="DIGITS_LOG_FORMAT"):
        Config()


def _sample(text: str, name: str, **labels) -> float:
    """The value of one sample in Prometheus' text format (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{") and line.split(" ")[0] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
        if found == {k: str(v) for k, v in labels.items()}:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_requests_latency_predictions_and_the_model(client, predictor):
    before = client.get("/metrics").get_data(as_text=True)
    answer = client.post("/predict", json={"image": data_url(encode(seven()))}).json
    client.post("/predict", data="x", content_type="text/plain")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    after = response.get_data(as_text=True)

    def grew(name, **labels):
        return _sample(after, name, **labels) - _sample(before, name, **labels)

    ok = dict(endpoint="/predict", method="POST", status="200")
    assert grew("digits_http_requests_total", **ok) == 1
    assert grew("digits_http_requests_total", endpoint="/predict", method="POST", status="415") == 1
    assert grew("digits_http_request_duration_seconds_count", **ok) == 1
    assert grew("digits_http_request_duration_seconds_bucket", le="+Inf", **ok) == 1
    assert grew("digits_predictions_total", digit=answer["digit"], verdict=answer["verdict"]) == 1
    assert _sample(after, "digits_model_info", version=predictor.current.version) == 1
    assert "digits_model_degraded" in after
    client.get("/no/such/page")
    unmatched = client.get("/metrics").get_data(as_text=True)
    assert _sample(unmatched, "digits_http_requests_total", endpoint="unmatched", method="GET", status="404") >= 1
