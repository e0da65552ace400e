"""Composing, rendering, issuing and sending letters (flush, never commit)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tomllib
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import lazy_gettext as _l
from pypdf import PdfReader
from sqlalchemy.orm import selectinload

from tracker.appointments.services import current_contact_points
from tracker.audit.models import AuditEntry
from tracker.audit.services import actor_label, list_entries, record_change, record_event
from tracker.core.i18n import country_name, format_day
from tracker.core.models import check_version
from tracker.core.pdf import page_counter_css, render_pdf, render_pdfs
from tracker.core.time import BRUSSELS, utcnow
from tracker.countries.models import Campaign, MemberState
from tracker.extensions import db
from tracker.files.models import StoredFile
from tracker.letters.models import KINDS, Letter, LetterBatch, LetterCounter, LetterText
from tracker.participation.models import MILESTONE_MET_BY, Asset, Participation

TEXTS_DIR = Path(__file__).parent / "texts"

#: The placeholders each letter may use, beyond those every letter has.
COMMON_PLACEHOLDERS = ("country", "ministry", "campaign", "deadline", "meeting", "submission_deadline")
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "invitation": COMMON_PLACEHOLDERS,
    "confirmation": (*COMMON_PLACEHOLDERS, "contact_points"),
    "reminder": (*COMMON_PLACEHOLDERS, "overdue"),
    "thanks": (*COMMON_PLACEHOLDERS, "asset_details"),
}
#: Placeholders that, alone in a paragraph, become a list or a table rather than a line of text.
BLOCK_PLACEHOLDERS = ("contact_points", "overdue", "asset_details")
#: Which countries a batch can go to.
SELECTIONS = ("all", "not_confirmed", "overdue", "submitted")

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class LetterRefused(ValueError):
    """A letter that cannot be made as asked; `message` says why, in words for the person."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        #: A lazy message, rendered in the reader's language.
        self.message = message


@cache
def built_in_texts(language: str) -> dict[str, Any] | None:
    """The letterhead and the four letters shipped for `language` (None when there is no such file)."""
    path = TEXTS_DIR / f"{language}.toml"
    if not re.fullmatch(r"[a-z]{2}", language) or not path.is_file():
        return None
    with path.open("rb") as handle:
        return tomllib.load(handle)


def letter_languages() -> list[str]:
    """The languages letters can be written in (those with built-in texts)."""
    return sorted(path.stem for path in TEXTS_DIR.glob("*.toml"))


def unknown_placeholders(kind: str, *texts: str) -> list[str]:
    """The {names} in `texts` that a letter of `kind` cannot fill."""
    allowed = set(PLACEHOLDERS[kind])
    return sorted({name for text in texts for name in _PLACEHOLDER.findall(text)} - allowed)


def letter_text(kind: str, language: str) -> LetterText:
    """The wording in use: the secretariat's own, else the built-in one (a row not in the session)."""
    saved = db.session.scalar(sa.select(LetterText).where(LetterText.kind == kind, LetterText.language == language))
    if saved is not None:
        return saved
    texts = built_in_texts(language)
    if texts is None:
        raise LetterRefused(_l("There is no text of this letter in %(language)s.", language=language))
    default = texts["letters"][kind]
    return LetterText(kind=kind, language=language, subject=default["subject"], body=default["body"],
                      closing=default["closing"], signature=default["signature"], version=0)


def save_letter_text(kind: str, language: str, values: dict[str, str], *, loaded_version: int | None,
                     by: Any) -> LetterText:
    """Keep the secretariat's wording of a letter; refuses placeholders the letter cannot fill."""
    unknown = unknown_placeholders(kind, values["subject"], values["body"])
    if unknown:
        raise LetterRefused(_l("This letter cannot fill %(names)s.", names=", ".join(f"{{{name}}}" for name in unknown)))
    text = letter_text(kind, language)
    fields = {name: values[name].strip().replace("\r\n", "\n") for name in ("subject", "body", "closing", "signature")}
    if text.id is None:
        text = LetterText(kind=kind, language=language, **fields, updated_by_label=actor_label(by))
        db.session.add(text)
        record_change(text, by=by, action="create")
        return text
    check_version(text, loaded_version)
    for name, value in fields.items():
        setattr(text, name, value)
    text.updated_by_label = actor_label(by)
    record_change(text, by=by)
    return text


def reset_letter_text(kind: str, language: str, *, by: Any) -> None:
    """Go back to the built-in wording."""
    saved = db.session.scalar(sa.select(LetterText).where(LetterText.kind == kind, LetterText.language == language))
    if saved is not None:
        record_change(saved, by=by, action="delete", changes={})
        db.session.delete(saved)
        db.session.flush()


# --- composing ----------------------------------------------------------------------------------------------


