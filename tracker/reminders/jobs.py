"""The ladder evaluation the scheduler runs every five minutes."""

from __future__ import annotations

import logging

from tracker.extensions import db
from tracker.mail.services import relay_after_commit
from tracker.reminders.services import send_due_reminders

log = logging.getLogger(__name__)


def send_due_job() -> None:
    """Queue the reminders that are due, commit, then hand them to the relay."""
    result = send_due_reminders()
    db.session.commit()
    if result.sent or result.awaiting_approval:
        log.info("reminders: %s sent (%s emails), %s awaiting approval, %s superseded",
                 len(result.sent), result.emails, len(result.awaiting_approval), len(result.superseded))
    relay_after_commit()
