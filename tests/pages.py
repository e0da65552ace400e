"""The pages of the tracker a person can open, per role, derived from the authorization table."""

from __future__ import annotations

from flask import url_for

from tests.test_authorization import ROUTES, _resolve

#: Roles whose pages are checked (cp_other sees the same pages as cp_own for its own country).
ROLES = ("anon", "secretariat", "viewer", "cp_own")

#: GET routes that are not HTML pages.
NOT_PAGES = {"static", "health.healthz", "metrics.metrics", "appointments.export", "privacy.export_person", "files.download",
             "events.ics", "events.feed", "tickets.download", "letters.preview", "letters.download",
             "letters.batch_zip", "digests.download", "api_tokens.export", "api_tokens.export_calls"}
NOT_PAGES |= {endpoint for (endpoint, _method) in ROUTES if endpoint.startswith("api.")
              or endpoint.split(".")[-1].startswith("export")}


def page_urls(who: str) -> list[str]:
    """Every HTML page (GET route answering 200, plus the error pages) for `who`; needs a request context."""
    urls = []
    for (endpoint, method), (values, expected) in sorted(ROUTES.items()):
        if method != "GET" or endpoint in NOT_PAGES:
            continue
        if expected[who] in (200, 403, 404, 410):
            urls.append(url_for(endpoint, **_resolve(values)))
    urls.append("/no-such-page")
    return urls
