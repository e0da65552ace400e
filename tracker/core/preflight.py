"""The checks a production process runs before it serves or schedules anything.

`gunicorn.conf.py` runs them once in the master before any worker starts, `flask scheduler run`
before it takes the lock, and `flask preflight` on demand. In production a failed check stops the
process with the reasons; in development only the migrations are checked.
"""

from __future__ import annotations

import logging

import click
import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from flask import Flask, current_app
from flask.cli import with_appcontext

from tracker.extensions import db

log = logging.getLogger(__name__)


class NotReady(click.ClickException):
    """The process must not start: the reasons, one a line."""

    exit_code = 3


def problems(app: Flask) -> list[str]:
    """What stops this process from starting, in words an operator acts on (empty: ready)."""
    from tracker.accounts.services import accounts_with_password
    from tracker.core.health import migration_heads

    found: list[str] = []
    production = bool(app.config["REFUSED_PASSWORDS"])
    with app.app_context():
        engine = db.engine
        if production and engine.dialect.name != "postgresql":
            found.append("DATABASE_URL must name a PostgreSQL database in production (SQLite is for one machine "
                         "in development).")
        try:
            with engine.connect() as connection:
                current = set(MigrationContext.configure(connection).get_current_heads())
        except sa.exc.SQLAlchemyError as exc:
            found.append(f"The database cannot be reached ({type(exc).__name__}); check DATABASE_URL.")
            return found
        heads = migration_heads()
        if current != heads:
            found.append(f"The database is at revision {', '.join(sorted(current)) or 'none'}, the code needs "
                         f"{', '.join(sorted(heads))}: run `flask db upgrade` first (the deploy step).")
            return found
        if production:
            demo = [str(user.id) for user in accounts_with_password(app.config["REFUSED_PASSWORDS"])]
            db.session.remove()
            if demo:
                found.append(f"{len(demo)} enabled account(s) still have the demo password (user ids "
                             f"{', '.join(demo[:10])}{' ...' if len(demo) > 10 else ''}): set real passwords or "
                             "disable them (`flask users disable-demo`) before starting.")
        engine.dispose()  # a forking server must not hand this process's connections to its workers
    return found


def require_ready(app: Flask) -> None:
    """Raise NotReady with every reason when the process must not start."""
    found = problems(app)
    if found:
        for reason in found:
            log.error("not starting: %s", reason)
        raise NotReady("Not starting:\n- " + "\n- ".join(found))


@click.command("preflight")
@with_appcontext
def preflight_command() -> None:
    """Check that this configuration may start (exit 0) or print why not (exit 3)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    require_ready(app)
    click.echo(f"Ready: {app.config['PROFILE']} profile, {db.engine.dialect.name}, migrations at head.")
