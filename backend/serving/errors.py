"""JSON errors: one place that maps every failure to `{"error": {"code", "message"}}` and a status."""

from __future__ import annotations

import logging

from flask import current_app, jsonify, request
from werkzeug.exceptions import HTTPException

from backend.core.preprocessing import EmptyCanvas, ImageTooLarge, PreprocessingError
from backend.serving.predictor import ModelUnavailable

log = logging.getLogger(__name__)


class APIError(Exception):
    """A request the API refuses, with a stable code and a message for a person."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


PREPROCESSING_STATUS = {EmptyCanvas: 422, ImageTooLarge: 413}

HTTP_CODES = {
    400: ("bad_request", "The request could not be understood."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that method."),
    413: ("request_too_large", "The request body is larger than the server accepts."),
    415: ("unsupported_media_type", "Send JSON or multipart/form-data."),
    429: ("rate_limited", "Too many requests from this client; wait a little (see Retry-After) and try again."),
}


def error_response(status: int, code: str, message: str):
    return jsonify({"error": {"code": code, "message": message}}), status


def too_large_message() -> str:
    """Which limit a 413 hit, in words: the body's size, or (multipart) the number of parts.

    Werkzeug raises the same RequestEntityTooLarge for all of them. The body limit was hit
    when the declared length is over it, or when a body without one (chunked) filled it;
    otherwise a multipart form had too many parts (a non-file field as large as the body
    limit is allowed, so that one cannot be hit on its own).
    """
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    body_message = f"The request body is larger than {limit:,} bytes, the most this server accepts."
    length = request.content_length
    if length is not None:
        return body_message if length > limit else _parts_message()
    stream = request.__dict__.get("stream")  # werkzeug's LimitedStream, if the body was read
    if stream is not None and getattr(stream, "is_exhausted", True):
        return body_message
    return _parts_message() if request.mimetype == "multipart/form-data" else body_message


def _parts_message() -> str:
    parts = current_app.config.get("MAX_FORM_PARTS")
    return f"The form has more than {parts:,} parts, the most this server accepts; send the picture alone."


def register_error_handlers(app) -> None:
    @app.errorhandler(APIError)
    def api_error(error: APIError):
        response, status = error_response(error.status, error.code, error.message)
        response.headers.update(error.headers)
        return response, status

    @app.errorhandler(PreprocessingError)
    def preprocessing_error(error: PreprocessingError):
        return error_response(PREPROCESSING_STATUS.get(type(error), 400), error.code, str(error))

    @app.errorhandler(ModelUnavailable)
    def model_unavailable(error: ModelUnavailable):
        response, status = error_response(503, "model_unavailable", str(error))
        response.headers["Retry-After"] = "5"
        return response, status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code, message = HTTP_CODES.get(error.code, (error.name.lower().replace(" ", "_"), error.description))
        if error.code == 413:
            message = too_large_message()
        response, status = error_response(error.code, code, message)
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response, status

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("Unhandled error")
        return error_response(500, "internal_error", "Something went wrong on the server; the error was logged.")
