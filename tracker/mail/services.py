"""Queueing emails in the outbox and relaying them over SMTP after commit."""

from __future__ import annotations

import logging
import os
import re
import smtplib
import socket
import ssl
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale

from tracker.audit.services import record_change
from tracker.core.time import utcnow
from tracker.extensions import db
from tracker.mail.models import OutboxAttachment, OutboxMessage

log = logging.getLogger(__name__)

#: Key of the session's `info` dict listing the messages queued since the last relay.
_QUEUED_IN_SESSION = "tracker.queued_mail"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")

Recipient = str | tuple[str, str]


def clean_header_text(value: str) -> str:
    """One line of header text: control characters (CR, LF, TAB ...) become single spaces."""
    return " ".join(_CONTROL.sub(" ", value).split())


def configured_addresses(setting: str) -> list[str]:
    """The addresses in a comma- (or semicolon-) separated setting such as TRACKER_DIGEST_RECIPIENTS."""
    return [address.strip() for address in current_app.config[setting].replace(";", ",").split(",") if address.strip()]


def format_address(name: str, email: str) -> str:
    """A header address ("Name" <a@b>) with CR/LF and other control characters taken out of the name."""
    address = Address(display_name=clean_header_text(name), addr_spec=clean_header_text(email))
    return str(address)


def _addresses(recipients: Iterable[Recipient]) -> str:
    formatted = []
    for recipient in recipients:
        name, email = recipient if isinstance(recipient, tuple) else ("", recipient)
        formatted.append(format_address(name, email))
    return ", ".join(dict.fromkeys(formatted))


