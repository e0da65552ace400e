"""The backup drill: back up a database holding the demo campaign, restore it into an empty one, compare every row.

Real processes, as an operator runs them: `flask backup create` and `flask backup restore` as subprocesses
(pg_dump and pg_restore on PostgreSQL). Runs on databases of its own: SQLite files, or PostgreSQL databases
created on the TEST_DATABASE_URL server (never the suite's own database). The refusals are cheap: they run
the same commands through Flask's CLI runner in this process.
"""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from bench.kill_test import database_kind, make_app, prepare_database, scratch_database
from config import BASE_DIR, normalise_database_url

URL_GIVEN = os.environ.get("TEST_DATABASE_URL")
KIND = database_kind(URL_GIVEN)
#: Tables the drill must find filled on both sides, so that it cannot pass on two empty databases.
MAIN_TABLES = ("alembic_version", "users", "campaigns", "member_states", "milestones", "people", "appointments",
               "participations", "assets", "events", "event_registrations", "tickets", "ticket_messages", "letters",
               "digests", "stored_files", "outbox_messages", "outbox_attachments", "event_invitations",
               "audit_entries")
#: A ticket attachment that is not a PDF: a PNG signature, then every byte value.
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


@dataclass
class Drill:
    """The two databases, the backup between them and what the commands printed."""

    source: str
    target: str
    backup: Path
    created: subprocess.CompletedProcess
    restored: subprocess.CompletedProcess
    before: dict[str, list[tuple]]


def _flask(url: str, *args: str) -> subprocess.CompletedProcess:
    """`flask backup ...` in a process of its own, on the database at `url`."""
    env = dict(os.environ)
    env.pop("TEST_DATABASE_URL", None)
    env.update(FLASK_APP="wsgi", TRACKER_CONFIG="development", DATABASE_URL=url)
    return subprocess.run([sys.executable, "-m", "flask", "backup", *args], cwd=BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120)


def _add_files(app) -> None:
    """Besides the demo's letter and digest PDFs: a ticket attachment, a letter emailed, event invitations (.ics)."""
    from tracker.accounts.models import User
    from tracker.core.time import utcnow
    from tracker.events.models import Event
    from tracker.events.services import send_invitations
    from tracker.extensions import db
    from tracker.letters.models import Letter
    from tracker.letters.services import send_letter
    from tracker.tickets.models import Ticket
    from tracker.tickets.services import reply

    with app.app_context():
        secretariat = db.session.scalar(sa.select(User).where(User.email == "secretariat@demo.test"))
        ticket = db.session.scalar(sa.select(Ticket).where(Ticket.status != "closed").order_by(Ticket.id))
        reply(ticket, by=secretariat, body="The photo of the door.", uploads=[(io.BytesIO(PNG), "door.png")],
              notify=False)
        send_letter(db.session.scalar(sa.select(Letter).order_by(Letter.id)), by="backup drill")
        event = db.session.scalar(sa.select(Event).where(Event.cancelled_at.is_(None), Event.starts_at > utcnow()
                                                         + timedelta(days=1)).order_by(Event.starts_at))
        assert send_invitations(event, by=secretariat, base_url="http://localhost") > 0
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(normalise_database_url(url), poolclass=NullPool)


