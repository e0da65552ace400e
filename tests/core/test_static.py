"""Static files: versioned links that browsers may cache."""

from __future__ import annotations

import os
import re

from config import BASE_DIR


def test_static_links_carry_the_files_version_and_are_cacheable(client):
    page = client.get("/login").get_data(as_text=True)
    link = re.search(r'href="(/static/css/tracker\.css\?v=(\d+))"', page)
    assert link, "the stylesheet link has no version"
    assert int(link.group(2)) == int(os.stat(BASE_DIR / "static" / "css" / "tracker.css").st_mtime)
    response = client.get(link.group(1))
    assert response.status_code == 200 and "max-age=86400" in response.headers["Cache-Control"]
    assert client.get("/login").headers["Cache-Control"] == "no-store"  # pages are never cached
