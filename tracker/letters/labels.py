"""Names of the letters and of the batch choices in the interface language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "invitation": _l("Invitation to participate"),
    "confirmation": _l("Confirmation of appointment"),
    "reminder": _l("Reminder or escalation"),
    "thanks": _l("Thanks for the submission"),
}

SELECTION_LABELS = {
    "all": _l("All 27 countries"),
    "not_confirmed": _l("Countries that have not yet confirmed their contact points"),
    "overdue": _l("Countries with an overdue milestone"),
    "submitted": _l("Countries that have submitted their asset"),
    "pick": _l("Chosen countries"),
}

PLACEHOLDER_LABELS = {
    "country": _l("the country's name, in the letter's language"),
    "ministry": _l("the ministry's name"),
    "campaign": _l("the campaign's name"),
    "deadline": _l("the day contact points are to be confirmed by"),
    "meeting": _l("the day of the introductory meeting"),
    "submission_deadline": _l("the day assets are to be submitted by"),
    "contact_points": _l("the confirmed contact points (a list when alone in its paragraph)"),
    "overdue": _l("the overdue steps with their days (a list when alone in its paragraph)"),
    "asset_details": _l("the asset's title, institution, reuse and link (a table when alone in its paragraph)"),
}
