"""The relay job the scheduler runs every minute."""

from __future__ import annotations

import logging

from tracker.mail.services import relay_outbox

log = logging.getLogger(__name__)


def relay_job() -> None:
    """Send what is queued in the outbox (the relay commits per message)."""
    result = relay_outbox()
    if result.handled or result.retrying:
        log.info("outbox relay: %s sent, %s kept locally, %s retrying, %s failed",
                 result.sent, result.kept_locally, result.retrying, result.failed)
