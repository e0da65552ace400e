"""Building, archiving and sending the status digest (flush, never commit)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pygal
import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from pygal.style import Style
from sqlalchemy.orm import selectinload

from tracker.audit.models import AuditEntry
from tracker.audit.services import actor_label, record_event
from tracker.core.i18n import brussels_time
from tracker.core.pdf import css_string, page_counter_css, render_pdf
from tracker.core.time import BRUSSELS, utcnow
from tracker.countries.models import Campaign
from tracker.countries.reference import TILE_POSITIONS
from tracker.countries.services import CountryRow, dashboard_rows, stage_counts
from tracker.digests.models import Digest
from tracker.events.models import Attendance, Event, Registration
from tracker.events.services import events_of
from tracker.extensions import db
from tracker.files.models import StoredFile
from tracker.letters.models import Letter
from tracker.participation.models import INACTIVE_STATUSES, STATUSES, stage_of
from tracker.tickets.models import ACTIVE_STATUSES, Ticket
from tracker.tickets.services import Report, report, service_of

#: The headline figures: each counts the countries that have reached a status.
HEADLINE = (
    ("confirmed", "contact_points_confirmed"),
    ("attended", "introductory_meeting_attended"),
    ("selected", "asset_selected"),
    ("submitted", "submitted"),
    ("published", "published"),
)


@dataclass
class CountryLine:
    """One country in the digest's table."""

    row: CountryRow
    last_activity_at: datetime | None
    overdue_tickets: int
    #: The status at the previous digest, when it was different.
    was: str | None = None


@dataclass
class EventLine:
    """One event: registrations before it, attendance after it."""

    event: Event
    registered: int
    attended: int
    countries: int


@dataclass
class DigestData:
    """Everything a digest shows, gathered once, rendered as PDF and as email."""

    campaign: Campaign
    built_at: datetime
    previous: Digest | None
    headline: dict[str, int]
    headline_before: dict[str, int]
    countries: list[CountryLine]
    stages: dict[str, int]
    events: list[EventLine]
    tickets: Report
    open_tickets: int
    breached: list[tuple[Ticket, Any]]
    changes: list[CountryLine]
    #: Where "recorded changes" and "letters issued" start counting: the previous digest, else a week ago.
    window_start: datetime
    activity: int
    letters: int
    charts: dict[str, str] = field(default_factory=dict)

    @property
    def since(self) -> datetime | None:
        """When the previous digest was built."""
        return self.previous.built_at if self.previous else None

    def figures(self) -> dict[str, Any]:
        """What the next digest compares with."""
        return {"headline": self.headline,
                "status": {line.row.member_state.code: line.row.status for line in self.countries}}


def latest_digest(campaign: Campaign) -> Digest | None:
    """The campaign's most recent digest."""
    return db.session.scalar(sa.select(Digest).where(Digest.campaign_id == campaign.id)
                             .order_by(Digest.built_at.desc(), Digest.id.desc()).limit(1))


def _headline(rows: list[CountryRow]) -> dict[str, int]:
    """How many countries have reached each headline status."""
    counts = {}
    for name, status in HEADLINE:
        counts[name] = sum(1 for row in rows if row.status not in INACTIVE_STATUSES and row.stage >= stage_of(status))
    counts["participating"] = sum(1 for row in rows if row.status != "not_participating")
    return counts


def _events(campaign: Campaign, now: datetime) -> list[EventLine]:
    """The campaign's events open to countries, with registrations and attendance (three queries)."""
    events = [event for event in events_of(campaign) if event.audience != "staff" and not event.is_cancelled]
    ids = [event.id for event in events]
    registered: dict[int, int] = {}
    attended: dict[int, tuple[int, int]] = {}
    if ids:
        registered = dict(db.session.execute(
            sa.select(Registration.event_id, sa.func.count()).where(Registration.event_id.in_(ids),
                                                                    Registration.state == "registered")
            .group_by(Registration.event_id)).all())
        attended = {event_id: (people, countries) for event_id, people, countries in db.session.execute(
            sa.select(Attendance.event_id, sa.func.count(), sa.func.count(sa.distinct(Attendance.member_state_id)))
            .where(Attendance.event_id.in_(ids)).group_by(Attendance.event_id))}
    return [EventLine(event, registered.get(event.id, 0), *attended.get(event.id, (0, 0))) for event in events]


