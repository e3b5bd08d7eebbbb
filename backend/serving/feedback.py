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
    drawing = get_db().get(drawing_id) if DRAWING_ID.fullmatch(drawing_id) else None
    if drawing is None or not drawing.shared:
        raise not_found()
    return jsonify(public(drawing))


@bp.get("/d/<drawing_id>")
def share_page(drawing_id: str):
    """The web app, which shows the shared drawing (it asks GET /drawings/<id> for it)."""
    dist = Path(current_app.config["STATIC_DIR"])
    if not (dist / "index.html").is_file():
        raise APIError(404, "ui_not_built", "The web UI is not built; run `make run`, or use GET /drawings/<id>.")
    return send_from_directory(dist, "index.html")
