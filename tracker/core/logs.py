"""Logs: one JSON line per request and per event, with a request id; nothing personal or secret.

Every record goes out as one JSON object on one line, so a CR or LF in a message (a path, a
header, a name) is written as the two characters `\\n` and can never start a forged line. The
request line holds the request id, the user's id (never an email), the route's rule (never the
path, which may carry a link's token), the status and the duration: no query strings, bodies,
passwords or tokens.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, g, has_request_context, request

#: The logger of the request lines.
request_log = logging.getLogger("tracker.request")

#: An incoming X-Request-ID is kept when it looks like one (nginx's $request_id is 32 hex digits).
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}\Z")
#: The loggers whose records are written as JSON lines.
LOGGERS = ("tracker", "apscheduler", "gunicorn.error", "werkzeug")


#: A database's own detail line ("DETAIL:  Key (email)=(...) already exists") holds values: left out.
DETAIL_LINE = re.compile(r"^\s*DETAIL:.*$", re.MULTILINE)


class GunicornRedactor(logging.Filter):
    """gunicorn's messages about bad requests quote the request line and URI (a path may hold a token)."""

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: D102
        if record.name == "gunicorn.error":
            message = record.getMessage()
            if message.startswith("Invalid request from ip="):
                record.msg, record.args = "Invalid request refused by gunicorn (its request line is not logged)", ()
            elif message.startswith("Error handling request"):
                record.msg, record.args = "Error handling a request (its URI is not logged)", ()
        return True


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message, its fields and the request id."""

    def format(self, record: logging.LogRecord) -> str:  # noqa: D102
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context() and "request_id" in g:
            entry["request_id"] = g.request_id
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = DETAIL_LINE.sub("DETAIL: (withheld)", self.formatException(record.exc_info))
        # ensure_ascii also escapes U+2028 and U+2029, which some viewers take for line breaks.
        return json.dumps(entry, ensure_ascii=True, default=str)


def configure_logging(app: Flask) -> None:
    """Send the app's, the scheduler's and gunicorn's records to stderr as JSON lines (not in tests)."""
    if app.testing:
        return
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)  # app.logger is "tracker": Flask's plain handler would write twice
    level = logging.getLevelName(app.config["LOG_LEVEL"])
    if not isinstance(level, int):
        raise RuntimeError(f"TRACKER_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {app.config['LOG_LEVEL']!r}")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(GunicornRedactor())
    for name in LOGGERS:
        logger = logging.getLogger(name)
        # Ours only: gunicorn's plain handler, or ours of an earlier app in this process, would write twice.
        logger.handlers = [handler]
        logger.propagate = False
        logger.setLevel(level if name.startswith("tracker") else max(level, logging.WARNING))


def _start() -> None:
    """Before each request: its id and the clock."""
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _user_id() -> int | None:
    """The logged-in user's id, if this request loaded one (read from its identity: never a query)."""
    user = g.get("_login_user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    identity = sa.inspect(user).identity  # kept when a commit expired the user's attributes
    return identity[0] if identity else None


def route() -> str:
    """The URL rule that answered (`/countries/<code>`), never the path itself."""
    rule = request.url_rule
    return rule.rule if rule is not None else "(no route)"


def _finish(response: Response) -> Response:
    """After each request: the X-Request-ID header, the metrics and the request line."""
    from tracker.core import metrics

    if "request_started" not in g:
        return response
    duration, rule = time.perf_counter() - g.request_started, route()
    response.headers["X-Request-ID"] = g.request_id
    metrics.observe_request(request.method, rule, response.status_code, duration)
    token = g.get("api_token")
    fields: dict[str, Any] = {
        "request_id": g.request_id, "user_id": _user_id(), "method": request.method, "route": rule,
        "status": response.status_code, "duration_ms": round(duration * 1000, 1),
    }
    if token is not None:
        fields["api_token_id"] = token.id
    request_log.info("request", extra={"fields": fields})
    return response


def init_app(app: Flask) -> None:
    """Install the request id, the request line and the JSON format."""
    configure_logging(app)
    app.before_request(_start)
    app.after_request(_finish)