def _chart_style() -> Style:
    return Style(background="white", plot_background="white", foreground="#262b38", foreground_strong="#000000",
                 foreground_subtle="#d9dde6", colors=("#004494", "#467a39"), guide_stroke_color="#d9dde6",
                 major_guide_stroke_color="#d9dde6", font_family="Tracker Latin, DejaVu Sans, sans-serif",
                 label_font_size=13, major_label_font_size=13, value_font_size=13, title_font_size=16,
                 value_colors=("#ffffff",))


def _chart(title: str, labels: list[str], values: list[int], *, width: int = 640, height: int = 300) -> str:
    """One horizontal bar chart as an SVG string, drawn by pygal (no script, no outside reference)."""
    chart = pygal.HorizontalBar(style=_chart_style(), width=width, height=height, explicit_size=True, show_legend=False, js=[],
                 disable_xml_declaration=True, print_values=True, print_zeroes=False, show_y_guides=False,
                 margin=8, spacing=6, truncate_label=-1)
    chart.title = title
    chart.x_labels = labels
    chart.add(title, values)
    return chart.render(is_unicode=True)


def _charts(data: DigestData) -> dict[str, str]:
    """The digest's charts: countries per stage, and countries represented at each event held."""
    from tracker.participation.labels import STATUS_LABELS

    statuses = [*STATUSES, *INACTIVE_STATUSES]
    charts = {"stages": _chart(_("Countries per status"), [str(STATUS_LABELS[status]) for status in statuses][::-1],
                               [data.stages.get(status, 0) for status in statuses][::-1], height=340)}
    held = [line for line in data.events if line.event.has_started()][::-1]
    if held:
        charts["events"] = _chart(_("Countries represented per event"), [line.event.title[:40] for line in held],
                                  [line.countries for line in held], height=60 + 34 * len(held))
    return charts


def collect(campaign: Campaign, *, now: datetime | None = None, previous: Digest | None = None) -> DigestData:
    """Gather the campaign's figures as of `now` (a fixed number of queries, whatever the history's size)."""
    now = now or utcnow()
    rows = dashboard_rows(campaign, today=now.astimezone(BRUSSELS).date(), now=now)
    last_activity = dict(db.session.execute(
        sa.select(AuditEntry.member_state_id, sa.func.max(AuditEntry.at)).where(AuditEntry.member_state_id.is_not(None))
        .group_by(AuditEntry.member_state_id)).all())
    active_tickets = list(db.session.scalars(sa.select(Ticket).where(Ticket.status.in_(ACTIVE_STATUSES))
                                             .options(selectinload(Ticket.status_changes), selectinload(Ticket.member_state))))
    breached = [(ticket, clock) for ticket in active_tickets if (clock := service_of(ticket, now)).overdue]
    overdue_by_state: dict[int, int] = {}
    for ticket, _clock in breached:
        overdue_by_state[ticket.member_state_id] = overdue_by_state.get(ticket.member_state_id, 0) + 1
    before = (previous.figures or {}) if previous else {}
    status_before = before.get("status", {})
    countries = []
    for row in rows:
        was = status_before.get(row.member_state.code)
        countries.append(CountryLine(row, last_activity.get(row.member_state.id), overdue_by_state.get(row.member_state.id, 0),
                                     was if previous is not None and was != row.status else None))
    since = previous.built_at if previous else now - timedelta(days=7)
    data = DigestData(
        campaign=campaign, built_at=now, previous=previous, headline=_headline(rows),
        headline_before=before.get("headline", {}), countries=countries, stages=stage_counts(rows),
        events=_events(campaign, now), tickets=report(now=now), open_tickets=len(active_tickets),
        breached=sorted(breached, key=lambda pair: pair[0].created_at),
        changes=[line for line in countries if line.was is not None], window_start=since,
        activity=db.session.scalar(sa.select(sa.func.count()).select_from(
            sa.select(AuditEntry.id).where(AuditEntry.at >= since).limit(100_000).subquery())) or 0,
        letters=db.session.scalar(sa.select(sa.func.count()).select_from(Letter).where(Letter.issued_at >= since)) or 0,
    )
    data.charts = _charts(data)
    return data


def tile_css() -> str:
    """The tile map's stylesheet, copied into the SVG of the PDF (WeasyPrint styles an SVG from inside it)."""
    return (Path(current_app.static_folder or "static") / "css" / "tiles.css").read_text(encoding="utf-8")


