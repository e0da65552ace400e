"""The outbox and its relay, against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.utils import parsedate_to_datetime
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import time_machine

from tests.conftest import _Inbox, free_port, serving_smtp
from tracker.extensions import db
from tracker.mail.models import OutboxMessage
from tracker.mail.services import (
    cancel_message,
    format_address,
    queue_email,
    relay_after_commit,
    relay_outbox,
    resend_message,
)

#: A whole second, so the Date header (which has no fractions) reads back equal.
NOW = datetime(2025, 9, 17, 8, 0, 0, tzinfo=UTC)
SENDER = "twinit-secretariat@demo.test"


def _queue(key: str = "test:1", *, to=(("Ana Test", "ana@example.test"),), cc=(), kind: str = "notification",
           language: str = "en") -> OutboxMessage:
    """Queue one small real email (the password-reset template) and make it visible to the relay."""
    return queue_email(
        key=key, to=list(to), cc=list(cc), template="accounts/emails/password_reset", language=language,
        kind=kind, user=SimpleNamespace(email="ana@example.test"), hours=2, link="http://localhost/reset/abc",
    )


def _rows_with_key(key: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.idempotency_key == key)
    )


class _Flaky(_Inbox):
    """Answers DATA with a temporary failure the first `failures` times, then accepts."""

    def __init__(self, failures: int = 1, reply: str = "451 4.3.0 Try again later") -> None:
        super().__init__()
        self.failures = failures
        self.reply = reply
        #: The messages answered with `reply`, parsed.
        self.refused: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        """Refuse while failures are left, else keep the message."""
        if self.failures > 0:
            self.failures -= 1
            self.refused.append(message_from_bytes(envelope.original_content or envelope.content,
                                                   policy=policy.default))
            return self.reply
        return await super().handle_DATA(server, session, envelope)


class _Rejecting(_Inbox):
    """Refuses some recipients for good (550) and counts every RCPT it was asked."""

    def __init__(self, rejected: set[str]) -> None:
        super().__init__()
        self.rejected = rejected
        self.rcpt_asked: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        """550 for the rejected addresses, 250 for the rest."""
        self.rcpt_asked.append(address)
        if address in self.rejected:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


# -- what arrives ------------------------------------------------------------------------------

def test_a_reminder_arrives_as_valid_multipart_mime_with_its_headers(app, smtp_server):
    with time_machine.travel(NOW, tick=False):
        row = _queue("test:mime", to=[("Ana Test", "ana@example.test")], cc=["permrep.xx@demo.test"],
                     kind="reminder", language="de")
        result = relay_outbox(ids=[row.id])

    assert (result.sent, result.failed, result.retrying) == (1, 0, 0)
    assert row.status == "sent" and row.attempts == 1 and row.sent_at == NOW
    [message] = smtp_server.messages
    assert message.defects == []
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert all(part.defects == [] for part in parts)
    assert "http://localhost/reset/abc" in parts[0].get_content()
    assert 'href="http://localhost/reset/abc"' in parts[1].get_content()
    assert message["Content-Language"] == "de"
    assert message["Message-ID"] == row.message_id
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@demo.test>")
    assert parsedate_to_datetime(message["Date"]) == NOW
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["From"].addresses[0].addr_spec == SENDER
    assert [(a.display_name, a.addr_spec) for a in message["To"].addresses] == [("Ana Test", "ana@example.test")]
    assert [a.addr_spec for a in message["Cc"].addresses] == ["permrep.xx@demo.test"]
    assert message["Subject"] == row.subject and row.subject
    assert smtp_server.envelopes == [(SENDER, ["ana@example.test", "permrep.xx@demo.test"])]


def test_a_notification_is_not_marked_auto_submitted(app, smtp_server):
    with time_machine.travel(NOW, tick=False):
        row = _queue("test:notification", kind="notification")
        relay_outbox(ids=[row.id])

    [message] = smtp_server.messages
    assert message["Auto-Submitted"] is None
    assert message["Content-Language"] == "en"


def test_a_name_holding_cr_lf_injects_no_header_and_no_recipient(app, smtp_server):
    evil = "Eve\r\nBcc: victim@example.test\r\nX-Injected: yes"
    with time_machine.travel(NOW, tick=False):
        row = _queue("test:injection", to=[(evil, "eve@example.test")], cc=[(evil, "cc@example.test")])
        relay_outbox(ids=[row.id])

    assert "\r" not in row.recipients + row.cc and "\n" not in row.recipients + row.cc
    [message] = smtp_server.messages
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert {key.lower() for key in message.keys()}.isdisjoint({"bcc", "x-injected"})
    to = message["To"].addresses
    assert [a.addr_spec for a in to] == ["eve@example.test"]
    assert to[0].display_name == "Eve Bcc: victim@example.test X-Injected: yes"
    assert [a.addr_spec for a in message["Cc"].addresses] == ["cc@example.test"]
    # The envelope is what really decides who receives a copy.
    assert smtp_server.envelopes == [(SENDER, ["eve@example.test", "cc@example.test"])]


def test_format_address_takes_control_characters_out_of_the_name():
    assert format_address("Eve\r\nBcc: x@example.test", "eve@example.test") == \
        '"Eve Bcc: x@example.test" <eve@example.test>'


# -- retries -----------------------------------------------------------------------------------

def test_a_temporary_refusal_is_retried_later_with_the_same_message_id(app):
    with time_machine.travel(NOW, tick=False) as traveller, serving_smtp(app, _Flaky(failures=1)) as server:
        row = _queue("test:retry")
        message_id = row.message_id
        first = relay_outbox(ids=[row.id])

        assert (first.sent, first.retrying, first.failed) == (0, 1, 0)
        assert row.status == "queued" and row.attempts == 1
        assert "451" in row.last_error
        assert row.next_attempt_at > NOW
        assert row.lease_until is None and row.claimed_by is None
        assert server.messages == [] and len(server.refused) == 1

        # Not due yet: the relay leaves it alone.
        assert relay_outbox(ids=[row.id]).sent == 0
        assert len(server.refused) == 1 and server.messages == []

        traveller.move_to(row.next_attempt_at + timedelta(seconds=1))
        second = relay_outbox(ids=[row.id])

    assert second.sent == 1
    assert row.status == "sent" and row.attempts == 2
    [delivered] = server.messages
    assert delivered["Message-ID"] == server.refused[0]["Message-ID"] == message_id == row.message_id


def test_a_recipient_refused_for_good_fails_without_retry(app):
    with time_machine.travel(NOW, tick=False) as traveller, \
            serving_smtp(app, _Rejecting({"nobody@example.test"})) as server:
        row = _queue("test:550", to=["nobody@example.test"])
        result = relay_outbox(ids=[row.id])

        assert (result.sent, result.retrying, result.failed) == (0, 0, 1)
        assert row.status == "failed" and row.attempts == 1
        assert "550" in row.last_error and "nobody@example.test" in row.last_error
        asked = len(server.rcpt_asked)

        traveller.shift(timedelta(days=2))
        assert relay_outbox().sent == 0

    assert row.status == "failed" and row.attempts == 1
    assert len(server.rcpt_asked) == asked and server.messages == []


def test_one_refused_recipient_of_two_does_not_stop_the_other(app):
    with time_machine.travel(NOW, tick=False), serving_smtp(app, _Rejecting({"nobody@example.test"})) as server:
        row = _queue("test:partial", to=["nobody@example.test", "ana@example.test"])
        assert relay_outbox(ids=[row.id]).sent == 1

    assert row.status == "sent"
    assert "nobody@example.test" in row.last_error and "550" in row.last_error
    assert server.envelopes == [(SENDER, ["ana@example.test"])]


def test_a_message_that_keeps_failing_fails_after_max_attempts(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    with time_machine.travel(NOW, tick=False) as traveller, serving_smtp(app, _Flaky(failures=99)) as server:
        row = _queue("test:max")
        statuses = []
        for _ in range(3):
            result = relay_outbox(ids=[row.id])
            statuses.append((row.status, row.attempts))
            traveller.shift(timedelta(seconds=app.config["MAIL_RETRY_MAX_SECONDS"] + 1))
        assert result.failed == 1
        assert relay_outbox(ids=[row.id]).handled == 0  # failed for good: not tried again

    assert statuses == [("queued", 1), ("queued", 2), ("failed", 3)]
    assert row.last_error.startswith("gave up after 3 attempts") and "451" in row.last_error
    assert len(server.refused) == 3 and server.messages == []


def test_an_smtp_outage_keeps_messages_queued_until_the_server_is_back(app, monkeypatch):
    port = free_port()  # nothing listens there yet
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    with time_machine.travel(NOW, tick=False) as traveller:
        rows = [_queue(f"test:outage:{n}", to=[f"person{n}@example.test"]) for n in range(3)]
        ids = [row.id for row in rows]
        down = relay_outbox(ids=ids)

        assert (down.sent, down.retrying, down.failed) == (0, 3, 0)
        for row in rows:
            assert row.status == "queued"
            assert row.last_error.startswith("cannot reach the SMTP server")
            assert row.next_attempt_at > NOW

        with serving_smtp(app, _Inbox(), port=port) as server:
            assert relay_outbox(ids=ids).sent == 0  # still in back-off
            traveller.move_to(max(row.next_attempt_at for row in rows) + timedelta(seconds=1))
            back = relay_outbox(ids=ids)

    assert back.sent == 3
    assert [row.status for row in rows] == ["sent"] * 3
    assert sorted(m["Message-ID"] for m in server.messages) == sorted(row.message_id for row in rows)


def test_a_message_left_sending_by_a_dead_relay_goes_once_its_lease_is_over(app, smtp_server):
    with time_machine.travel(NOW, tick=False) as traveller:
        expired, leased = _queue("test:lease:expired"), _queue("test:lease:held", to=["bo@example.test"])
        expired.status, expired.claimed_by, expired.lease_until = "sending", "dead:1:x", NOW - timedelta(seconds=1)
        leased.status, leased.claimed_by, leased.lease_until = "sending", "alive:2:y", NOW + timedelta(minutes=4)
        db.session.commit()

        result = relay_outbox(ids=[expired.id, leased.id])

        assert result.sent == 1
        assert expired.status == "sent" and expired.lease_until is None and expired.claimed_by is None
        assert leased.status == "sending" and leased.claimed_by == "alive:2:y"
        assert [m["Message-ID"] for m in smtp_server.messages] == [expired.message_id]

        traveller.move_to(leased.lease_until + timedelta(seconds=1))
        assert relay_outbox(ids=[leased.id]).sent == 1

    assert leased.status == "sent"
    assert [m["Message-ID"] for m in smtp_server.messages] == [expired.message_id, leased.message_id]


# -- queueing ----------------------------------------------------------------------------------

def test_a_rollback_after_queueing_leaves_nothing_in_the_outbox(app, smtp_server):
    _queue("test:rollback")
    assert _rows_with_key("test:rollback") == 1
    db.session.rollback()

    assert _rows_with_key("test:rollback") == 0
    result = relay_after_commit()
    assert result is None or result.handled == 0
    assert relay_outbox().handled == 0
    assert smtp_server.messages == []


def test_a_failed_savepoint_takes_its_queued_email_with_it(app, smtp_server):
    kept = _queue("test:kept")
    with pytest.raises(RuntimeError), db.session.begin_nested():
        _queue("test:undone")
        raise RuntimeError("the change failed")

    assert _rows_with_key("test:undone") == 0
    assert _rows_with_key("test:kept") == 1
    db.session.commit()
    result = relay_after_commit()

    assert result is not None and result.sent == 1
    assert [m["Message-ID"] for m in smtp_server.messages] == [kept.message_id]


def test_the_same_key_queues_one_message(app):
    first = _queue("test:once", to=["ana@example.test"])
    again = _queue("test:once", to=["someone.else@example.test"], language="fr")

    assert again.id == first.id
    assert _rows_with_key("test:once") == 1
    assert again.recipients == "ana@example.test" and again.language == "en"


def test_without_an_smtp_server_messages_are_kept_locally(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    with time_machine.travel(NOW, tick=False):
        row = _queue("test:local")
        result = relay_outbox(ids=[row.id])

    assert (result.kept_locally, result.sent, result.failed) == (1, 0, 0)
    assert row.status == "kept_locally" and row.sent_at == NOW and row.lease_until is None


# -- staff actions -----------------------------------------------------------------------------

def test_only_a_queued_message_can_be_cancelled_and_it_is_not_sent(app, smtp_server):
    row = _queue("test:cancel")
    cancel_message(row, by="secretariat test")
    db.session.commit()

    assert row.status == "cancelled"
    assert relay_outbox().sent == 0 and smtp_server.messages == []
    with pytest.raises(ValueError):
        cancel_message(row, by="secretariat test")


def test_a_sent_message_can_be_neither_cancelled_nor_resent(app, smtp_server):
    row = _queue("test:sent")
    relay_outbox(ids=[row.id])
    assert row.status == "sent"

    with pytest.raises(ValueError):
        cancel_message(row, by="secretariat test")
    with pytest.raises(ValueError):
        resend_message(row, by="secretariat test")
    assert row.status == "sent"


def test_a_queued_message_cannot_be_resent(app):
    row = _queue("test:queued")
    with pytest.raises(ValueError):
        resend_message(row, by="secretariat test")
    assert row.status == "queued"


@pytest.mark.parametrize("status", ["failed", "cancelled"])
def test_a_failed_or_cancelled_message_is_resent_with_fresh_attempts(app, smtp_server, status):
    with time_machine.travel(NOW, tick=False):
        row = _queue(f"test:resend:{status}")
        row.status, row.attempts, row.last_error = status, 8, "gave up after 8 attempts: 451"
        db.session.commit()

        resend_message(row, by="secretariat test")
        assert (row.status, row.attempts, row.last_error, row.next_attempt_at) == ("queued", 0, "", NOW)
        db.session.commit()
        result = relay_outbox(ids=[row.id])

    assert result.sent == 1 and row.status == "sent" and row.attempts == 1
    assert [m["Message-ID"] for m in smtp_server.messages] == [row.message_id]
