"""Friendly error pages in the user's language, with no traceback."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tracker.core.logs import route
from tracker.extensions import db

log = logging.getLogger(__name__)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _render(code: int, error: Exception | None = None):
    from tracker.api.views import http_problem, is_api_request, problem

    if is_api_request():
        if isinstance(error, HTTPException):
            return http_problem(error)
        return problem(code, "The server could not answer; the error is logged.")
    if _wants_json():
        return jsonify(error=code), code
    # The request id is in the log line of this request: a person quoting it leads staff to the error.
    return render_template("errors/error.html", code=code, error=error, request_id=g.get("request_id")), code


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        """A stale or tampered form: explain and ask to reload."""
        return render_template("errors/error.html", code=400, csrf=True), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        """4xx and 5xx raised by views."""
        if error.code and error.code < 400:
            return error
        return _render(error.code or 500, error)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        """Anything else: roll back, log, and show a plain 500 page."""
        db.session.rollback()
        log.exception("unhandled error on %s %s", request.method, route())
        return _render(500)
