"""`flask demo load [--scale large]`."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from tracker.countries.models import MemberState
from tracker.demo.services import DEMO_LOGINS, DEMO_PASSWORD, load_demo, load_large
from tracker.extensions import db

demo_cli = AppGroup("demo", help="The demo campaign (invented people only).")


@demo_cli.command("load")
@click.option("--scale", type=click.Choice(["demo", "large"]), default="demo", show_default=True,
              help="'large' adds 10 campaigns, 5,000 people and 200,000 audit rows for the benchmarks.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already holds member states.")
def load(scale: str, if_empty: bool) -> None:
    """Load the demo campaign; running it twice adds nothing."""
    if DEMO_PASSWORD in current_app.config["REFUSED_PASSWORDS"]:
        raise click.ClickException("the demo campaign cannot be loaded in the production profile")
    if if_empty and db.session.scalar(sa.select(MemberState.id).limit(1)) is not None:
        click.echo("The database is not empty: demo not loaded.")
        return
    if scale == "large":
        counts = load_large()
        db.session.commit()
        click.echo("large dataset: " + ", ".join(f"{key}={value}" for key, value in counts.items()))
    else:
        load_demo()
        db.session.commit()
    _print_logins()


@demo_cli.command("logins")
def logins() -> None:
    """Print the demo logins."""
    _print_logins()


def _print_logins() -> None:
    click.echo(f"Demo logins (password: {DEMO_PASSWORD}):")
    for email, role, code, _name in DEMO_LOGINS:
        click.echo(f"  {email:<24} {role.value}{' (' + code + ')' if code else ''}")
