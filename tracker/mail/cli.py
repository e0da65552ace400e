"""`flask outbox relay`: send what is queued."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.mail.services import relay_outbox

outbox_cli = AppGroup("outbox", help="The outbox of emails.")


@outbox_cli.command("relay")
def relay() -> None:
    """Send every queued message that is due (over SMTP, or into the local inbox without a server)."""
    result = relay_outbox()
    click.echo(
        f"sent {result.sent}, kept locally {result.kept_locally}, "
        f"retrying later {result.retrying}, failed {result.failed}"
    )
    for error in result.errors[:10]:
        click.echo(f"  {error}", err=True)
