"""Names of ticket categories, statuses and refusals, in the interface language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CATEGORY_LABELS = {
    "digitisation": _l("3D digitisation and quality"),
    "metadata": _l("Metadata and EDM"),
    "rights": _l("Rights and licensing"),
    "submission": _l("Submission to Europeana"),
    "events": _l("Events"),
    "other": _l("Other"),
}
STATUS_LABELS = {
    "new": _l("New"),
    "open": _l("Open"),
    "waiting": _l("Waiting on the country"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
}
REFUSALS = {
    "empty": _l("Write a subject and a message."),
    "closed": _l("This ticket is closed, so it takes no more replies. Open a new ticket and mention its number."),
    "not_staff": _l("Only the secretariat can do this."),
    "other_country": _l("Tickets, assets and merges stay within one country."),
    "same": _l("A ticket cannot be merged into itself."),
    "unknown": _l("That record does not exist."),
    "duplicate_reply": _l("A saved reply with this title already exists in this language."),
}
FILE_REFUSALS = {
    "empty": _l("The file %(name)s is empty."),
    "too_large": _l("The file %(name)s is larger than %(size)s MB."),
    "type": _l("The file %(name)s is not of an accepted type, or its content does not match its extension. Accepted: "
               "PDF, images (PNG, JPEG, GIF, WebP, TIFF), office documents (Word, Excel, PowerPoint, OpenDocument), "
               "text and CSV, and 3D models (glTF/GLB, OBJ, STL, PLY, FBX, USDZ, 3MF, E57, LAS)."),
}
