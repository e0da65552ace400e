"""Backups: write the whole database to one file, and restore such a file into an empty database.

PostgreSQL goes through pg_dump's custom archive and pg_restore in one transaction (all or nothing);
SQLite through VACUUM INTO (a consistent copy of a live database, never a copy of its file) and the
sqlite3 backup API. A backup holds personal data: it is created with mode 0600, written under a
`.partial` name and renamed only once complete, and never overwrites a file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.pool import NullPool

from tracker.core.time import utcnow

#: The first bytes of a pg_dump custom-format archive.
PG_MAGIC = b"PGDMP"
#: The first bytes of every SQLite 3 database file.
SQLITE_MAGIC = b"SQLite format 3\x00"
#: File name ending of a backup, per database kind.
SUFFIXES = {"postgresql": ".pgdump", "sqlite": ".sqlite3"}
LABELS = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}
#: What to do when the target of a restore is not empty.
EMPTY_HINT = ("Restore only into an empty database: create a new one (PostgreSQL: createdb NAME; SQLite: a file "
              "that does not exist yet), point DATABASE_URL at it and run the restore again.")


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class BackupInfo:
    """The backup file written by `create_backup`."""

    path: Path
    kind: str
    size: int
    sha256: str
    #: The alembic revision of the schema it holds (None: the database was never migrated).
    revision: str | None


@dataclass(frozen=True)
class RestoreInfo:
    """What `restore_backup` put into the database."""

    kind: str
    revision: str
    #: Rows per table after the restore.
    counts: dict[str, int] = field(default_factory=dict)


def database_kind(url: sa.URL) -> str:
    """'postgresql' or 'sqlite' for a database URL; BackupError for any other kind."""
    backend = url.get_backend_name()
    if backend not in SUFFIXES:
        raise BackupError(f"Backups are made of PostgreSQL and SQLite databases only, not {backend}.")
    return backend


def libpq_url(url: sa.URL) -> tuple[str, dict[str, str]]:
    """The URL pg_dump and pg_restore take (no driver, no password) and the environment that carries the password."""
    # (URL.set() ignores None, so the URL is built anew rather than the password "set" to None.)
    plain = sa.URL.create("postgresql", username=url.username, host=url.host, port=url.port, database=url.database,
                          query=url.query).render_as_string(hide_password=False)
    return plain, ({"PGPASSWORD": str(url.password)} if url.password else {})


def default_backup_path(folder: Path, kind: str, now: datetime | None = None) -> Path:
    """`folder`/tracker-<UTC YYYYmmddTHHMMSSZ>.pgdump (or .sqlite3)."""
    return Path(folder) / f"tracker-{(now or utcnow()):%Y%m%dT%H%M%SZ}{SUFFIXES[kind]}"


def file_kind(path: Path) -> str | None:
    """'postgresql' for a pg_dump custom archive, 'sqlite' for a SQLite database, None for anything else."""
    with open(path, "rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    if head.startswith(PG_MAGIC):
        return "postgresql"
    if head == SQLITE_MAGIC:
        return "sqlite"
    return None


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def revision_state(revision: str | None, migrations: str | Path) -> str:
    """'current' (at the migrations' head), 'behind' (an older revision), or 'unknown' (not in `migrations`)."""
    script = ScriptDirectory(str(migrations))
    if revision in script.get_heads():
        return "current"
    if revision in {item.revision for item in script.walk_revisions()}:
        return "behind"
    return "unknown"



def row_counts(url: sa.URL) -> dict[str, int]:
    """Rows per table of the database at `url`, by table name."""
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            names = sorted(sa.inspect(connection).get_table_names())
            return {name: connection.scalar(sa.select(sa.func.count()).select_from(sa.table(name))) or 0
                    for name in names}
    finally:
        engine.dispose()


# -- creating a backup --------------------------------------------------------------------------------------------


def create_backup(url: sa.URL, out: Path) -> BackupInfo:
    """Write a backup of the database at `url` to `out` (mode 0600, complete or not at all); never overwrites."""
    kind = database_kind(url)
    out = Path(out)
    if out.exists() or out.is_symlink():
        raise BackupError(f"{out} exists: a backup never overwrites a file. Give another --out, or move that file away.")
    out.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    partial = out.with_name(out.name + ".partial")
    _create_private(partial)
    try:
        if kind == "postgresql":
            _pg_dump(url, partial)
            revision = _archive_revision(partial)
        else:
            _vacuum_into(url, partial)
            revision = _checked_sqlite_revision(partial)
        try:
            os.link(partial, out)  # unlike a rename, a link never replaces a file that appeared meanwhile
        except FileExistsError as exc:
            raise BackupError(f"{out} appeared while the backup was being written: it was left alone.") from exc
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(path=out, kind=kind, size=out.stat().st_size, sha256=sha256_of(out), revision=revision)


def _create_private(path: Path) -> None:
    """An empty file that only its owner may read, created here and now (never an existing one)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exc:
        raise BackupError(f"{path} exists, perhaps left by an interrupted backup: remove it and try again.") from exc
    os.close(descriptor)


def _tool(name: str) -> str:
    """The path of a PostgreSQL client program; BackupError when it is not installed."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found on PATH: install the PostgreSQL client programs of the server's "
                          f"major version (Debian: apt-get install postgresql-client-15).")
    return found


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL client program, its output captured."""
    return subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, check=False)


def _failed(program: str, completed: subprocess.CompletedProcess[str], what: str) -> BackupError:
    return BackupError(f"{program} failed (exit code {completed.returncode}); {what}\n{completed.stderr.strip()}")


def _pg_dump(url: sa.URL, path: Path) -> None:
    """pg_dump's custom archive of the database into `path` (which exists, empty, with mode 0600)."""
    target, env = libpq_url(url)
    completed = _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-acl", "--file", str(path), target], env)
    if completed.returncode != 0:
        raise _failed("pg_dump", completed, "no backup was written.")


