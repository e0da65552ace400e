"""Accepting an upload: size and type checked from its bytes (flush, never commit)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any, BinaryIO

import sqlalchemy as sa
from flask import current_app

from tracker.audit.services import actor_label
from tracker.extensions import db
from tracker.files.models import StoredFile

#: What a reply may come as, recognised by its first bytes: (magic, MIME type, allowed extensions).
_SIGNATURES = (
    (b"%PDF-", "application/pdf", (".pdf",)),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/vnd.ms-outlook", (".msg", ".doc")),
    (b"PK\x03\x04", "application/zip", (".docx", ".odt")),
)
#: Plain-text types: accepted when the bytes decode as UTF-8 with no control characters.
_TEXT_TYPES = {".eml": "message/rfc822", ".txt": "text/plain"}


class FileRefused(ValueError):
    """An upload that is empty, too large or of a type we do not take."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        #: "empty", "too_large" or "type".
        self.reason = reason


def clean_filename(name: str) -> str:
    """The last part of `name`, without control characters or path separators, at most 200 characters."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f\"<>|:*?]", "_", name).strip(" .")
    return (name or "file")[-200:]


def sniff_type(data: bytes, filename: str) -> str:
    """The MIME type of `data` if it is one we accept and matches its extension; raises FileRefused."""
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    for magic, mime, extensions in _SIGNATURES:
        if data.startswith(magic) and extension in extensions:
            return mime
    if extension in _TEXT_TYPES:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise FileRefused("type") from exc
        if not re.search(r"[\x00-\x08\x0e-\x1f]", text):
            return _TEXT_TYPES[extension]
    raise FileRefused("type")


def store_upload(
    stream: BinaryIO, filename: str, *, member_state_id: int | None, entity_type: str, entity_id: int, by: Any,
) -> StoredFile:
    """Keep an uploaded file for a record; raises FileRefused when it is empty, too large or of another type."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = stream.read(limit + 1)
    if not data:
        raise FileRefused("empty")
    if len(data) > limit:
        raise FileRefused("too_large")
    name = clean_filename(filename)
    stored = StoredFile(
        filename=name, content_type=sniff_type(data, name), size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), data=data, member_state_id=member_state_id,
        entity_type=entity_type, entity_id=entity_id, uploaded_by_label=actor_label(by),
    )
    db.session.add(stored)
    db.session.flush()
    return stored


def files_of(entity_type: str, entity_ids: list[int]) -> dict[int, list[StoredFile]]:
    """The files of some records, by record id."""
    found: dict[int, list[StoredFile]] = {}
    if not entity_ids:
        return found
    rows = db.session.scalars(
        sa.select(StoredFile).where(StoredFile.entity_type == entity_type, StoredFile.entity_id.in_(entity_ids))
        .order_by(StoredFile.id)
    )
    for row in rows:
        found.setdefault(row.entity_id, []).append(row)
    return found


def delete_files(entity_type: str, entity_ids: list[int]) -> int:
    """Remove the files of some records (erasure); returns how many went."""
    if not entity_ids:
        return 0
    result = db.session.execute(
        sa.delete(StoredFile).where(StoredFile.entity_type == entity_type, StoredFile.entity_id.in_(entity_ids))
    )
    return result.rowcount or 0
