"""`flask letters issue`: a thin wrapper around issuing letters."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from tracker.countries.models import MemberState
from tracker.countries.services import campaign_by_code
from tracker.extensions import db
from tracker.letters import services
from tracker.letters.models import KINDS

letters_cli = AppGroup("letters", help="Letters to the ministries.")
ACTOR = "command line"


@letters_cli.command("issue")
@click.option("--template", "kind", type=click.Choice(KINDS), required=True, help="Which letter.")
@click.option("--country", "countries", multiple=True, metavar="CODE", help="A member state (repeat for several).")
@click.option("--all", "selection", flag_value="all", help="Every member state.")
@click.option("--not-confirmed", "selection", flag_value="not_confirmed", help="Those that have not confirmed yet.")
@click.option("--overdue", "selection", flag_value="overdue", help="Those with an overdue milestone.")
@click.option("--submitted", "selection", flag_value="submitted", help="Those that have submitted their asset.")
@click.option("--lang", "language", default=None, help="Language (default: each country's correspondence language).")
@click.option("--campaign", "campaign_code", default=None, help="Campaign code (default: the current one).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the PDF (one letter) or a ZIP of the batch here.")
def issue_command(kind: str, countries: tuple[str, ...], selection: str | None, language: str | None,
                  campaign_code: str | None, out: Path | None) -> None:
    """Issue a letter to one country (--country EE) or a batch (--all, --not-confirmed ...): numbered and kept."""
    campaign = campaign_by_code(campaign_code)
    if campaign is None:
        raise click.BadParameter(f"no campaign {campaign_code!r}", param_hint="--campaign")
    if bool(countries) == bool(selection):
        raise click.UsageError("Give --country CODE (one or more) or one of --all, --not-confirmed, --overdue, --submitted.")
    if language and language not in services.letter_languages():
        raise click.BadParameter(f"no letter texts in {language!r}; there are: {' '.join(services.letter_languages())}",
                                 param_hint="--lang")
    if countries:
        codes = [code.upper() for code in countries]
        states = list(db.session.scalars(sa.select(MemberState).where(MemberState.code.in_(codes))
                                         .order_by(MemberState.protocol_order)))
        missing = sorted(set(codes) - {state.code for state in states})
        if missing:
            raise click.BadParameter(f"unknown country {', '.join(missing)}", param_hint="--country")
    try:
        if selection:
            states = services.choose_countries(campaign, selection)
        letters = services.issue_letters(kind, campaign, states, language=language, selection=selection or "pick",
                                         by=ACTOR, how="cli")
    except services.LetterRefused as refused:
        db.session.rollback()
        raise click.ClickException(str(refused.message)) from refused
    db.session.commit()
    for letter in letters:
        click.echo(f"{letter.reference}  {letter.member_state.code}  {letter.language}  {letter.pages} p.  "
                   f"sha256 {letter.sha256}")
    if out is not None:
        if len(letters) == 1:
            out.write_bytes(letters[0].file.data)
        else:
            out.write_bytes(services.batch_zip(letters[0].batch))
        click.echo(f"Written to {out}")
