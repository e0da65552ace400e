"""`flask reminders preview` and `flask reminders send-due`: thin wrappers around the services."""

from __future__ import annotations

from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup

from tracker.core.i18n import brussels_time
from tracker.core.time import BRUSSELS, utcnow
from tracker.extensions import db
from tracker.reminders.services import (
    ContactPointLookup,
    describe_recipients,
    plan_reminders,
    recipients_for,
    send_due_reminders,
)

reminders_cli = AppGroup("reminders", help="Deadline reminders.")


def parse_moment(value: str | None) -> datetime | None:
    """An ISO date or date-time; without a zone it is read as Brussels time."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
    except ValueError as exc:
        raise click.BadParameter("use an ISO date or date-time, e.g. 2025-09-17T12:00") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BRUSSELS)
    return moment


def _as_of(value: str | None) -> datetime:
    moment = parse_moment(value)
    if moment is None:
        return utcnow()
    if not current_app.config["REMINDERS_ALLOW_AS_OF"]:
        raise click.UsageError("--as-of is refused in the production configuration")
    return moment


AS_OF = click.option("--as-of", "as_of", metavar="DATETIME",
                     help="Act as if it were this moment (ISO; Brussels time unless a zone is given).")


@reminders_cli.command("preview")
@AS_OF
@click.option("--days", default=30, show_default=True, help="How far ahead to list planned reminders.")
def preview(as_of: str | None, days: int) -> None:
    """List what is due now and planned in the coming days: when, to whom, for what."""
    moment = _as_of(as_of)
    items = [
        item for item in plan_reminders(moment)
        if item.state == "due" or (item.state == "planned" and item.planned_at <= moment + timedelta(days=days))
    ]
    people = ContactPointLookup(items, moment.astimezone(BRUSSELS).date())
    click.echo(f"As of {brussels_time(moment)}: {sum(i.state == 'due' for i in items)} due now, "
               f"{sum(i.state == 'planned' for i in items)} planned in the next {days} days.")
    for item in items:
        recipients = recipients_for(item.step, item.member_state, people(item))
        approval = " (needs approval)" if item.step.requires_approval else ""
        click.echo(
            f"{item.state:<8} {brussels_time(item.planned_at):<26} {item.member_state.code} "
            f"{item.milestone.code} {item.step.offset_days:+d}d{approval} -> {describe_recipients(recipients) or 'nobody on record'}"
        )


@reminders_cli.command("send-due")
@AS_OF
def send_due(as_of: str | None) -> None:
    """Queue every reminder that is due (escalations wait for the secretariat's approval)."""
    result = send_due_reminders(_as_of(as_of))
    db.session.commit()
    click.echo(
        f"queued {result.emails} emails for {len(result.sent)} reminders; "
        f"{len(result.awaiting_approval)} escalations await approval; "
        f"{len(result.superseded)} superseded by a later step; "
        f"{len(result.without_recipient)} with nobody to write to"
    )
    click.echo("`flask outbox relay` (or the scheduler, within a minute) sends them.")
