"""`flask appointments carry-over` and `flask appointments request-confirmation`: thin wrappers."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from tracker.appointments import services
from tracker.countries.models import Campaign, MemberState
from tracker.countries.services import current_campaign
from tracker.extensions import db
from tracker.mail.services import relay_after_commit

appointments_cli = AppGroup("appointments", help="Contact-point appointments.")
ACTOR = "command line"


def _campaign(code: str | None) -> Campaign:
    campaign = (db.session.scalar(sa.select(Campaign).where(Campaign.code == code)) if code else current_campaign())
    if campaign is None:
        raise click.ClickException(f"no campaign {code!r}" if code else "no campaign yet")
    return campaign


@appointments_cli.command("carry-over")
@click.option("--campaign", "campaign_code", help="The campaign to start (default: the current one).")
@click.option("--from", "source_code", help="The campaign to carry over from (default: the one before).")
def carry_over_command(campaign_code: str | None, source_code: str | None) -> None:
    """Make the previous campaign's contact points "awaiting confirmation" (idempotent)."""
    campaign = _campaign(campaign_code)
    source = _campaign(source_code) if source_code else None
    try:
        created = services.carry_over(campaign, by=ACTOR, how="cli", source=source)
    except services.AppointmentRefused as refused:
        raise click.ClickException(refused.reason) from refused
    db.session.commit()
    click.echo(f"{len(created)} contact points carried over to {campaign.code}, awaiting confirmation")


@appointments_cli.command("request-confirmation")
@click.option("--country", "country_code", help="EU code of one country (EL for Greece).")
@click.option("--all-pending", is_flag=True, help="Every country with someone awaiting confirmation.")
@click.option("--cc-permrep", is_flag=True, help="Copy the Permanent Representation's mailbox.")
@click.option("--campaign", "campaign_code", help="Default: the current campaign.")
def request_confirmation_command(country_code: str | None, all_pending: bool, cc_permrep: bool,
                                 campaign_code: str | None) -> None:
    """Email personal confirmation links to those awaiting confirmation (one country, or all)."""
    if bool(country_code) == all_pending:
        raise click.UsageError("give either --country CODE or --all-pending")
    campaign = _campaign(campaign_code)
    state = None
    if country_code:
        state = db.session.scalar(sa.select(MemberState).where(MemberState.code == country_code.strip().upper()))
        if state is None:
            raise click.BadParameter(f"no member state {country_code!r}", param_hint="--country")
    result = services.request_confirmation(services.awaiting_confirmation(campaign, state), cc_permrep=cc_permrep,
                                           by=ACTOR, how="cli")
    db.session.commit()
    for appointment in result.asked:
        click.echo(f"asked {appointment.member_state.code} {appointment.person.email} ({appointment.kind})")
    for appointment in result.recently_asked:
        click.echo(f"skipped {appointment.member_state.code} {appointment.person.email}: asked less than 10 minutes ago")
    relayed = relay_after_commit()
    click.echo(f"{len(result.asked)} asked, {len(result.recently_asked)} skipped"
               + (f"; mail: {relayed.sent} sent, {relayed.kept_locally} kept in the local inbox, "
                  f"{relayed.retrying} to retry, {relayed.failed} failed" if relayed else ""))
