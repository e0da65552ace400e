"""Accepting an upload: size and type checked from its bytes (flush, never commit)."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
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

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"


def _zip_holds(data: bytes, *members: str) -> bool:
    """Whether the ZIP archive has an entry starting with one of `members` (its directory only is read)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return any(name.startswith(members) for name in names)


def _text(data: bytes) -> str | None:
    """The bytes as UTF-8 text without control characters, else None."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return None if re.search(r"[\x00-\x08\x0e-\x1f]", text) else text


def _stl(data: bytes) -> bool:
    """ASCII STL starts with "solid"; binary STL is an 80-byte header, a count, and 50 bytes per triangle."""
    if data[:5].lower() == b"solid" and _text(data[:4096]) is not None:
        return True
    return len(data) >= 84 and len(data) == 84 + 50 * int.from_bytes(data[80:84], "little")


def _obj(data: bytes) -> bool:
    """Wavefront OBJ: text made of lines such as "v 1 2 3", "f 1 2 3", "# comment"."""
    text = _text(data[:65536])
    return text is not None and re.search(r"(?m)^(v|vt|vn|f|o|g|mtllib)\s", text) is not None


def _gltf(data: bytes) -> bool:
    """glTF JSON: an object with an "asset" holding a "version"."""
    text = _text(data)
    return text is not None and text.lstrip().startswith("{") and '"asset"' in text and '"version"' in text


#: What a ticket's attachment may be, by extension: (MIME type, check of the bytes). The content must
#: match the declared type: a .pdf that is not a PDF, or a .docx that is not a Word archive, is refused.
TICKET_TYPES: dict[str, tuple[str, Any]] = {
    ".pdf": ("application/pdf", lambda d: d.startswith(b"%PDF-")),
    ".png": ("image/png", lambda d: d.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("image/jpeg", lambda d: d.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", lambda d: d.startswith(b"\xff\xd8\xff")),
    ".gif": ("image/gif", lambda d: d.startswith((b"GIF87a", b"GIF89a"))),
    ".webp": ("image/webp", lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP"),
    ".tif": ("image/tiff", lambda d: d.startswith((b"II*\x00", b"MM\x00*"))),
    ".tiff": ("image/tiff", lambda d: d.startswith((b"II*\x00", b"MM\x00*"))),
    ".doc": ("application/msword", lambda d: d.startswith(_OLE2)),
    ".xls": ("application/vnd.ms-excel", lambda d: d.startswith(_OLE2)),
    ".ppt": ("application/vnd.ms-powerpoint", lambda d: d.startswith(_OLE2)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              lambda d: d.startswith(_ZIP) and _zip_holds(d, "word/")),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              lambda d: d.startswith(_ZIP) and _zip_holds(d, "xl/")),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",
              lambda d: d.startswith(_ZIP) and _zip_holds(d, "ppt/")),
    ".odt": ("application/vnd.oasis.opendocument.text",
             lambda d: d.startswith(_ZIP) and b"application/vnd.oasis.opendocument.text" in d[:100]),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet",
             lambda d: d.startswith(_ZIP) and b"application/vnd.oasis.opendocument.spreadsheet" in d[:100]),
    ".odp": ("application/vnd.oasis.opendocument.presentation",
             lambda d: d.startswith(_ZIP) and b"application/vnd.oasis.opendocument.presentation" in d[:100]),
    ".txt": ("text/plain", lambda d: _text(d) is not None),
    ".csv": ("text/csv", lambda d: _text(d) is not None),
    ".glb": ("model/gltf-binary", lambda d: d.startswith(b"glTF")),
    ".gltf": ("model/gltf+json", _gltf),
    ".obj": ("model/obj", _obj),
    ".stl": ("model/stl", _stl),
    ".ply": ("application/x-ply", lambda d: d.startswith(b"ply\n") or d.startswith(b"ply\r\n")),
    ".fbx": ("application/octet-stream", lambda d: d.startswith(b"Kaydara FBX Binary") or (
        _text(d[:4096]) is not None and "FBXHeaderExtension" in (_text(d[:4096]) or ""))),
    ".usdz": ("model/vnd.usdz+zip", lambda d: d.startswith(_ZIP) and _zip_holds(d, "")),
    ".3mf": ("model/3mf", lambda d: d.startswith(_ZIP) and _zip_holds(d, "3D/")),
    ".e57": ("model/e57", lambda d: d.startswith(b"ASTM-E57")),
    ".las": ("application/vnd.las", lambda d: d.startswith(b"LASF")),
}


class FileRefused(ValueError):
    """An upload that is empty, too large or of a type we do not take."""

    def __init__(self, reason: str, filename: str = "") -> None:
        super().__init__(reason)
        #: "empty", "too_large" or "type".
        self.reason = reason
        #: The file's name as uploaded (to say which one of several was refused).
        self.filename = filename


def clean_filename(name: str) -> str:
    """The last part of `name`, without control characters or path separators, at most 200 characters."""
    name = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = re.sub(r"[\x00-\x1f\x7f\"<>|:*?]", "_", name).strip(" .")
    return (name or "file")[-200:]


def _extension(filename: str) -> str:
    return "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def sniff_ticket_type(data: bytes, filename: str) -> str:
    """The MIME type of a ticket attachment whose bytes are what its extension says; raises FileRefused."""
    found = TICKET_TYPES.get(_extension(filename))
    if found is None or not found[1](data):
        raise FileRefused("type")
    return found[0]


def sniff_type(data: bytes, filename: str) -> str:
    """The MIME type of `data` if it is one we accept and matches its extension; raises FileRefused."""
    extension = _extension(filename)
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
    limit: int | None = None, sniff: Any = sniff_type,
) -> StoredFile:
    """Keep an uploaded file for a record; raises FileRefused when it is empty, too large or of another type."""
    limit = limit or current_app.config["ATTACHMENT_MAX_BYTES"]
    data = stream.read(limit + 1)
    name = clean_filename(filename)
    if not data:
        raise FileRefused("empty", name)
    if len(data) > limit:
        raise FileRefused("too_large", name)
    try:
        content_type = sniff(data, name)
    except FileRefused as refused:
        raise FileRefused(refused.reason, name) from refused
    stored = StoredFile(
        filename=name, content_type=content_type, size=len(data),
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
