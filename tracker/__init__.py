"""The tracker for "Twin it! 3D for Europe's culture": the application factory."""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, PROFILES


class TrackerFlask(Flask):
    """Flask whose last-resort error log names the route's rule, never the path (a path may hold a token)."""

    def log_exception(self, exc_info: Any) -> None:  # noqa: D102
        from tracker.core.logs import route

        self.logger.error("Exception on %s [%s]", route(), request.method, exc_info=exc_info)


def create_app(test_config: dict[str, Any] | None = None, profile: str | None = None) -> Flask:
    """Build the app: settings, extensions, blueprints, error handlers, commands."""
    app = TrackerFlask(
        __name__,
        instance_path=str(BASE_DIR / "instance"),
        template_folder=str(BASE_DIR / "templates"),
        static_folder=str(BASE_DIR / "static"),
    )
    profile = profile or os.environ.get("TRACKER_CONFIG", "development")
    app.config.from_object(PROFILES[profile]())
    app.config["PROFILE"] = profile
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_COUNT"], x_proto=1, x_host=1)  # type: ignore[method-assign]

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """SQLite: WAL, foreign keys, waiting on locks, and SQLAlchemy driving the transactions."""
    dbapi_connection.isolation_level = None
    # SQLite's own lower() only folds ASCII; names in 24 languages need the Unicode one.
    dbapi_connection.create_function("lower", 1, lambda s: None if s is None else s.lower(), deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # The web app, the scheduler and the commands share the file: WAL lets readers and one writer
    # run at once; NORMAL syncs at checkpoints (a power cut may lose the last commits, never the file).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # Writes take the lock at the start (IMMEDIATE), waiting busy_timeout for it: a deferred
    # transaction that reads first and writes later gets SQLITE_BUSY at once, without waiting,
    # whenever another process wrote meanwhile (two requests, or a request and the scheduler).
    # A page being read (GET) only reads, so it starts deferred and reads its WAL snapshot beside
    # the writer instead of queueing for the lock: with IMMEDIATE everywhere, 50 readers waited in
    # line and some gave up after busy_timeout ("database is locked", `make bench`'s load test).
    # The few GETs that write (audited exports, the API's call log, calendar feeds) call
    # core.models.begin_writing first, which ends the reads and makes the next BEGIN immediate.
    reading = (has_request_context() and request.method in ("GET", "HEAD", "OPTIONS")
               and not g.get("sqlite_writing"))
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def register_extensions(app: Flask) -> None:
    """Bind the extension objects and the models they need."""
    from tracker import models  # noqa: F401  (registers every model)
    from tracker.api import views as api_views
    from tracker.core import i18n, logs, permissions, security, urls
    from tracker.extensions import babel, csrf, db, login_manager, migrate

    logs.init_app(app)  # first: the request id and the clock start before any other hook
    db.init_app(app)
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            sa.event.listen(engine, "begin", _sqlite_begin)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    login_manager.init_app(app)
    permissions.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    urls.init_app(app)
    api_views.init_app(app)
    if app.config["ALLOW_TEST_EMAIL_DOMAIN"]:
        import email_validator

        # The demo and the tests use the reserved ".test" domain (RFC 2606) for invented people.
        if "test" in email_validator.SPECIAL_USE_DOMAIN_NAMES:
            email_validator.SPECIAL_USE_DOMAIN_NAMES.remove("test")


def register_blueprints(app: Flask) -> None:
    """Mount each domain's views."""
    from tracker.accounts.views import bp as accounts_bp
    from tracker.api.views import api as api_bp
    from tracker.api.views import bp as api_tokens_bp
    from tracker.appointments.views import bp as appointments_bp
    from tracker.audit.views import bp as audit_bp
    from tracker.contacts.views import bp as contacts_bp
    from tracker.core.health import bp as health_bp
    from tracker.core.metrics import bp as metrics_bp
    from tracker.countries.views import bp as countries_bp
    from tracker.digests.views import bp as digests_bp
    from tracker.events.views import bp as events_bp
    from tracker.files.views import bp as files_bp
    from tracker.letters.views import bp as letters_bp
    from tracker.mail.views import bp as mail_bp
    from tracker.participation.views import bp as participation_bp
    from tracker.privacy.views import bp as privacy_bp
    from tracker.reminders.views import bp as reminders_bp
    from tracker.tickets.views import bp as tickets_bp

    for blueprint in (health_bp, metrics_bp, accounts_bp, countries_bp, contacts_bp, appointments_bp, participation_bp, privacy_bp,
                      files_bp, audit_bp, mail_bp, reminders_bp, events_bp, tickets_bp, letters_bp, digests_bp, api_bp,
                      api_tokens_bp):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    """Friendly error pages, never a traceback."""
    from tracker.core.errors import init_app

    init_app(app)


def register_commands(app: Flask) -> None:
    """`flask demo`, `translate`, `users`, `scheduler`, `outbox`, `reminders`, `appointments`, `events`, `letters`,
    `digest`, `api`, `backup`."""
    from tracker.accounts.cli import users_cli
    from tracker.api.cli import api_cli
    from tracker.appointments.cli import appointments_cli
    from tracker.backup.cli import backup_cli
    from tracker.core.cli import translate_cli
    from tracker.core.preflight import preflight_command
    from tracker.core.scheduler import scheduler_cli
    from tracker.demo.cli import demo_cli
    from tracker.digests.cli import digest_cli
    from tracker.events.cli import events_cli
    from tracker.letters.cli import letters_cli
    from tracker.mail.cli import outbox_cli
    from tracker.reminders.cli import reminders_cli

    for group in (users_cli, translate_cli, demo_cli, scheduler_cli, outbox_cli, reminders_cli, appointments_cli,
                  events_cli, letters_cli, digest_cli, api_cli, preflight_command, backup_cli):
        app.cli.add_command(group)
