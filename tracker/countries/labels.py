"""Translated names of the campaign's fixed milestones."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from tracker.countries.models import Milestone

MILESTONE_LABELS = {
    "kick_off": _l("Campaign kick-off"),
    "contact_points_confirmed": _l("Contact points confirmed"),
    "introductory_meeting": _l("Introductory meeting"),
    "asset_submitted": _l("Asset submitted"),
    "final_event": _l("Final event"),
}


def milestone_label(milestone: Milestone) -> str:
    """The milestone's name in the interface language (its stored name if not a fixed one)."""
    label = MILESTONE_LABELS.get(milestone.code)
    return str(label) if label is not None else milestone.name
