"""Absolute links for emails and letters, built without a request."""

from __future__ import annotations

from flask import current_app


def absolute_url(endpoint: str, **values: object) -> str:
    """The address of a page under TRACKER_BASE_URL (works in jobs and commands too)."""
    adapter = current_app.url_map.bind("localhost")
    return current_app.config["BASE_URL"].rstrip("/") + adapter.build(endpoint, values)
