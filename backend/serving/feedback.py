"""What people teach the app: POST /feedback stores a correction or a drawing to share; GET /drawings/<id>, /d/<id>.

Nothing is stored unless the person acts (a correction, Save & share), and never their IP
address: a row holds the drawing, what the model said and what it really was.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

from flask import Blueprint, current_app, jsonify, request, send_from_directory

from backend.core.drawing_store import Drawing
from backend.serving.api import json_body
from backend.serving.errors import APIError
from backend.serving.feedback_input import new_drawing
from backend.serving.storage import get_db

bp = Blueprint("feedback", __name__)

DRAWING_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what secrets.token_urlsafe makes


def share_path(drawing_id: str) -> str:
    return f"/d/{drawing_id}"


def public(drawing: Drawing) -> dict:
    """A shared drawing as anyone with its link sees it."""
    return {
        "id": drawing.id,
        "created_at": drawing.created,
        "predicted": drawing.predicted,
        "confidence": drawing.probabilities[drawing.predicted],
        "probabilities": drawing.probabilities,
        "model": drawing.model,
        "label": drawing.label,
        "canvas": {"width": drawing.canvas_width, "height": drawing.canvas_height},
        "strokes": drawing.strokes,
        "image": "data:image/png;base64," + base64.b64encode(drawing.png).decode("ascii"),
    }


def not_found() -> APIError:
    return APIError(404, "not_found", "There is no shared drawing with this id.")


@bp.post("/feedback")
def post_feedback():
    if request.mimetype != "application/json":
        raise APIError(415, "unsupported_media_type", "Send the drawing as application/json.")
    drawing = get_db().add(new_drawing(json_body()))
    body = {"id": drawing.id, "created_at": drawing.created, "label": drawing.label, "shared": drawing.shared}
    if drawing.shared:
        body["url"] = share_path(drawing.id)
    response = jsonify(body)
    response.status_code = 201
    if drawing.shared:
        response.headers["Location"] = f"/drawings/{drawing.id}"
    return response


@bp.get("/drawings/<drawing_id>")
def get_drawing(drawing_id: str):
    """A drawing saved for sharing; corrections that were not shared are not public."""
    drawing = shared_drawing(drawing_id)
    if drawing is None:
        raise not_found()
    return jsonify(public(drawing))


def shared_drawing(drawing_id: str) -> Drawing | None:
    """The drawing saved for sharing under this id; None for any other id (unknown, malformed, not shared)."""
    drawing = get_db().get(drawing_id) if DRAWING_ID.fullmatch(drawing_id) else None
    return drawing if drawing is not None and drawing.shared else None


@bp.get("/d/<drawing_id>")
def share_page(drawing_id: str):
    """The web app, which shows the shared drawing (it asks GET /drawings/<id> for it).

    For an id that shows nothing the page is the same (it says the drawing is not there), but
    its status is 404, so that link checkers, crawlers and `curl -f` hear it too.
    """
    dist = Path(current_app.config["STATIC_DIR"])
    if not (dist / "index.html").is_file():
        raise APIError(404, "ui_not_built", "The web UI is not built; run `make run`, or use GET /drawings/<id>.")
    response = send_from_directory(dist, "index.html")
    if response.status_code == 200 and shared_drawing(drawing_id) is None:  # not a 304: it has no page to mark
        response.status_code = 404
    return response