@dataclass
class Block:
    """One paragraph of a letter: lines of text, a list, or a table of (label, value)."""

    kind: str  # "text", "list" or "table"
    lines: list[str] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Composed:
    """A letter ready to render: every text already in its language, nothing escaped yet."""

    kind: str
    language: str
    member_state: MemberState
    campaign: Campaign
    reference: str
    issued_on: date
    subject: str
    blocks: list[Block]
    closing: str
    signature: list[str]
    letterhead: dict[str, str]
    asset: Asset | None = None

    @property
    def date_line(self) -> str:
        """"Brussels, 21 November 2026" in the letter's language."""
        return fill(self.letterhead["place_date"], {"date": long_date(self.issued_on, self.language)})


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each known {name} replaced; anything else in braces is left as written."""
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def long_date(day: date | None, language: str) -> str:
    """A date written out in `language` ("15. september 2025", "15 Σεπτεμβρίου 2025"), "–" when there is none."""
    return format_day(day, "long", language=language) or "–"


def _milestone_days(campaign: Campaign, state: MemberState) -> dict[str, date]:
    """Each milestone's (extended) due day in Brussels, by code."""
    return {m.code: m.due_for(state).astimezone(BRUSSELS).date() for m in campaign.milestones}


def overdue_milestones(campaign: Campaign, state: MemberState, now: datetime) -> list[str]:
    """Codes of the milestones the country has passed without meeting them (by the dashboard's rule)."""
    from tracker.countries.services import dashboard_rows

    rows = dashboard_rows(campaign, today=now.astimezone(BRUSSELS).date(), now=now, only=state.id)
    return [m.code for m in rows[0].overdue] if rows else []


def submitted_asset(campaign: Campaign, state: MemberState) -> Asset | None:
    """The asset a letter of thanks is about: the country's latest ready asset, else its latest."""
    assets = list(db.session.scalars(
        sa.select(Asset).where(Asset.campaign_id == campaign.id, Asset.member_state_id == state.id)
        .order_by(Asset.id.desc())))
    ready = [asset for asset in assets if asset.review_state != "draft"]
    return (ready or assets or [None])[0]


def _submitted_on(campaign: Campaign, state: MemberState) -> date | None:
    """When the country's status last became "submitted"."""
    participation_id = db.session.scalar(sa.select(Participation.id).where(
        Participation.campaign_id == campaign.id, Participation.member_state_id == state.id))
    if participation_id is None:
        return None
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity_type == "participations", AuditEntry.entity_id == participation_id)
        .order_by(AuditEntry.at.desc()))
    for entry in entries:
        if (entry.changes or {}).get("status", [None, None])[1] == "submitted":
            return entry.at.astimezone(BRUSSELS).date()
    return None


def compose(kind: str, campaign: Campaign, state: MemberState, *, language: str | None = None,
            reference: str = "", issued_on: date | None = None, now: datetime | None = None,
            asset: Asset | None = None) -> Composed:
    """Fill one letter's text for one country: every value written in the letter's language."""
    if kind not in KINDS:
        raise LetterRefused(_l("Unknown letter."))
    language = language or state.correspondence_language
    texts = built_in_texts(language)
    if texts is None:
        raise LetterRefused(_l("There is no text of this letter in %(language)s.", language=language))
    now = now or utcnow()
    text = letter_text(kind, language)
    days = _milestone_days(campaign, state)
    values = {
        "country": country_name(state.code, language),
        "ministry": state.ministry_name,
        "campaign": campaign.name,
        "deadline": long_date(days.get("contact_points_confirmed"), language),
        "meeting": long_date(days.get("introductory_meeting"), language),
        "submission_deadline": long_date(days.get("asset_submitted"), language),
    }
    blocks_values: dict[str, Block] = {}
    if kind == "confirmation":
        people = current_contact_points([state.id], now.astimezone(BRUSSELS).date(), campaign_id=campaign.id)
        names = [person.full_name for person in people.get(state.id, [])]
        if not names:
            raise LetterRefused(_l("%(country)s has no confirmed contact point yet.", country=state.name))
        values["contact_points"] = ", ".join(names)
        blocks_values["contact_points"] = Block("list", lines=names)
    if kind == "reminder":
        codes = overdue_milestones(campaign, state, now)
        if not codes:
            raise LetterRefused(_l("%(country)s has nothing overdue.", country=state.name))
        items = [fill(texts["milestones"].get(code, code), {"date": long_date(days.get(code), language)})
                 for code in codes if code in MILESTONE_MET_BY]
        values["overdue"] = "; ".join(items)
        blocks_values["overdue"] = Block("list", lines=items)
    if kind == "thanks":
        asset = asset or submitted_asset(campaign, state)
        if asset is None:
            raise LetterRefused(_l("%(country)s has no asset yet.", country=state.name))
        labels = texts["asset"]
        rows = [(labels["title"], asset.title), (labels["institution"], asset.institution),
                (labels["reuse"], asset.reuse_description),
                (labels["link"], asset.europeana_url or asset.viewer_url or asset.model_url),
                (labels["submitted"], long_date(_submitted_on(campaign, state), language))]
        rows = [(label, value) for label, value in rows if value and value != "–"]
        values["asset_details"] = "; ".join(f"{label}: {value}" for label, value in rows)
        blocks_values["asset_details"] = Block("table", rows=rows)
    blocks = []
    for paragraph in re.split(r"\n\s*\n", text.body.strip()):
        alone = _PLACEHOLDER.fullmatch(paragraph.strip())
        if alone and alone.group(1) in blocks_values:
            blocks.append(blocks_values[alone.group(1)])
        else:
            blocks.append(Block("text", lines=[fill(line, values) for line in paragraph.strip().splitlines()]))
    return Composed(
        kind=kind, language=language, member_state=state, campaign=campaign, reference=reference,
        issued_on=issued_on or now.astimezone(BRUSSELS).date(), subject=fill(text.subject, values), blocks=blocks,
        closing=text.closing, signature=text.signature.splitlines(), letterhead=texts["letterhead"], asset=asset,
    )