def _rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, all columns, ordered by primary key (by every column where there is none)."""
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            metadata = sa.MetaData()
            metadata.reflect(connection)
            return {name: [tuple(row) for row in connection.execute(
                        sa.select(table).order_by(*(list(table.primary_key.columns) or list(table.columns))))]
                    for name, table in metadata.tables.items()}
    finally:
        engine.dispose()


def _plain(value: Any) -> Any:
    """A reflected value made comparable (SQL expressions, such as a partial index's WHERE, as their text)."""
    if isinstance(value, dict):
        return sorted((key, _plain(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value) if isinstance(value, sa.ClauseElement) else value


def _index(index: dict[str, Any]) -> dict[str, Any]:
    """A reflected index; of a partial index's predicate only that there is one.

    PostgreSQL prints a predicate back from its parsed form, and a restored one can read differently
    (`ARRAY[...]::text[]` becomes `ARRAY[(...)::text, ...]`) while meaning the same.
    """
    options = dict(index.get("dialect_options", {}))
    if options.get("postgresql_where") is not None:
        options["postgresql_where"] = "partial"
    return {**index, "dialect_options": options}


def _schema(url: str) -> dict[str, Any]:
    """Columns, keys, indexes and constraints of every table; on PostgreSQL also where each sequence stands."""
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            schema: dict[str, Any] = {
                name: (
                    [(c["name"], str(c["type"]), c["nullable"], str(c.get("default"))) for c in inspector.get_columns(name)],
                    inspector.get_pk_constraint(name),
                    sorted(map(repr, _plain(inspector.get_foreign_keys(name)))),
                    sorted(map(repr, _plain([_index(index) for index in inspector.get_indexes(name)]))),
                    sorted(map(repr, _plain(inspector.get_unique_constraints(name)))),
                    sorted(map(repr, _plain(inspector.get_check_constraints(name)))),
                )
                for name in inspector.get_table_names()
            }
            if connection.dialect.name == "postgresql":
                schema["sequences"] = sorted(connection.execute(sa.text(
                    "SELECT schemaname, sequencename, last_value FROM pg_sequences")).all())
            return schema
    finally:
        engine.dispose()


def _invoke(url: str, *args: str):
    """`flask backup ...` through Flask's CLI runner in this process (for the quick refusals)."""
    app = make_app(url)
    try:
        return app.test_cli_runner().invoke(args=["backup", *args])
    finally:
        from tracker.extensions import db

        with app.app_context():
            db.engine.dispose()


def _is_empty(url: str) -> bool:
    if KIND == "sqlite":
        path = Path(sa.make_url(url).database)
        if not path.exists():
            return True
        with sqlite3.connect(path) as connection:
            return connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    engine = _engine(url)
    try:
        with engine.connect() as connection:
            return not sa.inspect(connection).get_table_names()
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def drill(tmp_path_factory) -> Drill:
    """The demo (plus files) in a scratch database, backed up by the CLI and restored into a second, empty one."""
    folder = tmp_path_factory.mktemp("backup")
    pid = os.getpid()
    with scratch_database(URL_GIVEN, f"tracker_backup_source_{pid}") as source, \
            scratch_database(URL_GIVEN, f"tracker_backup_target_{pid}") as target:
        _add_files(prepare_database(source))
        backup = folder / f"drill{'.pgdump' if KIND == 'postgresql' else '.sqlite3'}"
        created = _flask(source, "create", "--out", str(backup))
        assert created.returncode == 0, created.stderr
        restored = _flask(target, "restore", str(backup))
        assert restored.returncode == 0, restored.stderr
        yield Drill(source=source, target=target, backup=backup, created=created, restored=restored,
                    before=_rows(source))


# -- the drill ----------------------------------------------------------------------------------------------------


def test_the_backup_is_private_complete_and_described(drill):
    data = drill.backup.read_bytes()
    assert (drill.backup.stat().st_mode & 0o777) == 0o600  # personal data: its owner only
    assert data.startswith(b"PGDMP" if KIND == "postgresql" else b"SQLite format 3\x00")
    assert not drill.backup.with_name(drill.backup.name + ".partial").exists()
    [revision] = drill.before["alembic_version"][0]
    out = drill.created.stdout
    assert str(drill.backup) in out and f"{len(data):,} bytes" in out
    assert hashlib.sha256(data).hexdigest() in out and f"revision {revision}" in out


def test_the_restore_gives_back_every_table_and_every_row(drill):
    after = _rows(drill.target)
    assert set(after) == set(drill.before)
    assert all(drill.before[name] for name in MAIN_TABLES), {name: len(drill.before[name]) for name in MAIN_TABLES}
    for name, rows in drill.before.items():
        assert after[name] == rows, name
    assert _schema(drill.target) == _schema(drill.source)
    [revision] = drill.before["alembic_version"][0]
    out = drill.restored.stdout
    assert f"revision {revision}" in out and "flask db upgrade" not in out  # the backup is at the head
    assert f"{len(after)} tables, {sum(map(len, after.values())):,} rows" in out


def test_stored_files_and_mail_attachments_come_back_byte_for_byte(drill):
    def files(url: str) -> tuple[dict[int, tuple[str, str, bytes]], dict[int, tuple[str, str, bytes]]]:
        engine = _engine(url)
        try:
            with engine.connect() as connection:
                stored = {row.id: (row.sha256, hashlib.sha256(row.data).hexdigest(), row.data[:5]) for row in
                          connection.execute(sa.text("SELECT id, sha256, data FROM stored_files"))}
                mailed = {row.id: (row.content_type, hashlib.sha256(row.data).hexdigest(), row.data[:5]) for row in
                          connection.execute(sa.text("SELECT id, content_type, data FROM outbox_attachments"))}
        finally:
            engine.dispose()
        return stored, mailed

    stored, mailed = files(drill.source)
    assert files(drill.target) == (stored, mailed)
    assert all(recorded == computed for recorded, computed, _head in stored.values())  # each file's own SHA-256
    assert any(head == b"%PDF-" for *_sums, head in stored.values())  # letters and the digest
    assert any(head.startswith(b"\x89PNG") for *_sums, head in stored.values())  # the ticket attachment
    assert any(head == b"%PDF-" for *_sums, head in mailed.values())  # the letter emailed
    assert any(kind.startswith("text/calendar") for kind, *_rest in mailed.values())  # the invitations' .ics


# -- refusals -----------------------------------------------------------------------------------------------------


def test_a_restore_refuses_garbage_the_other_kind_and_a_damaged_backup(drill, tmp_path):
    garbage = tmp_path / "garbage.pgdump"
    garbage.write_bytes(os.urandom(4096))
    other = tmp_path / "other-kind"
    if KIND == "sqlite":
        other.write_bytes(b"PGDMP" + os.urandom(4096))
    else:
        with sqlite3.connect(other) as connection:
            connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        connection.close()
    damaged = tmp_path / f"damaged{drill.backup.suffix}"
    data = drill.backup.read_bytes()
    damaged.write_bytes(data[: len(data) * 3 // 5])
    expected = {garbage: "is not a backup", other: "backup but DATABASE_URL names a", damaged: ""}
    with scratch_database(URL_GIVEN, f"tracker_backup_empty_{os.getpid()}") as empty:
        for path, message in expected.items():
            result = _invoke(empty, "restore", str(path))
            assert result.exit_code != 0 and message in result.output, (path.name, result.output)
            assert "nothing was restored" in result.output.lower(), (path.name, result.output)
            assert _is_empty(empty), path.name


def test_a_restore_refuses_a_database_that_is_not_empty_and_leaves_it_alone(drill):
    result = _invoke(drill.source, "restore", str(drill.backup))
    assert result.exit_code != 0, result.output
    assert "is not empty" in result.output and "create a new one" in result.output
    assert _rows(drill.source) == drill.before


def test_a_backup_never_overwrites_a_file(drill):
    before = drill.backup.read_bytes()
    result = _invoke(drill.source, "create", "--out", str(drill.backup))
    assert result.exit_code != 0 and "never overwrites" in result.output, result.output
    assert drill.backup.read_bytes() == before
    assert not drill.backup.with_name(drill.backup.name + ".partial").exists()


def test_the_password_reaches_pg_dump_through_the_environment_not_the_command_line():
    from tracker.backup.services import libpq_url

    url = sa.make_url("postgresql+psycopg://tracker:s3cr%40t@db.example:5433/tracker?sslmode=require")
    assert libpq_url(url) == ("postgresql://tracker@db.example:5433/tracker?sslmode=require", {"PGPASSWORD": "s3cr@t"})