def _archive_revision(path: Path) -> str | None:
    """The alembic revision inside a pg_dump custom archive (None when it has no alembic_version table)."""
    completed = _run([_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(path)], {})
    if completed.returncode != 0:
        raise _failed("pg_restore", completed, f"{path} is not a readable pg_dump archive.")
    rows: list[str] | None = None
    for line in completed.stdout.splitlines():
        if rows is None:
            if line.startswith("COPY ") and "alembic_version" in line:
                rows = []
        elif line == "\\.":
            break
        else:
            rows.append(line)
    return rows[0] if rows else None


def _sqlite_path(url: sa.URL) -> Path:
    """The file of a SQLite URL; BackupError for an in-memory database."""
    if not url.database or url.database == ":memory:" or url.query.get("mode") == "memory":
        raise BackupError("An in-memory SQLite database has nothing to back up or restore.")
    return Path(url.database).resolve()


def _vacuum_into(url: sa.URL, path: Path) -> None:
    """A consistent copy of the live SQLite database, written by SQLite into `path` (which exists, empty)."""
    source = _sqlite_path(url)
    if not source.is_file():
        raise BackupError(f"There is no SQLite database at {source} (DATABASE_URL).")
    try:
        connection = sqlite3.connect(f"{source.as_uri()}?mode=rw", uri=True, isolation_level=None, timeout=30)
        try:
            connection.execute("VACUUM INTO ?", (str(path),))
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not copy {source}: {exc}") from exc