def letter_html(composed: Composed, *, draft: bool = False) -> str:
    """The letter as an HTML document for WeasyPrint (every value escaped by Jinja)."""
    head = composed.letterhead
    return render_template(
        "letters/pdf/letter.html", letter=composed, draft=draft,
        reference_line=fill(head["reference"], {"reference": composed.reference or "–"}),
        subject_line=fill(head["subject"], {"subject": composed.subject}),
        via_line=fill(head["via"], {"country": country_name(composed.member_state.code, composed.language)}),
        page_label=page_counter_css(head["page"]),
    )


def preview_pdf(kind: str, campaign: Campaign, state: MemberState, *, language: str | None = None) -> bytes:
    """A draft of the letter, marked as such, with no reference number taken."""
    return render_pdf(letter_html(compose(kind, campaign, state, language=language), draft=True))


# --- issuing --------------------------------------------------------------------------------------------------


def choose_countries(campaign: Campaign, selection: str, *, now: datetime | None = None) -> list[MemberState]:
    """The member states a batch goes to: all, those not yet confirmed, those overdue, those who submitted."""
    from tracker.countries.services import dashboard_rows

    now = now or utcnow()
    rows = dashboard_rows(campaign, today=now.astimezone(BRUSSELS).date(), now=now)
    if selection == "all":
        chosen = rows
    elif selection == "not_confirmed":
        chosen = [row for row in rows if row.status == "invited"]
    elif selection == "overdue":
        chosen = [row for row in rows if row.overdue]
    elif selection == "submitted":
        chosen = [row for row in rows if row.status in ("submitted", "published")]
    else:
        raise LetterRefused(_l("Unknown choice of countries."))
    return [row.member_state for row in chosen]


def _next_reference(year: int) -> str:
    """The next reference number of `year`; the counter row is locked until the transaction ends."""
    counter = db.session.scalar(sa.select(LetterCounter).where(LetterCounter.year == year).with_for_update())
    if counter is None:
        counter = LetterCounter(year=year, last=0)
        db.session.add(counter)
    counter.last += 1
    db.session.flush()
    prefix = current_app.config["LETTER_REFERENCE_PREFIX"]
    return f"{prefix}/{year}/{counter.last:04d}"


def issue_letters(kind: str, campaign: Campaign, states: Sequence[MemberState], *, by: Any, language: str | None = None,
                  selection: str = "pick", how: str = "web", now: datetime | None = None) -> list[Letter]:
    """Issue the letter to each of `states`: numbered, rendered, stored with its SHA-256, and logged.

    Every letter is composed before any number is taken, so one country that cannot get the letter
    (nothing overdue, no contact point) stops the batch with nothing written.
    """
    if not states:
        raise LetterRefused(_l("No country matches that choice."))
    now = now or utcnow()
    issued_on = now.astimezone(BRUSSELS).date()
    composed = [compose(kind, campaign, state, language=language, issued_on=issued_on, now=now) for state in states]
    batch = None
    if len(states) > 1:
        batch = LetterBatch(campaign=campaign, kind=kind, language=language or "", selection=selection,
                            issued_at=now, issued_by_label=actor_label(by))
        db.session.add(batch)
    for item in composed:
        item.reference = _next_reference(issued_on.year)
    pdfs = render_pdfs([letter_html(item) for item in composed])
    letters = []
    for item, pdf in zip(composed, pdfs, strict=True):
        digest = hashlib.sha256(pdf).hexdigest()
        letter = Letter(reference=item.reference, kind=kind, language=item.language, campaign=campaign,
                        member_state=item.member_state, asset_id=item.asset.id if item.asset else None, batch=batch,
                        subject=item.subject, issued_at=now, issued_by_label=actor_label(by), sha256=digest,
                        pages=len(PdfReader(io.BytesIO(pdf)).pages))
        letter.file = StoredFile(filename="letter.pdf", content_type="application/pdf", size=len(pdf), sha256=digest,
                                 data=pdf, member_state_id=item.member_state.id, entity_type="letters", entity_id=0,
                                 uploaded_by_label=actor_label(by), created_at=now)
        db.session.add(letter)
        db.session.flush()
        letter.file.entity_id = letter.id
        letter.file.filename = letter.filename
        record_event(action="issue", entity_type="letters", entity_id=letter.id, member_state_id=item.member_state.id,
                     by=by, how=how, note=f"{letter.reference} – {letter.subject}",
                     changes={"sha256": [None, digest], "language": [None, item.language]})
        letters.append(letter)
    return letters