def queue_email(
    *,
    key: str,
    to: Sequence[Recipient],
    template: str,
    language: str,
    cc: Sequence[Recipient] = (),
    kind: str = "notification",
    member_state_id: int | None = None,
    sensitive: bool = False,
    attachments: Sequence[tuple[str, str, bytes]] = (),
    **context: object,
) -> OutboxMessage:
    """Render `template` (.subject.txt, .txt, .html) in `language` and add it to the outbox once.

    `attachments` are (filename, content type, bytes), sent with the message.
    """
    existing = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.idempotency_key == key))
    if existing is not None:
        return existing
    with force_locale(language):
        subject = render_template(f"{template}.subject.txt", **context)
        text = render_template(f"{template}.txt", **context)
        html = render_template(f"{template}.html", **context)
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    domain = sender.rsplit("@", 1)[-1].strip("> ") or "tracker.invalid"
    message = OutboxMessage(
        idempotency_key=key,
        message_id=make_msgid(idstring=uuid.uuid4().hex[:12], domain=domain),
        sender=sender,
        recipients=_addresses(to),
        cc=_addresses(cc),
        subject=clean_header_text(subject)[:300],
        text_body=text,
        html_body=html,
        language=language,
        kind=kind,
        member_state_id=member_state_id,
        is_sensitive=sensitive,
        attachment_count=len(attachments),
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    db.session.flush()
    for filename, content_type, data in attachments:
        db.session.add(OutboxAttachment(message_id=message.id, filename=filename, content_type=content_type,
                                        data=data))
    db.session.info.setdefault(_QUEUED_IN_SESSION, []).append(message.id)
    return message


def build_message(row: Any) -> EmailMessage:
    """The RFC 5322 message for an outbox row (plain text with an HTML alternative)."""
    message = EmailMessage()
    message["From"] = row.sender
    message["To"] = row.recipients
    if row.cc:
        message["Cc"] = row.cc
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    message["Date"] = format_datetime(row.created_at)
    if row.kind in ("reminder", "escalation", "digest"):
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    message.set_content(row.text_body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    for attachment in attachments_of(row):
        maintype, _, subtype = attachment.content_type.partition("/")
        subtype, _, parameters = subtype.partition(";")
        params = dict(part.strip().split("=", 1) for part in parameters.split(";") if "=" in part)
        message.add_attachment(attachment.data, maintype=maintype, subtype=subtype.strip(),
                               filename=attachment.filename, params=params)
    message["Content-Language"] = row.language  # after set_content, which clears Content-* headers
    return message


def attachments_of(row: Any) -> list[OutboxAttachment]:
    """The files sent with an outbox row (no query when it has none)."""
    if not getattr(row, "attachment_count", 0):
        return []
    return list(db.session.scalars(
        sa.select(OutboxAttachment).where(OutboxAttachment.message_id == row.id).order_by(OutboxAttachment.id)))


# -- the relay ---------------------------------------------------------------------------------


@dataclass
class RelayResult:
    """What one relay run did."""

    sent: int = 0
    kept_locally: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        """Messages that left the queue for good (sent, kept or failed)."""
        return self.sent + self.kept_locally + self.failed


class _Transient(Exception):
    """A failure worth retrying later."""


class _Permanent(Exception):
    """A failure that retrying will not mend (a rejected address, a malformed message)."""


class _ConnectionLost(_Transient):
    """The SMTP connection is gone: the rest of the batch waits for the next run."""


def _connect() -> smtplib.SMTP:
    config = current_app.config
    timeout = config["MAIL_TIMEOUT_SECONDS"]
    if config["MAIL_USE_SSL"]:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        if config["MAIL_USE_STARTTLS"]:
            smtp.starttls(context=ssl.create_default_context())
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return smtp


def _send_one(smtp: smtplib.SMTP, row: Any) -> str:
    """Hand one message to the server; returns a note on refused recipients, raises on failure."""
    try:
        message = build_message(row)
    except (ValueError, TypeError) as exc:
        raise _Permanent(f"malformed message: {exc}") from exc
    try:
        refused = smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        error = "; ".join(f"{rcpt}: {code} {text!r}" for rcpt, (code, text) in exc.recipients.items())
        raise (_Permanent if codes and min(codes) >= 500 else _Transient)(error) from exc
    except smtplib.SMTPServerDisconnected as exc:
        raise _ConnectionLost(str(exc) or "server disconnected") from exc
    except smtplib.SMTPResponseException as exc:
        error = f"{exc.smtp_code} {exc.smtp_error!r}"
        raise (_Permanent if exc.smtp_code >= 500 else _Transient)(error) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise _ConnectionLost(str(exc) or exc.__class__.__name__) from exc
    return "; ".join(f"refused {rcpt}: {code}" for rcpt, (code, _text) in refused.items())


def retry_delay(attempts: int) -> timedelta:
    """Back-off before the next attempt: base x 2^(attempts-1), at most the configured cap."""
    config = current_app.config
    seconds = config["MAIL_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config["MAIL_RETRY_MAX_SECONDS"]))


def _due_clause(now: datetime):
    return sa.or_(
        sa.and_(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now),
        # A relay that died mid-batch leaves its claimed rows: once the lease is over, they are due again.
        sa.and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now),
    )


def _claim(limit: int, ids: Sequence[int] | None, worker: str) -> list[Any]:
    """Claim up to `limit` due messages for this relay (committed), and return them as rows."""
    now = utcnow()
    pick = sa.select(OutboxMessage.id).where(_due_clause(now)).order_by(OutboxMessage.id).limit(limit)
    if ids is not None:
        pick = pick.where(OutboxMessage.id.in_(ids))
    if db.session.get_bind().dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    # One UPDATE statement claims the rows: on PostgreSQL concurrent relays skip each other's locked
    # rows; on SQLite the statement takes the write lock at once, so two relays cannot claim one row.
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(pick.scalar_subquery()), _due_clause(now))
        .values(status="sending", claimed_by=worker,
                lease_until=now + timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"]))
        .execution_options(synchronize_session=False)
    )
    table = OutboxMessage.__table__
    rows = list(db.session.execute(
        sa.select(table).where(table.c.claimed_by == worker, table.c.status == "sending").order_by(table.c.id)
    ))
    # Commit before talking to the SMTP server: no transaction (nor SQLite lock) stays open during sends.
    db.session.commit()
    return rows


def _renew(rows: Sequence[Any], worker: str) -> set[int]:
    """Extend the lease on rows still to send; returns the ids this relay still owns."""
    now = utcnow()
    ids = [row.id for row in rows]
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == worker, OutboxMessage.status == "sending")
        .values(lease_until=now + timedelta(seconds=current_app.config["MAIL_LEASE_SECONDS"]))
        .execution_options(synchronize_session=False)
    )
    owned = set(db.session.scalars(
        sa.select(OutboxMessage.id).where(OutboxMessage.id.in_(ids), OutboxMessage.claimed_by == worker,
                                          OutboxMessage.status == "sending")
    ))
    db.session.commit()
    return owned


def _finish(row: Any, **values: Any) -> None:
    """Record the outcome of one message and commit it at once (a crash repeats at most this one)."""
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == row.id)
        .values(lease_until=None, claimed_by=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _retry_or_fail(row: Any, error: str, result: RelayResult, *, server_answered: bool = True) -> None:
    """Queue the row again after a back-off, or give up once the server has refused it too often.

    Only refusals the server answered count towards MAIL_MAX_ATTEMPTS: an outage, however long,
    delays messages but never fails them.
    """
    attempts = row.attempts + 1
    if server_answered and attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        _finish(row, status="failed", attempts=attempts, last_error=f"gave up after {attempts} attempts: {error}"[:2000])
        result.failed += 1
    else:
        _finish(row, status="queued", attempts=attempts, last_error=error[:2000],
                next_attempt_at=utcnow() + retry_delay(attempts))
        result.retrying += 1
    result.errors.append(error)


def _release(rows: Sequence[Any]) -> None:
    """Give claimed rows that were not tried back to the queue, attempts unchanged."""
    if rows:
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id.in_([row.id for row in rows]), OutboxMessage.status == "sending")
            .values(status="queued", lease_until=None, claimed_by=None)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()


