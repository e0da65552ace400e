"""`flask digest build` and `flask digest send`: thin wrappers around building and sending a digest."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from tracker.countries.services import campaign_by_code
from tracker.digests import services
from tracker.extensions import db
from tracker.mail.services import relay_after_commit

digest_cli = AppGroup("digest", help="The status digest for DG CONNECT.")
ACTOR = "command line"


def _campaign(code: str | None):
    campaign = campaign_by_code(code)
    if campaign is None:
        raise click.BadParameter(f"no campaign {code!r}", param_hint="--campaign")
    return campaign


@digest_cli.command("build")
@click.option("--campaign", "code", default=None, help="Campaign code (default: the current one).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write the PDF here.")
def build_command(code: str | None, out: Path | None) -> None:
    """Build and archive a digest now, without emailing it."""
    digest = services.build_digest(_campaign(code), by=ACTOR, how="cli")
    db.session.commit()
    click.echo(f"Digest {digest.id} of {digest.campaign.code}: {digest.file.size} bytes, sha256 {digest.sha256}")
    if out is not None:
        out.write_bytes(digest.file.data)
        click.echo(f"Written to {out}")


@digest_cli.command("send")
@click.option("--campaign", "code", default=None, help="Campaign code (default: the current one).")
@click.option("--to", "to", multiple=True, help="A recipient instead of TRACKER_DIGEST_RECIPIENTS (repeatable).")
def send_command(code: str | None, to: tuple[str, ...]) -> None:
    """Build a digest now, archive it and email it to the recipients."""
    campaign = _campaign(code)
    recipients = list(to) or services.recipients()
    if not recipients:
        raise click.ClickException("No recipient: set TRACKER_DIGEST_RECIPIENTS or give --to.")
    digest = services.build_digest(campaign, by=ACTOR, how="cli")
    message = services.send_digest(digest, by=ACTOR, to=recipients)
    db.session.commit()
    relay_after_commit(message.id)
    click.echo(f"Digest {digest.id} of {campaign.code} queued to {digest.recipients} (outbox message {message.id}).")
