"""The scheduler's weekly digest job."""

from __future__ import annotations

import logging

from tracker.digests.services import weekly_digests
from tracker.extensions import db
from tracker.mail.services import relay_after_commit

log = logging.getLogger(__name__)


def weekly_digest_job() -> None:
    """Build and queue this week's digest of each open campaign (once per week, however often it runs)."""
    digests = weekly_digests()
    db.session.commit()
    relay_after_commit(*[d.message_id for d in digests if d.message_id])
    for digest in digests:
        recipients = len([r for r in digest.recipients.split(",") if r.strip()]) if digest.recipients else 0
        log.info("weekly digest %s of %s: %s", digest.period, digest.campaign.code,
                 f"{recipients} recipient(s)" if recipients else "not emailed")