def digest_html(data: DigestData, *, email: bool = False) -> str:
    """The digest as a PDF document, or (`email`) as a self-contained HTML email."""
    template = "digests/emails/_body.html" if email else "digests/pdf/digest.html"
    footer = _("%(campaign)s – status digest of %(moment)s", campaign=data.campaign.name,
               moment=brussels_time(data.built_at))
    return render_template(template, data=data, tiles=TILE_POSITIONS, rows=[line.row for line in data.countries],
                           standalone=tile_css() if not email else None, footer_css=css_string(footer),
                           page_css=page_counter_css(_("Page %(page)s of %(pages)s", page="{page}", pages="{pages}")))


def digest_language() -> str:
    """The language digests are written in (DG CONNECT reads English unless told otherwise)."""
    return current_app.config["DIGEST_LANGUAGE"]


def week_of(moment: datetime) -> str:
    """The ISO week of a moment in Brussels ("2026-W47")."""
    year, week, _day = moment.astimezone(BRUSSELS).isocalendar()
    return f"{year}-W{week:02d}"


def build_digest(campaign: Campaign, *, by: Any, kind: str = "on_demand", now: datetime | None = None,
                 how: str = "web") -> Digest:
    """Build and archive a digest: figures, HTML email and PDF. A weekly one is built once per week."""
    now = now or utcnow()
    period = week_of(now) if kind == "weekly" else None
    if period is not None:
        existing = db.session.scalar(sa.select(Digest).where(Digest.campaign_id == campaign.id, Digest.period == period))
        if existing is not None:
            return existing
    previous = latest_digest(campaign)
    with force_locale(digest_language()):
        data = collect(campaign, now=now, previous=previous)
        pdf = render_pdf(digest_html(data))
        html = digest_html(data, email=True)
    sha = hashlib.sha256(pdf).hexdigest()
    stored = StoredFile(filename="digest.pdf", content_type="application/pdf", size=len(pdf), sha256=sha, data=pdf,
                        member_state_id=None, entity_type="digests", entity_id=0, uploaded_by_label=actor_label(by),
                        created_at=now)
    digest = Digest(campaign=campaign, kind=kind, period=period, built_at=now, built_by_label=actor_label(by),
                    previous=previous, figures=data.figures(), html=html, file=stored, sha256=sha)
    db.session.add(digest)
    db.session.flush()
    stored.entity_id, stored.filename = digest.id, digest.filename
    record_event(action="build", entity_type="digests", entity_id=digest.id, by=by, how=how,
                 note=f"{campaign.code} {period or kind}")
    return digest


def recipients() -> list[str]:
    """The configured digest recipients."""
    from tracker.mail.services import configured_addresses

    return configured_addresses("DIGEST_RECIPIENTS")


def send_digest(digest: Digest, *, by: Any, to: list[str] | None = None, now: datetime | None = None) -> Any:
    """Put the digest in the outbox: HTML email with the PDF attached. None when nobody is to receive it."""
    from tracker.mail.services import queue_email

    to = to if to is not None else recipients()
    if not to:
        return None
    message = queue_email(
        key=f"digest-{digest.id}", to=to, template="digests/emails/digest", language=digest_language(),
        kind="digest", attachments=[(digest.filename, "application/pdf", digest.file.data)], digest=digest,
    )
    digest.recipients, digest.sent_at, digest.message_id = ", ".join(to), now or utcnow(), message.id
    record_event(action="send", entity_type="digests", entity_id=digest.id, by=by, note=digest.recipients)
    return message


def list_digests(campaign: Campaign | None = None, *, limit: int = 200) -> list[Digest]:
    """The archive, newest first."""
    query = sa.select(Digest).order_by(Digest.built_at.desc(), Digest.id.desc()).limit(limit)
    if campaign is not None:
        query = query.where(Digest.campaign_id == campaign.id)
    return list(db.session.scalars(query))


def open_campaigns() -> list[Campaign]:
    """The campaigns the weekly digest covers."""
    return list(db.session.scalars(sa.select(Campaign).where(Campaign.is_open.is_(True), Campaign.part > 0)
                                   .order_by(Campaign.starts_on)))


def weekly_digests(*, now: datetime | None = None) -> list[Digest]:
    """This week's digest of each open campaign, built and queued once however often this runs."""
    built = []
    for campaign in open_campaigns():
        digest = build_digest(campaign, by=None, kind="weekly", now=now, how="system")
        if digest.sent_at is None:
            send_digest(digest, by=None, now=now)
        built.append(digest)
    return built