def _checked_sqlite_revision(path: Path) -> str | None:
    """The alembic revision of a SQLite file that passes integrity_check (None when it has no alembic_version)."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise BackupError(f"{path} fails SQLite's integrity check: {'; '.join(problems[:5])}")
            if connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
                                  ).fetchone() is None:
                return None
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
            return row[0] if row else None
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be read as a SQLite database: {exc}") from exc


# -- restoring a backup -------------------------------------------------------------------------------------------


def restore_backup(url: sa.URL, path: Path) -> RestoreInfo:
    """Restore the backup at `path` into the empty database at `url`; anything else is refused, the target untouched."""
    kind = database_kind(url)
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    found = file_kind(path)
    if found is None:
        raise BackupError(f"{path} is not a backup: it is neither a pg_dump custom archive (.pgdump) nor a SQLite "
                          f"database (.sqlite3). Nothing was restored.")
    if found != kind:
        raise BackupError(f"{path} is a {LABELS[found]} backup but DATABASE_URL names a {LABELS[kind]} database: "
                          f"restore it into a {LABELS[found]} database. Nothing was restored.")
    revision = _pg_restore(url, path) if kind == "postgresql" else _sqlite_restore(url, path)
    return RestoreInfo(kind=kind, revision=revision, counts=row_counts(url))


def _not_empty(database: str | None, objects: list[tuple[str, bool]]) -> BackupError:
    """The refusal of a target that holds `objects` ((name, is a table) pairs)."""
    tables = [name for name, is_table in objects if is_table]
    shown = tables or [name for name, _is_table in objects]
    listed = ", ".join(shown[:5]) + (", ..." if len(shown) > 5 else "")
    holds = f"{len(tables)} tables" if tables else f"{len(objects)} objects"
    return BackupError(f"The database {database} is not empty: it holds {holds} ({listed}). Nothing was restored. "
                       f"{EMPTY_HINT}")


def _untouched(check: Callable[[Path], str | None], path: Path) -> str | None:
    """`check(path)`, its refusal saying that the target was not touched."""
    try:
        return check(path)
    except BackupError as exc:
        raise BackupError(f"{exc}\nNothing was restored.") from exc


def _not_a_tracker_backup(path: Path) -> BackupError:
    return BackupError(f"{path} has no alembic_version table: it is not a backup of the tracker. Nothing was restored.")


def _pg_restore(url: sa.URL, path: Path) -> str:
    """pg_restore of the archive into the empty database at `url`, in one transaction; the revision restored."""
    revision = _untouched(_archive_revision, path)  # reads the archive first: a damaged one stops here
    if revision is None:
        raise _not_a_tracker_backup(path)
    found = _pg_relations(url)
    if found:
        raise _not_empty(url.database, found)
    target, env = libpq_url(url)
    completed = _run([_tool("pg_restore"), "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction",
                      "-d", target, str(path)], env)
    if completed.returncode != 0:
        raise _failed("pg_restore", completed, "its one transaction was rolled back: nothing was restored.")
    return revision


def _pg_relations(url: sa.URL) -> list[tuple[str, bool]]:
    """The tables, views, sequences ... of the database at `url` outside PostgreSQL's own schemas: (name, is a table)."""
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return [(name, is_table) for name, is_table in connection.execute(sa.text(
                "SELECT n.nspname || '.' || c.relname, c.relkind IN ('r', 'p') FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', "
                "'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%' "
                "ORDER BY 1"))]
    except sa.exc.OperationalError as exc:
        raise BackupError(f"Cannot connect to the database of DATABASE_URL: {exc.orig}") from exc
    finally:
        engine.dispose()


def _sqlite_restore(url: sa.URL, path: Path) -> str:
    """Copy the checked SQLite backup into the empty (or not yet existing) SQLite file of `url`; the revision."""
    revision = _untouched(_checked_sqlite_revision, path)
    if revision is None:
        raise _not_a_tracker_backup(path)
    target = _sqlite_path(url)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        _create_private(target)
    try:
        source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            destination = sqlite3.connect(f"{target.as_uri()}?mode=rw", uri=True, isolation_level=None, timeout=30)
            try:
                found = [(name, kind == "table") for name, kind in destination.execute(
                    "SELECT name, type FROM sqlite_master ORDER BY name")]
                if found:
                    raise _not_empty(str(target), found)
                source.backup(destination)
            finally:
                destination.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite could not restore into {target}: {exc}") from exc
    return revision
