"""The relay holds no database transaction while it talks to the SMTP server.

Left open, the read of the claimed rows kept SQLite's shared lock (a PostgreSQL transaction,
"idle in transaction") through a whole batch of sends: other processes could not commit, and
the relay's own first UPDATE then failed with "database is locked" after the server had
accepted the message, which went again once its lease ran out. Runs on a dedicated database: a
SQLite file of its own, or a PostgreSQL database on the TEST_DATABASE_URL server.
"""

from __future__ import annotations

import os
import sqlite3
from types import SimpleNamespace

import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from sqlalchemy.pool import NullPool

from bench.kill_test import free_port, make_app, scratch_database
from config import normalise_database_url


class _Probe:
    """An SMTP server that, while each message is in flight, checks that the database is free."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.findings: list[str] = []

    def _database_is_free(self) -> str:
        if self.url.startswith("sqlite"):
            connection = sqlite3.connect(sa.engine.make_url(self.url).database, timeout=0.3, isolation_level=None)
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("INSERT INTO probe (at) VALUES (datetime('now'))")
                connection.execute("COMMIT")  # needs every shared lock released
                return "free"
            except sqlite3.OperationalError as exc:
                return str(exc)
            finally:
                connection.close()
        engine = sa.create_engine(normalise_database_url(self.url), poolclass=NullPool)
        try:
            with engine.connect() as connection:
                idle = connection.scalar(sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"))
            return "free" if idle == 0 else f"{idle} session(s) idle in transaction"
        finally:
            engine.dispose()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        """Look at the database, then accept."""
        self.findings.append(self._database_is_free())
        return "250 OK"


def test_relay_holds_no_transaction_while_sending():
    from tracker.extensions import db
    from tracker.mail.services import queue_email, relay_outbox

    with scratch_database(os.environ.get("TEST_DATABASE_URL"), f"tracker_relay_locks_{os.getpid()}") as url:
        app = make_app(url)
        probe = _Probe(url)
        controller = Controller(probe, hostname="127.0.0.1", port=free_port())
        controller.start()
        try:
            app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_BATCH_SIZE=3)
            with app.app_context():
                upgrade()
                db.session.execute(sa.text("CREATE TABLE probe (at VARCHAR(40))"))
                for number in range(3):
                    queue_email(key=f"locks:{number}", to=[f"locks.{number}@demo.test"],
                                template="accounts/emails/password_reset", language="en",
                                user=SimpleNamespace(email=f"locks.{number}@demo.test"), hours=2,
                                link="http://localhost/password/reset/x")
                db.session.commit()
                result = relay_outbox()
                db.session.remove()
                db.engine.dispose()
        finally:
            controller.stop()

    assert result.sent == 3, result
    assert probe.findings == ["free"] * 3
