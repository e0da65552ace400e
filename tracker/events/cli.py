"""`flask events import-attendance`: a thin wrapper around the attendance import."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.events import services
from tracker.events.labels import REFUSALS
from tracker.events.models import Event
from tracker.extensions import db
from tracker.mail.services import relay_after_commit

events_cli = AppGroup("events", help="Events and their attendance.")
ACTOR = "command line"


@events_cli.command("import-attendance")
@click.argument("event_id", type=int)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only print what would be saved.")
@click.option("--include-probable", is_flag=True, help="Also save the probable (name-only) matches.")
def import_attendance_command(event_id: int, file: Path, dry_run: bool, include_probable: bool) -> None:
    """Import a Zoom, Teams, Webex or plain CSV attendance report; saves the confident matches."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise click.BadParameter(f"no event {event_id}", param_hint="EVENT_ID")
    try:
        started = services.start_import(event, file.name, file.read_bytes(), by=ACTOR, max_bytes=None)
    except services.ImportRefused as refused:
        db.session.rollback()
        raise click.ClickException(str(refused.message)) from refused
    draft = started.draft
    counts = {category: draft.count(category) for category in ("matched", "probable", "unmatched", "organiser")}
    click.echo(f"{draft.tool} report, {draft.line_count} lines, {len(draft.rows)} participants: "
               f"{counts['matched']} matched, {counts['probable']} probable, {counts['unmatched']} unmatched, "
               f"{counts['organiser']} organisers or staff")
    if started.unchanged:
        db.session.rollback()
        click.echo(f"this file was already imported (import #{draft.id}); nothing changed")
        return
    if dry_run:
        db.session.rollback()
        click.echo("dry run: nothing saved")
        return
    try:
        result = services.apply_import(draft, services.default_decisions(draft, include_probable=include_probable),
                                       by=ACTOR, how="cli")
    except services.EventRefused as refused:
        db.session.rollback()
        raise click.ClickException(str(REFUSALS.get(refused.reason, refused.reason))) from refused
    db.session.commit()
    relay_after_commit()
    click.echo(f"saved: {result.attended} people from {result.countries} countries"
               + (f", replacing import #{result.replaced.id}" if result.replaced else "")
               + (f"; status moved for {', '.join(result.statuses_moved)}" if result.statuses_moved else ""))
