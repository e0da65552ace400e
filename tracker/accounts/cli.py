"""`flask users create`: thin wrapper around the account services."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.accounts.models import Role, User
from tracker.accounts.services import (
    PasswordRejected,
    accounts_with_password,
    check_password_rules,
    disable_account,
    find_user_by_email,
    hash_password,
)
from tracker.audit.services import record_change
from tracker.countries.models import MemberState
from tracker.extensions import db

users_cli = AppGroup("users", help="Manage accounts from the command line.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--country", default=None, help="EU code, for contact points.")
@click.password_option()
def create(email: str, role: str, country: str | None, password: str) -> None:
    """Create an account with a password (for the first secretariat login)."""
    if find_user_by_email(email):
        raise click.ClickException("an account with this email exists")
    try:
        check_password_rules(password)
    except PasswordRejected as exc:
        raise click.ClickException(f"password rejected: {exc}") from exc
    state = None
    if role == Role.CONTACT_POINT:
        state = db.session.scalar(db.select(MemberState).where(MemberState.code == (country or "").upper()))
        if state is None:
            raise click.ClickException("a contact point needs --country with a valid EU code")
    user = User(email=email.strip().lower(), role=role, member_state_id=state.id if state else None,
                password_hash=hash_password(password))
    db.session.add(user)
    record_change(user, by="cli", action="create", how="cli")
    db.session.commit()
    click.echo(f"created {user.email} ({role})")


@users_cli.command("disable-demo")
def disable_demo() -> None:
    """Disable every enabled account whose password is still the demo password."""
    from tracker.demo.services import DEMO_PASSWORD

    users = accounts_with_password(frozenset({DEMO_PASSWORD}))
    for user in users:
        disable_account(user, by="cli", note="demo password")
    db.session.commit()
    click.echo(f"disabled {len(users)} account(s) with the demo password")
