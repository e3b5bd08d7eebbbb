"""backend/serving/openapi.py: the description covers every route and error code; /openapi.json and /docs are served.

Schemathesis checks the answers against the description (test_contract.py); these tests make
sure nothing escapes it: a route or an error code added without being described fails here.
"""

import ast
import re
from html.parser import HTMLParser
from importlib import metadata
from pathlib import Path

import pytest

from backend.core.card import ModelCard
from backend.serving import headers
from backend.serving.openapi import spec

SERVING = Path(__file__).resolve().parents[2] / "backend" / "serving"
CORE = SERVING.parent / "core"
NOT_DESCRIBED = {"static_file", "docs.asset"}  # the UI's and the docs page's files, by name
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def documented_operations() -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in spec()["paths"].items() for method in item}


def test_every_route_is_described(app):
    routes = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in NOT_DESCRIBED
        for method in rule.methods & METHODS
    }
    assert routes - documented_operations() == set(), "describe these in backend/serving/openapi.yaml"
    assert documented_operations() - routes == set(), "described, but there is no such route"


def error_codes_in_the_code() -> set[str]:
    """Every literal error code the server can send: APIError(status, "code", ...), error_response(...), class codes."""
    codes = set()
    for path in [*SERVING.glob("*.py"), *CORE.glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            call = isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("APIError", "error_response")
            if call and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
                codes.add(node.args[1].value)
            if isinstance(node, ast.ClassDef):  # PreprocessingError and its kind: `code = "..."`
                for statement in node.body:
                    if isinstance(statement, ast.Assign) and [t.id for t in statement.targets] == ["code"]:
                        codes.add(statement.value.value)
    from backend.serving.errors import HTTP_CODES

    return codes | {code for code, _ in HTTP_CODES.values()}


def test_every_error_code_is_described():
    described = set(spec()["components"]["schemas"]["ErrorCode"]["enum"])
    found = error_codes_in_the_code()
    assert {"invalid_json", "empty_canvas", "model_unavailable", "unauthorized"} <= found  # the scan works
    assert found - described == set(), "add these to ErrorCode in backend/serving/openapi.yaml"


def test_the_served_description_is_the_completed_file(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.json
    assert document == spec()
    assert document["openapi"].startswith("3.1")
    assert document["info"]["version"] == metadata.version("digit-recognizer")
    card = document["components"]["schemas"]["ModelCard"]
    assert card["required"] == ModelCard.json_schema()["required"]
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, answer in operation["responses"].items():
                if "$ref" in answer:
                    answer = document["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
                assert "X-Request-ID" in answer["headers"], (method, path, status)
    assert response.headers["Content-Security-Policy"] == headers.API_POLICY


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found, self.inline_scripts, self.in_script = [], 0, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.found += [attrs[name] for name in ("src", "href") if name in attrs]
        self.in_script = tag == "script"

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag):
        self.in_script = False


def test_the_docs_page_loads_only_files_from_this_server(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert page.headers["Content-Security-Policy"] == headers.DOCS_POLICY
    assert page.headers["Cache-Control"] == "no-cache"
    links = Links()
    links.feed(page.get_data(as_text=True))
    assert links.inline_scripts == 0, "the CSP allows no inline script"
    assert len(links.found) == 4 and all(link.startswith("docs/") for link in links.found), links.found
    types = {}
    for link in links.found:
        asset = client.get("/" + link)
        assert asset.status_code == 200, link
        assert asset.headers["Content-Security-Policy"] == headers.DOCS_POLICY
        types[link.rsplit(".", 1)[1]] = asset.mimetype
    assert types == {"css": "text/css", "js": "text/javascript", "png": "image/png"}
    assert b"openapi.json" in client.get("/docs/docs.js").data


def test_the_docs_policy_is_strict_where_it_can_be():
    directives = dict(part.strip().split(" ", 1) for part in headers.DOCS_POLICY.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in headers.DOCS_POLICY and "http" not in headers.DOCS_POLICY
    assert headers.UI_POLICY.count("data:") == 1  # the app's policy is not widened for the docs


@pytest.mark.parametrize(
    "path", ["/docs/index.html", "/docs/oauth2-redirect.html", "/docs/swagger-ui.js", "/docs/../app.py", "/docs/"]
)
def test_only_the_docs_files_are_served(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
    assert response.headers["Content-Security-Policy"] == headers.API_POLICY
