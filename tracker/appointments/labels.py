"""Names of appointment kinds, states and channels, in the interface language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {"primary": _l("Primary contact point"), "alternate": _l("Alternate contact point")}
#: The same inside a sentence ("Our records show you as primary contact point.").
KIND_IN_SENTENCE = {"primary": _l("primary contact point"), "alternate": _l("alternate contact point")}
STATE_LABELS = {
    "proposed": _l("Proposed"),
    "awaiting_confirmation": _l("Awaiting confirmation"),
    "confirmed": _l("Confirmed"),
    "declined": _l("Declined"),
    "replaced": _l("Replaced"),
    "ended": _l("Ended"),
    "none": _l("No contact point"),
}
HOW_LABELS = {
    "web": _l("on the tracker"),
    "link": _l("by their personal link"),
    "email": _l("by email"),
    "letter": _l("by letter"),
    "phone": _l("by phone"),
    "cli": _l("from the command line"),
}
ORGANISATION_KIND_LABELS = {"ministry": _l("Ministry"), "institution": _l("Cultural institution")}