def relay_outbox(*, ids: Sequence[int] | None = None, max_batches: int | None = None) -> RelayResult:
    """Send due messages over one SMTP connection per batch (or keep them locally); commits per message.

    This is a boundary, like a job: it commits. It claims rows under a lease so that several
    relays (scheduler, CLI, web workers) never send one message twice while all are alive.
    """
    config = current_app.config
    result = RelayResult()
    worker = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    batches = 0
    while max_batches is None or batches < max_batches:
        batches += 1
        rows = _claim(config["MAIL_BATCH_SIZE"], ids, worker)
        if not rows:
            break
        if not config["MAIL_SERVER"]:
            now = utcnow()
            for row in rows:
                # The id only: subjects and addresses are personal data and stay out of the logs.
                log.info("mail kept in the local inbox: outbox message %s", row.id)
            db.session.execute(
                sa.update(OutboxMessage)
                .where(OutboxMessage.id.in_([row.id for row in rows]))
                .values(status="kept_locally", sent_at=now, lease_until=None, claimed_by=None)
                .execution_options(synchronize_session=False)
            )
            db.session.commit()
            result.kept_locally += len(rows)
            continue
        try:
            smtp = _connect()
        except (OSError, smtplib.SMTPException) as exc:
            for row in rows:
                _retry_or_fail(row, f"cannot reach the SMTP server: {exc}", result, server_answered=False)
            break
        lease = timedelta(seconds=config["MAIL_LEASE_SECONDS"])
        renew_at = utcnow() + lease / 2
        owned = {row.id for row in rows}
        with smtp:
            for index, row in enumerate(rows):
                if utcnow() >= renew_at:
                    # A slow batch keeps its lease, so no other relay takes over a message still to go.
                    owned = _renew(rows[index:], worker)
                    renew_at = utcnow() + lease / 2
                if row.id not in owned:
                    continue
                try:
                    note = _send_one(smtp, row)
                except _Permanent as exc:
                    _finish(row, status="failed", attempts=row.attempts + 1, last_error=str(exc)[:2000])
                    result.failed += 1
                    result.errors.append(str(exc))
                except _ConnectionLost as exc:
                    _retry_or_fail(row, str(exc), result, server_answered=False)
                    _release(rows[index + 1:])
                    return result
                except _Transient as exc:
                    _retry_or_fail(row, str(exc), result)
                else:
                    _finish(row, status="sent", attempts=row.attempts + 1, sent_at=utcnow(), last_error=note)
                    result.sent += 1
        if ids is not None:
            break
    return result


def relay_after_commit(*also: int) -> RelayResult | None:
    """Send the messages this session queued, and `also` these (call after the commit); failures stay queued."""
    ids = db.session.info.pop(_QUEUED_IN_SESSION, []) + list(also)
    if not ids:
        return None
    try:
        return relay_outbox(ids=ids)
    except Exception:  # noqa: BLE001 - the message is safe in the outbox; the scheduler's relay retries
        db.session.rollback()
        current_app.logger.exception("mail relay failed; messages stay queued")
        return None


# -- staff actions -----------------------------------------------------------------------------


def resend_message(message: OutboxMessage, *, by: Any) -> None:
    """Queue a failed or cancelled message again, with a fresh count of attempts."""
    if not message.can_resend:
        raise ValueError("only failed or cancelled messages can be sent again")
    message.status = "queued"
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.last_error = ""
    record_change(message, by=by, note="resent by staff")


def cancel_message(message: OutboxMessage, *, by: Any) -> None:
    """Withdraw a message that has not gone yet."""
    if not message.can_cancel:
        raise ValueError("only queued messages can be cancelled")
    message.status = "cancelled"
    record_change(message, by=by, note="cancelled by staff")


def count_by_status() -> dict[str, int]:
    """How many messages the outbox holds in each status."""
    return dict(db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)).all())


def count_failed() -> int:
    """How many messages failed for good (shown to staff)."""
    return db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.status == "failed")) or 0


def list_messages(*, status: str | None = None, kind: str | None = None, member_state_id: int | None = None,
                  page: int = 1, per_page: int = 50) -> tuple[list[OutboxMessage], int]:
    """The mail log, newest first, with the total for paging."""
    query = sa.select(OutboxMessage)
    if status:
        query = query.where(OutboxMessage.status == status)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    if member_state_id is not None:
        query = query.where(OutboxMessage.member_state_id == member_state_id)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(OutboxMessage.id.desc()).limit(per_page).offset((max(page, 1) - 1) * per_page)
    ).all()
    return list(rows), total
