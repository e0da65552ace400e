"""`GET /healthz`: is the database reachable and are the migrations at head?"""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify

from tracker.core.permissions import public
from tracker.extensions import db

bp = Blueprint("health", __name__)


def migration_heads() -> set[str]:
    """The head revisions of the migration scripts."""
    directory = current_app.extensions["migrate"].directory
    return set(ScriptDirectory(directory).get_heads())


@bp.get("/healthz")
@public
def healthz():
    """JSON health: 200 when the database answers and is migrated to head, else 503."""
    body: dict[str, object] = {"database": "unreachable", "migrations": "unknown"}
    heads = migration_heads()
    try:
        # The request's own connection: with SQLite a second one would wait for its write lock.
        connection = db.session.connection()
        connection.exec_driver_sql("SELECT 1")
        current = set(MigrationContext.configure(connection).get_current_heads())
        body["database"] = "ok"
        body["migrations"] = "at_head" if current == heads else "behind"
        body["revision"] = sorted(current)
        body["head"] = sorted(heads)
    except Exception as exc:  # noqa: BLE001 - any driver error means unreachable
        body["error"] = type(exc).__name__
    healthy = body["database"] == "ok" and body["migrations"] == "at_head"
    body["status"] = "ok" if healthy else "degraded"
    return jsonify(body), 200 if healthy else 503
