"""JSON errors: one place that maps every failure to `{"error": {"code", "message"}}` and a status."""

from __future__ import annotations

import logging

from flask import jsonify
from werkzeug.exceptions import HTTPException

from backend.core.preprocessing import EmptyCanvas, ImageTooLarge, PreprocessingError
from backend.serving.predictor import ModelUnavailable

log = logging.getLogger(__name__)


class APIError(Exception):
    """A request the API refuses, with a stable code and a message for a person."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


PREPROCESSING_STATUS = {EmptyCanvas: 422, ImageTooLarge: 413}

HTTP_CODES = {
    400: ("bad_request", "The request could not be understood."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that method."),
    413: ("request_too_large", "The request body is larger than the server accepts."),
    415: ("unsupported_media_type", "Send JSON or multipart/form-data."),
}


def error_response(status: int, code: str, message: str):
    return jsonify({"error": {"code": code, "message": message}}), status


def register_error_handlers(app) -> None:
    @app.errorhandler(APIError)
    def api_error(error: APIError):
        return error_response(error.status, error.code, error.message)

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
            message = f"The request body is larger than {app.config['MAX_CONTENT_LENGTH']:,} bytes."
        response, status = error_response(error.code, code, message)
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response, status

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("Unhandled error")
        return error_response(500, "internal_error", "Something went wrong on the server; the error was logged.")