def list_letters(*, member_state_id: int | None = None, kind: str | None = None, batch_id: int | None = None,
                 search: str = "", limit: int = 500) -> list[Letter]:
    """The register, newest first."""
    query = (sa.select(Letter).options(selectinload(Letter.member_state))
             .order_by(Letter.issued_at.desc(), Letter.id.desc()).limit(limit))
    if member_state_id is not None:
        query = query.where(Letter.member_state_id == member_state_id)
    if kind:
        query = query.where(Letter.kind == kind)
    if batch_id is not None:
        query = query.where(Letter.batch_id == batch_id)
    if search.strip():
        query = query.where(Letter.reference.contains(search.strip(), autoescape=True))
    return list(db.session.scalars(query))


def batch_zip(batch: LetterBatch) -> bytes:
    """The batch's PDFs in one ZIP, with register.csv listing reference, country, language and SHA-256."""
    buffer = io.BytesIO()
    stamp = batch.issued_at.astimezone(BRUSSELS).timetuple()[:6]
    register = io.StringIO()
    writer = csv.writer(register)
    writer.writerow(["reference", "country", "kind", "language", "subject", "issued_at", "sha256", "file"])
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for letter in batch.letters:
            archive.writestr(zipfile.ZipInfo(letter.filename, stamp), letter.file.data)
            writer.writerow([letter.reference, letter.member_state.code, letter.kind, letter.language, letter.subject,
                             letter.issued_at.isoformat(timespec="seconds"), letter.sha256, letter.filename])
        archive.writestr(zipfile.ZipInfo("register.csv", stamp), "\ufeff" + register.getvalue())
    return buffer.getvalue()


def letter_recipients(letter: Letter) -> tuple[list[str], list[tuple[str, str]]]:
    """Whom the emailed letter goes to: the Permanent Representation, with the contact points in copy."""
    state = letter.member_state
    people = current_contact_points([state.id], utcnow().astimezone(BRUSSELS).date(), campaign_id=letter.campaign_id)
    cc = [(person.full_name, person.email) for person in people.get(state.id, []) if person.email]
    to = [state.permrep_mailbox] if state.permrep_mailbox else []
    return to, cc


def send_letter(letter: Letter, *, by: Any, now: datetime | None = None) -> Any:
    """Put the letter in the outbox to the Permanent Representation (contact points in copy), PDF attached."""
    from tracker.mail.services import queue_email

    to, cc = letter_recipients(letter)
    if not to and not cc:
        raise LetterRefused(_l("%(country)s has neither a Permanent Representation mailbox nor a contact point with "
                               "an email address.", country=letter.member_state.name))
    now = now or utcnow()
    texts = built_in_texts(letter.language) or built_in_texts("en")
    values = {"reference": letter.reference, "subject": letter.subject, "ministry": letter.member_state.ministry_name,
              "date": long_date(letter.issued_at.astimezone(BRUSSELS).date(), letter.language)}
    sent_before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.entity_type == "letters", AuditEntry.entity_id == letter.id, AuditEntry.action == "send")) or 0
    message = queue_email(
        key=f"letter-{letter.id}-{sent_before + 1}", to=to or cc, cc=cc if to else (), template="letters/emails/letter",
        language=letter.language, kind="letter", member_state_id=letter.member_state_id,
        attachments=[(letter.filename, "application/pdf", letter.file.data)],
        subject=fill(texts["email"]["subject"], values), body=fill(texts["email"]["body"], values),
    )
    letter.sent_at, letter.sent_message_id = now, message.id
    record_event(action="send", entity_type="letters", entity_id=letter.id, member_state_id=letter.member_state_id,
                 by=by, note=letter.reference)
    return message


def letter_history(letter: Letter) -> list[AuditEntry]:
    """What happened to a letter, oldest first: issued, then each time it was sent."""
    return list_entries(entity_type="letters", entity_id=letter.id)[::-1]
