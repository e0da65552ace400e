"""Names of the digest's headline figures and kinds in the interface language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

HEADLINE_LABELS = {
    "confirmed": _l("Contact points confirmed"),
    "attended": _l("Introductory meeting attended"),
    "selected": _l("Asset selected"),
    "submitted": _l("Asset submitted"),
    "published": _l("Asset published"),
}

KIND_LABELS = {"weekly": _l("Weekly"), "on_demand": _l("On demand")}
