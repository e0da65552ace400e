"""PDF rendering with WeasyPrint, behind a URL fetcher that reads nothing but the app's own static files."""

from __future__ import annotations

import logging
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)

#: The base URL documents are rendered against: relative references such as "/static/fonts/x.woff2"
#: resolve to it, and it is the only host the fetcher answers for. ".invalid" never resolves (RFC 2606).
PDF_BASE_URL = "https://tracker.invalid/"


class FetchRefused(ValueError):
    """A reference the PDF renderer will not follow (WeasyPrint logs it and leaves the resource out)."""


class StaticOnlyFetcher(URLFetcher):
    """Serves `https://tracker.invalid/static/...` from the static folder; refuses `file:`, `data:`, other hosts."""

    def __init__(self, static_folder: str | Path) -> None:
        super().__init__(allowed_protocols=("https",), allow_redirects=False, timeout=1)
        self.root = Path(static_folder).resolve()
        #: The URLs asked for and refused, for the logs and the tests.
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        """The static file at `url`, or FetchRefused."""
        parts = urlsplit(url)
        base = urlsplit(PDF_BASE_URL)
        path = unquote(parts.path)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not path.startswith("/static/"):
            return self._refuse(url)
        target = (self.root / path.removeprefix("/static/")).resolve()
        if not target.is_relative_to(self.root) or not target.is_file():
            return self._refuse(url)
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": content_type})

    def _refuse(self, url: str) -> URLFetcherResponse:
        self.refused.append(url)
        # The scheme and host only: a path or query may carry data from the document.
        parts = urlsplit(url)
        log.warning("PDF rendering refused to fetch a %s: resource on %s", parts.scheme or "relative",
                    parts.hostname or "no host")
        raise FetchRefused(url)


def css_string(text: str) -> str:
    """`text` as a quoted CSS string, safe inside a <style> element (no quote, backslash or "<" left bare)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3C ").replace("\n", " ")
    return f'"{escaped}"'


def page_counter_css(template: str) -> str:
    """"Page {page} of {pages}" as CSS content: "Page " counter(page) " of " counter(pages)."""
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", template):
        if piece in ("{page}", "{pages}"):
            parts.append(f"counter({piece[1:-1]})")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)


def static_fetcher() -> StaticOnlyFetcher:
    """A fetcher over this app's static folder."""
    return StaticOnlyFetcher(current_app.static_folder or "static")


def render_pdf(html: str, *, fetcher: StaticOnlyFetcher | None = None) -> bytes:
    """The PDF of one HTML document (A4 and page numbers come from the document's own CSS)."""
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher or static_fetcher())
    return document.write_pdf()


def render_pdfs(documents: list[str]) -> list[bytes]:
    """Several PDFs with one fetcher (fonts and stylesheets are read from disk once per batch)."""
    fetcher = CachingStaticFetcher(current_app.static_folder or "static")
    return [render_pdf(html, fetcher=fetcher) for html in documents]


class CachingStaticFetcher(StaticOnlyFetcher):
    """A static-only fetcher that keeps what it read (fonts, stylesheets), for a batch of documents."""

    def __init__(self, static_folder: str | Path) -> None:
        super().__init__(static_folder)
        self._cache: dict[str, tuple[bytes, str]] = {}

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        """The static file at `url`, read from disk once."""
        if url not in self._cache:
            response = super().fetch(url, headers)
            self._cache[url] = (response.read(), response.content_type)
        data, content_type = self._cache[url]
        return URLFetcherResponse(url, data, {"Content-Type": content_type})
