"""Absolute links for emails and letters, built without a request; versioned links to static files."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, current_app
from werkzeug.routing import IntegerConverter

#: The largest id a PostgreSQL `integer` column holds.
MAX_ID = 2_147_483_647


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` within PostgreSQL's integer range: a larger number is 404, never a database error."""

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def absolute_url(endpoint: str, **values: object) -> str:
    """The address of a page under TRACKER_BASE_URL (works in jobs and commands too)."""
    adapter = current_app.url_map.bind("localhost")
    return current_app.config["BASE_URL"].rstrip("/") + adapter.build(endpoint, values)


def static_version(static_folder: str, filename: str) -> str:
    """A token that changes when the static file changes (its modification time), for cache busting."""
    try:
        return str(int(os.stat(os.path.join(static_folder, filename)).st_mtime))
    except OSError:
        return "0"


def init_app(app: Flask) -> None:
    """Bounded `<int:...>` ids; every url_for('static', ...) carries ?v=<mtime>, so browsers may cache static files."""
    app.url_map.converters["int"] = BoundedIntegerConverter

    @app.url_defaults
    def _version_static(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values and app.static_folder:
            values["v"] = static_version(app.static_folder, values["filename"])
