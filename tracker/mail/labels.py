"""Names of outbox statuses and kinds in the interface language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "sent": _l("Sent"),
    "kept_locally": _l("In the local inbox"),
    "failed": _l("Failed"),
    "cancelled": _l("Cancelled"),
}

KIND_LABELS = {
    "account": _l("Account"),
    "reminder": _l("Reminder"),
    "escalation": _l("Escalation"),
    "notification": _l("Notification"),
    "digest": _l("Digest"),
    "letter": _l("Letter"),
}
