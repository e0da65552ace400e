"""`flask api`: create, list and revoke tokens, and write the OpenAPI document (thin wrappers around services)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from tracker.api import services
from tracker.api.models import ApiToken
from tracker.api.schemas import SCOPES
from tracker.core.time import utcnow
from tracker.countries.models import MemberState
from tracker.extensions import db

api_cli = AppGroup("api", help="The read API: tokens and the OpenAPI document.")
ACTOR = "command line"


@api_cli.command("create-token")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(list(SCOPES)),
              help="What the token may read (repeat for several).")
@click.option("--until", "until", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The last day the token works (YYYY-MM-DD, at most two years ahead).")
@click.option("--country", default=None, help="Limit the token to one country (EU code, e.g. EE).")
def create_token_command(name: str, scopes: tuple[str, ...], until, country: str | None) -> None:
    """Create a token for a client and print its secret (shown this once)."""
    state = None
    if country:
        state = db.session.scalar(sa.select(MemberState).where(MemberState.code == country.upper()))
        if state is None:
            raise click.BadParameter(f"no country {country}", param_hint="--country")
    try:
        token, secret = services.create_token(name=name, scopes=list(scopes), expires_on=until.date(),
                                              member_state=state, by=ACTOR)
    except services.TokenRefused as refused:
        db.session.rollback()
        raise click.ClickException(f"token refused: {refused.reason}") from refused
    db.session.commit()
    click.echo(f"token #{token.id} for {token.name} ({token.scopes}), valid until {until:%Y-%m-%d}:")
    click.echo(secret)


@api_cli.command("tokens")
def list_tokens_command() -> None:
    """List the tokens with their state and use."""
    now = utcnow()
    for row in services.list_tokens():
        token: ApiToken = row.token
        country = token.member_state.code if token.member_state else "all"
        click.echo(f"#{token.id}\t{token.prefix}…\t{token.state(now)}\t{country}\t{token.scopes}\t"
                   f"{row.calls} calls\t{token.name}")


@api_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_command(token_id: int) -> None:
    """Stop a token from working at once."""
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.BadParameter(f"no token {token_id}", param_hint="TOKEN_ID")
    changed = services.revoke_token(token, by=ACTOR)
    db.session.commit()
    click.echo(f"token #{token.id} {'revoked' if changed else 'was already revoked'}")


@api_cli.command("document")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of printing.")
def document_command(out: Path | None) -> None:
    """Print (or write) the OpenAPI 3.1 document of /api/v1."""
    from tracker.api import views  # noqa: F401  (registers the operations)
    from tracker.api.openapi import document

    with force_locale("en"):
        body = document(server_url=current_app.config["BASE_URL"].rstrip("/") + "/api/v1",
                        version=current_app.config["API_VERSION"])
    text = json.dumps(body, indent=2, ensure_ascii=False)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {out} ({len(body['paths'])} paths)")
