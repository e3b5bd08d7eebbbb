"""The model for the browser's on-device answers (offline mode): GET /model.onnx and GET /model.json.

`/model.json` is the card of the model that serves (what `GET /model` answers); `/model.onnx` is
its ONNX export, exactly the bytes that card's `exports.onnx` vouches for, with that SHA-256 as
its ETag. The browser checks the hash again before it runs the file, and its service worker
keeps both for offline use. A static build of the UI carries copies of the shipped model at the
same two URLs (frontend/vite.config.ts), so the app finds its model wherever it is hosted.
"""

from __future__ import annotations

import hashlib
import threading
from io import BytesIO
from pathlib import Path

from flask import Blueprint, jsonify, request, send_file

from backend.serving import runtimes
from backend.serving.api import get_predictor
from backend.serving.errors import APIError
from backend.serving.predictor import ModelUnavailable

bp = Blueprint("device", __name__)

_lock = threading.Lock()
_read: dict[Path, tuple[tuple[int, int], bytes, str]] = {}  # path -> ((mtime_ns, size), bytes, sha256)


def _export_bytes(path: Path) -> tuple[bytes, str]:
    """The file's bytes and SHA-256, read again only when its (mtime, size) changed."""
    try:
        stat = path.stat()
    except OSError:
        raise APIError(404, "not_found", "This model has no ONNX export for the browser.") from None
    stamp = (stat.st_mtime_ns, stat.st_size)
    with _lock:
        cached = _read.get(path)
        if cached is None or cached[0] != stamp:
            data = path.read_bytes()
            cached = (stamp, data, hashlib.sha256(data).hexdigest())
            _read[path] = cached
    return cached[1], cached[2]


@bp.get("/model.onnx")
def model_onnx():
    predictor = get_predictor()
    card = predictor.current.card
    expected = (card.export("onnx") or {}).get("sha256")
    if not expected:
        raise APIError(404, "not_found", "This model has no ONNX export for the browser.")
    data, actual = _export_bytes(runtimes.served_file(predictor.model_path, "onnx"))
    if actual != expected:  # the file is being replaced: its new card is not served yet
        raise ModelUnavailable("The model is being replaced; try again in a few seconds.")
    return send_file(BytesIO(data), mimetype="application/octet-stream", etag=expected, conditional=True)


@bp.get("/model.json")
def model_json():
    response = jsonify(get_predictor().current.card.to_dict(history=False))
    response.add_etag()
    return response.make_conditional(request)
