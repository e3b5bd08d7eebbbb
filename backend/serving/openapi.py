"""The API contract: GET /openapi.json (openapi.yaml, completed) and GET /docs (Swagger UI, its files served here).

openapi.yaml is the one description, written by hand; `spec()` adds what is better said
once: the X-Request-ID header on every response, the model card's schema (from
`ModelCard`, as schemas/model-card.schema.json is) and the package's version. The docs page
loads Swagger UI from the files that the `flask-swagger-ui` package ships (no CDN), started
by docs/docs.js rather than an inline script (see headers.py for the page's policy).
"""

from __future__ import annotations

import contextlib
import functools
from importlib import metadata
from pathlib import Path

import flask_swagger_ui
import yaml
from flask import Blueprint, jsonify, send_from_directory

from backend.core.card import ModelCard
from backend.serving.errors import APIError

bp = Blueprint("docs", __name__)

HERE = Path(__file__).parent
SPEC_PATH = HERE / "openapi.yaml"
PAGE_DIR = HERE / "docs"
SWAGGER_UI_DIR = Path(flask_swagger_ui.__file__).parent / "dist"
# What the page loads, and nothing else of the package's files (its demo page, OAuth redirect).
PAGE_FILES = {"docs.js"}
SWAGGER_UI_FILES = {"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png"}
REQUEST_ID = {"$ref": "#/components/headers/X-Request-ID"}


@functools.cache
def spec() -> dict:
    """The OpenAPI document as served (read once)."""
    document = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    with contextlib.suppress(metadata.PackageNotFoundError):  # run from a source tree that was not installed
        document["info"]["version"] = metadata.version("digit-recognizer")
    card = {key: value for key, value in ModelCard.json_schema().items() if key != "$schema"}
    document["components"]["schemas"]["ModelCard"] = card
    for response in responses(document):
        response.setdefault("headers", {})["X-Request-ID"] = REQUEST_ID
    return document


def responses(document: dict):
    """Every response object written out in the document (references point at these)."""
    yield from document["components"].get("responses", {}).values()
    for item in document["paths"].values():
        for operation in item.values():
            for response in operation.get("responses", {}).values():
                if "$ref" not in response:
                    yield response


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(spec())


@bp.get("/docs")
def page():
    return send_from_directory(PAGE_DIR, "index.html")


@bp.get("/docs/<name>")
def asset(name: str):
    if name in PAGE_FILES:
        return send_from_directory(PAGE_DIR, name)
    if name in SWAGGER_UI_FILES:
        return send_from_directory(SWAGGER_UI_DIR, name)
    raise APIError(404, "not_found", "There is nothing at this address.")
