"""`flask backup create` and `flask backup restore`: thin wrappers around the backup services."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from tracker.backup import services
from tracker.core.health import migration_heads
from tracker.extensions import db

backup_cli = AppGroup("backup", help="Back up the whole database to a file, and restore a backup into an empty database.")


def _migrations() -> str:
    return current_app.extensions["migrate"].directory


@backup_cli.command("create")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The file to write (default: instance/backups/tracker-<UTC time>.pgdump or .sqlite3). "
                   "An existing file is never overwritten.")
def create_command(out: Path | None) -> None:
    """Back up the database of DATABASE_URL: a pg_dump archive or a SQLite copy, readable by its owner only.

    It holds personal data: keep it as safe as the database itself.
    """
    url = db.engine.url
    try:
        kind = services.database_kind(url)
        out = out or services.default_backup_path(Path(current_app.instance_path) / "backups", kind)
        backup = services.create_backup(url, out)
    except services.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written: {backup.path}")
    click.echo(f"  {services.LABELS[backup.kind]}, {backup.size:,} bytes")
    click.echo(f"  sha256   {backup.sha256}")
    click.echo(f"  revision {backup.revision or 'none (the database was never migrated)'}")


@backup_cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(file: Path) -> None:
    """Restore FILE (made by `flask backup create`) into the database of DATABASE_URL, which must be empty.

    A database that holds anything is refused and left as it is: to replace one, create a new, empty
    database (PostgreSQL: createdb NAME; SQLite: a file that does not exist yet), point DATABASE_URL at
    it, restore, check, then switch the app over. On PostgreSQL the restore is one transaction: all or
    nothing. If the backup is older than the code, run `flask db upgrade` afterwards (this command says so).
    """
    url = db.engine.url
    db.engine.dispose()  # the restore works on its own connections
    try:
        restored = services.restore_backup(url, file)
    except services.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {file} into {url.render_as_string(hide_password=True)}")
    click.echo(f"  revision {restored.revision}")
    width = max((len(name) for name in restored.counts), default=0)
    for name, count in restored.counts.items():
        click.echo(f"  {name:<{width}}  {count:>9,}")
    click.echo(f"  {len(restored.counts)} tables, {sum(restored.counts.values()):,} rows")
    state = services.revision_state(restored.revision, _migrations())
    heads = ", ".join(sorted(migration_heads()))
    if state == "behind":
        click.echo(f"The backup is at revision {restored.revision}, behind the migrations' head {heads}: "
                   f"run `flask db upgrade` next.")
    elif state == "unknown":
        click.echo(f"Revision {restored.revision} is not among this code's migrations (head {heads}): the backup "
                   f"comes from another version of the tracker; deploy that version before using this database.")
