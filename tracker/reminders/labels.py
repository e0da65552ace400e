"""Names of audiences, steps and reminder states in the interface language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

AUDIENCE_LABELS = {
    "contact_points": _l("Contact points"),
    "contact_points_permrep_cc": _l("Contact points, Permanent Representation in copy"),
    "permrep_escalation": _l("Escalation to the Permanent Representation, contact points in copy"),
}

DISPATCH_LABELS = {
    "planned": _l("Planned"),
    "due": _l("Due now"),
    "missed": _l("Missed (not sent)"),
    "sent": _l("Sent"),
    "awaiting_approval": _l("Awaiting approval"),
    "dismissed": _l("Dismissed"),
    "superseded": _l("Superseded by a later reminder"),
}


def step_label(offset_days: int) -> str:
    """ "14 days before", "on the due day", "2 days after" in the interface language."""
    if offset_days < 0:
        return ngettext("%(num)s day before", "%(num)s days before", -offset_days)
    if offset_days > 0:
        return ngettext("%(num)s day after", "%(num)s days after", offset_days)
    return str(_l("on the due day"))
