"""Downloading a stored file (staff of any country; never a contact point)."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, Response, send_file

from tracker.core.permissions import require_staff, visible_or_404
from tracker.files.models import StoredFile

bp = Blueprint("files", __name__)


def bytes_response(data: bytes, *, mimetype: str, filename: str, inline: bool = False) -> Response:
    """Bytes made here (a PDF, a ZIP) as a download, or shown `inline` by the browser; never kept in a shared cache."""
    response = send_file(BytesIO(data), mimetype=mimetype, as_attachment=not inline, download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def download_response(stored: StoredFile) -> Response:
    """A stored file as a download, never rendered inline nor kept in a shared cache."""
    return bytes_response(stored.data, mimetype=stored.content_type, filename=stored.filename)


@bp.get("/files/<int:file_id>")
def download(file_id: int):
    """The file as an attachment, never rendered inline."""
    stored = visible_or_404(StoredFile, file_id)
    require_staff()
    return download_response(stored)
