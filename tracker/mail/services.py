"""Queueing emails in the outbox and relaying them after commit."""

from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from tracker.core.time import utcnow
from tracker.extensions import db
from tracker.mail.models import OutboxMessage

log = logging.getLogger(__name__)


def queue_email(
    *,
    key: str,
    to: list[str],
    template: str,
    language: str,
    sensitive: bool = False,
    **context: object,
) -> OutboxMessage:
    """Render `template` (.txt, .html, .subject) in `language` and add it to the outbox once."""
    existing = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    if existing is not None:
        return existing
    with force_locale(language):
        subject = render_template(f"{template}.subject.txt", **context).strip()
        text = render_template(f"{template}.txt", **context)
        html = render_template(f"{template}.html", **context)
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rsplit("@", 1)[-1].strip(">") or "tracker"
    message = OutboxMessage(
        idempotency_key=key,
        message_id=make_msgid(idstring=uuid.uuid4().hex[:12], domain=domain),
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        recipients=", ".join(to),
        subject=subject,
        text_body=text,
        html_body=html,
        language=language,
        is_sensitive=sensitive,
    )
    db.session.add(message)
    db.session.flush()
    return message


def build_message(row: OutboxMessage) -> EmailMessage:
    """The RFC 5322 message for an outbox row (text with an HTML alternative)."""
    message = EmailMessage()
    message["From"] = row.sender
    message["To"] = row.recipients
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(row.created_at)
    message.set_content(row.text_body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    message["Content-Language"] = row.language  # after set_content, which clears Content-* headers
    return message


def _connect() -> smtplib.SMTP:
    config = current_app.config
    if config["MAIL_USE_SSL"]:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30)
        if config["MAIL_USE_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return smtp


def deliver_queued(limit: int = 100) -> int:
    """Send queued messages over one SMTP connection (or keep them in the local inbox); commits."""
    now = utcnow()
    rows = list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    if not rows:
        return 0
    if not current_app.config["MAIL_SERVER"]:
        for row in rows:
            row.status = "kept_locally"
            row.sent_at = now
            log.info("mail kept in the local inbox: %s to %s", row.subject, row.recipients)
        db.session.commit()
        return len(rows)
    sent = 0
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as exc:
        for row in rows:
            row.attempts += 1
            row.last_error = str(exc)[:1000]
        db.session.commit()
        return 0
    with smtp:
        for row in rows:
            row.attempts += 1
            try:
                smtp.send_message(build_message(row))
            except smtplib.SMTPRecipientsRefused as exc:
                row.status = "failed"
                row.last_error = str(exc)[:1000]
            except (OSError, smtplib.SMTPException) as exc:
                row.last_error = str(exc)[:1000]
            else:
                row.status = "sent"
                row.sent_at = utcnow()
                sent += 1
    db.session.commit()
    return sent
