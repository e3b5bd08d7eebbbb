"""Admin endpoints behind `DIGITS_ADMIN_TOKEN` (off without it): list, look at, export and delete stored drawings.

    GET    /admin/drawings          filters and pages, newest first
    GET    /admin/drawings/<id>     one drawing, with its strokes and picture
    GET    /admin/export            a zip data set (PNGs, drawings.csv, drawings.json) of the drawings that match
    DELETE /admin/drawings/<id>

Send `Authorization: Bearer <token>`; it is compared in constant time.
"""

from __future__ import annotations

import hmac
import tempfile
from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, request, send_file

from backend.core.drawing_export import write_export
from backend.core.drawing_store import Filters
from backend.serving.errors import APIError
from backend.serving.feedback import DRAWING_ID, public
from backend.serving.storage import get_db

bp = Blueprint("admin", __name__, url_prefix="/admin")

MAX_PER_PAGE = 500
SPOOL_BYTES = 16 * 1024 * 1024  # an export larger than this is built on disk, not in memory
BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


@bp.before_request
def require_token():
    token = current_app.config["ADMIN_TOKEN"]
    if not token:
        raise APIError(404, "admin_disabled", "The admin endpoints are off: set DIGITS_ADMIN_TOKEN to turn them on.")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise APIError(
            401,
            "unauthorized",
            "Send the admin token as `Authorization: Bearer <token>`.",
            {"WWW-Authenticate": 'Bearer realm="digits admin"'},
        )


def invalid_query(message: str) -> APIError:
    return APIError(400, "invalid_query", message)


def _int(name: str, low: int, high: int, default: int | None = None) -> int | None:
    text = request.args.get(name)
    if text is None or text == "":
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise invalid_query(f'"{name}" must be an integer from {low} to {high:,}.')
    return int(text)


def _bool(name: str) -> bool | None:
    text = request.args.get(name)
    if text is None or text == "":
        return None
    if text.lower() not in BOOLEANS:
        raise invalid_query(f'"{name}" must be true or false.')
    return BOOLEANS[text.lower()]


def _moment(name: str) -> datetime | None:
    text = request.args.get(name)
    if text is None or text == "":
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_query(
            f'"{name}" must be a date or time in ISO 8601, e.g. 2026-05-20 or 2026-05-20T12:00Z.'
        ) from None
    try:  # in UTC here, where a moment that has no UTC time (0001-01-01T00:00+01:00) can still be refused
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except OverflowError:
        raise invalid_query(f'"{name}" is out of range: it has no time in UTC between the years 1 and 9999.') from None


def filters() -> Filters:
    """The filters in the query string: label, predicted, corrected, wrong, shared, model, since, until."""
    known = {"label", "predicted", "corrected", "wrong", "shared", "model", "since", "until", "page", "per_page"}
    unknown = sorted(set(request.args) - known)
    if unknown:
        raise invalid_query(f"Unknown parameter(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}.")
    return Filters(
        label=_int("label", 0, 9),
        predicted=_int("predicted", 0, 9),
        corrected=_bool("corrected"),
        wrong=_bool("wrong"),
        shared=_bool("shared"),
        model=request.args.get("model") or None,
        since=_moment("since"),
        until=_moment("until"),
    )


def stored(drawing_id: str):
    drawing = get_db().get(drawing_id) if DRAWING_ID.fullmatch(drawing_id) else None
    if drawing is None:
        raise APIError(404, "not_found", "There is no drawing with this id.")
    return drawing


@bp.get("/drawings")
def list_drawings():
    found = filters()
    page = get_db().find(found, _int("page", 1, 10**9, 1), _int("per_page", 1, MAX_PER_PAGE, 50))
    return jsonify(
        drawings=[drawing.summary() for drawing in page.drawings],
        page=page.page,
        per_page=page.per_page,
        total=page.total,
        pages=page.pages,
    )


@bp.get("/drawings/<drawing_id>")
def get_drawing(drawing_id: str):
    drawing = stored(drawing_id)
    return jsonify({**public(drawing), "shared": drawing.shared})


@bp.delete("/drawings/<drawing_id>")
def delete_drawing(drawing_id: str):
    if not (DRAWING_ID.fullmatch(drawing_id) and get_db().delete(drawing_id)):
        raise APIError(404, "not_found", "There is no drawing with this id.")
    return "", 204


@bp.get("/export")
def export():
    """The drawings that match (all by default) as a zip data set, oldest first."""
    found = filters()
    archive = tempfile.SpooledTemporaryFile(SPOOL_BYTES)  # noqa: SIM115 (send_file closes it once sent)
    count = write_export(get_db().each(found), archive)
    archive.seek(0)
    name = datetime.now(UTC).strftime("drawings-%Y%m%d-%H%M%S.zip")
    response = send_file(archive, mimetype="application/zip", as_attachment=True, download_name=name)
    response.headers["X-Drawings-Count"] = str(count)
    return response
