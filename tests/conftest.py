"""Fixtures: a migrated real database (SQLite or PostgreSQL), per-test rollback, login helpers,
an SMTP server on loopback and a live server for the browser tests."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession
from werkzeug.serving import make_server

from config import BASE_DIR, TestingConfig
from tracker import create_app
from tracker.accounts.models import User
from tracker.demo.services import load_demo
from tracker.extensions import db

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
DATABASE_URL = TestingConfig.SQLALCHEMY_DATABASE_URI
ARTIFACTS = BASE_DIR / "test-artifacts"

#: The demo logins the tests act as.
LOGINS = {
    "secretariat": "secretariat@demo.test",
    "viewer": "viewer@demo.test",
    "cp_own": "cp.ee@demo.test",  # Estonia: the country the sample URLs point to
    "cp_other": "cp.fr@demo.test",  # France: must never see Estonia
}


class _FreshRequestClient(FlaskClient):
    """A test client whose every request starts with an empty `g`.

    The `app` fixture keeps one app context pushed for the whole test, and Flask reuses a pushed
    app context for requests, so without this a user cached by Flask-Login in `g` would leak
    from one request into the next.
    """

    def open(self, *args, **kwargs):  # noqa: D102
        from flask import g

        if g:
            vars(g).clear()
        return super().open(*args, **kwargs)


def _reset_database(app: Flask) -> None:
    """Empty the test database completely, then migrate it to head."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP SCHEMA public CASCADE")
                connection.exec_driver_sql("CREATE SCHEMA public")
        else:
            engine.dispose()
            path = Path(engine.url.database or "")
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        upgrade()
        load_demo()
        db.session.commit()
        db.session.remove()


@pytest.fixture(scope="session")
def base_app() -> Flask:
    """One app for the whole run, on a freshly migrated database with the demo campaign."""
    app = create_app({"WTF_CSRF_ENABLED": False}, profile="testing")
    app.test_client_class = _FreshRequestClient
    _reset_database(app)
    return app


class _ConnectionBoundSession(FlaskSession):
    """A session that always uses the test's connection (Flask-SQLAlchemy ignores `bind`)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):  # noqa: D102
        return self.bind if self.bind is not None else super().get_bind(mapper, clause, bind, **kwargs)


@pytest.fixture
def app(base_app: Flask) -> Iterator[Flask]:
    """The app inside an app context whose session is rolled back after the test."""
    with base_app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"class_": _ConnectionBoundSession, "bind": connection, "join_transaction_mode": "create_savepoint"}
        )
        try:
            yield base_app
        finally:
            db.session.remove()
            db.session = original
            transaction.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client (CSRF off; one test turns it on to prove it is enforced)."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    """A CLI runner."""
    return app.test_cli_runner()


def user_by_email(email: str) -> User:
    """A demo user."""
    return db.session.scalar(sa.select(User).where(User.email == email))


def client_as(app: Flask, email: str) -> FlaskClient:
    """A second, independent browser logged in as `email`."""
    other = app.test_client()
    user = user_by_email(email)
    with other.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    return other


@pytest.fixture
def login_as(client: FlaskClient):
    """Log the client in as one of LOGINS' roles (or anonymous with None)."""

    def _login(who: str | None) -> User | None:
        with client.session_transaction() as session:
            session.clear()
            if who is None:
                return None
            user = user_by_email(LOGINS.get(who, who))
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return user

    return _login


# -- a real SMTP server on loopback --------------------------------------------------------

class _Inbox:
    """What the aiosmtpd server received, parsed back into email messages."""

    def __init__(self) -> None:
        self.messages: list = []
        #: The SMTP envelope of each message, in the same order: (MAIL FROM, [RCPT TO, ...]).
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        """Keep every message."""
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving_smtp(app: Flask, handler, port: int | None = None) -> Iterator:
    """Run an aiosmtpd server with `handler` on loopback and point the app's mail settings at it."""
    from aiosmtpd.controller import Controller

    port = port or free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    previous = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield handler
    finally:
        app.config.update(previous)
        controller.stop()


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[_Inbox]:
    """An aiosmtpd server on 127.0.0.1; the app sends mail to it during the test."""
    with serving_smtp(app, _Inbox()) as inbox:
        yield inbox


# -- live server and Chromium for the browser tests ----------------------------------------

@pytest.fixture(scope="session")
def live_app(base_app: Flask) -> Flask:
    """The app the live server serves (CSRF on), for tests that point its mail at an SMTP server."""
    return create_app({}, profile="testing")


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    """The app served over HTTP on loopback, with CSRF on, against the same test database."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


def pytest_collection_modifyitems(items):
    """Browser tests commit through the live server: run them after the rollback-wrapped tests."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_sessionstart(session):
    """Where screenshots and page dumps go."""
    ARTIFACTS.mkdir(exist_ok=True)


def pytest_sessionfinish(session, exitstatus):
    """Remove this run's SQLite file."""
    if DATABASE_URL.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(DATABASE_URL.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
