"""Dashboard and member-state pages."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from tracker.contacts.models import Person
from tracker.core import exports
from tracker.core.forms import EDIT_CONFLICTS, report_edit_conflict
from tracker.core.i18n import brussels_time, country_name, language_name
from tracker.core.permissions import member_state_or_404, require_secretariat, secretariat_required
from tracker.core.time import BRUSSELS, brussels, utcnow
from tracker.countries import services
from tracker.countries.forms import DeadlineForm, ExtensionForm, MemberStateForm
from tracker.countries.models import Milestone
from tracker.countries.reference import TILE_POSITIONS
from tracker.events.services import country_events
from tracker.extensions import db
from tracker.mail.services import count_failed
from tracker.participation import services as participations
from tracker.participation.forms import StatusForm
from tracker.reminders import services as reminders
from tracker.tickets.services import overdue_count

bp = Blueprint("countries", __name__)


def _dashboard_shown(now: datetime):
    """The campaign asked for (?campaign=, 404 when unknown) and its dashboard rows the user may see."""
    campaign = services.campaign_by_code(request.args.get("campaign"))
    if campaign is None:
        abort(404)
    only = current_user.member_state_id if current_user.is_contact_point else None
    return campaign, services.dashboard_rows(campaign, today=now.astimezone(BRUSSELS).date(), now=now, only=only)


@bp.get("/")
def dashboard():
    """The tile map of the 27 countries, counts per stage, milestones, what is overdue and what changed."""
    campaigns = services.list_campaigns()
    now = utcnow()
    campaign, rows = _dashboard_shown(now)
    staff = current_user.is_staff
    changes, latest = services.recent_changes(since=now - timedelta(days=7)) if staff else (0, [])
    return render_template(
        "countries/dashboard.html", campaign=campaign, campaigns=campaigns, rows=rows, now=now,
        with_contact_points=sum(1 for row in rows if row.contact_points),
        counts=services.stage_counts(rows), progress=services.milestone_progress(campaign, rows),
        overdue=[row for row in rows if row.overdue], changes=changes, latest=latest, changes_cap=services.CHANGES_CAP,
        tiles=TILE_POSITIONS, failed_mail=count_failed() if staff else 0,
        escalations=reminders.count_awaiting_approval() if staff else 0,
        overdue_tickets=overdue_count(now) if staff else 0,
    )


@bp.get("/countries/<code>")
def member_state(code: str):
    """One member state: its status, assets, deadlines, people and a timeline of everything about it."""
    state = member_state_or_404(code)
    campaign = services.current_campaign()
    people = db.session.scalars(
        sa.select(Person).where(Person.member_state_id == state.id).options(selectinload(Person.roles))
        .order_by(Person.family_name, Person.given_name)
    ).all()
    now = utcnow()
    dispatches = reminders.dispatches_for(state)
    participation = participations.participations_for(campaign).get(state.id) if campaign else None
    status_form = StatusForm()
    if participation is not None:
        status_form.version.data = participation.version
    return render_template(
        "countries/member_state.html", state=state, campaign=campaign, people=people,
        now=now, today=now.astimezone(BRUSSELS).date(),
        pending=reminders.pending_for(state, now), dispatches=dispatches,
        participation=participation, status_form=status_form,
        next_statuses=participations.next_statuses(participation) if participation else ["contact_points_confirmed"],
        assets=[(asset, participations.readiness(asset)) for asset in participations.assets_of(campaign, state)]
        if campaign else [],
        timeline=services.timeline_for(state, dispatches=dispatches, with_mail=current_user.is_staff),
        country_events=country_events(campaign, state),
    )


@bp.route("/countries/<code>/edit", methods=["GET", "POST"])
def edit_member_state(code: str):
    """Edit the ministry and Permanent Representation details."""
    state = member_state_or_404(code)
    require_secretariat()
    form = MemberStateForm(obj=state)
    form.correspondence_language.choices = [
        (lang, language_name(lang)) for lang in dict.fromkeys(state.language_list + ["en"])
    ]
    if request.method == "GET":
        form.version.data = state.version
    if form.validate_on_submit():
        try:
            services.update_member_state(state, values=form.data, loaded_version=form.version.data, by=current_user)
            db.session.commit()
        except EDIT_CONFLICTS:
            report_edit_conflict(form, state)
            return render_template("countries/member_state_form.html", form=form, state=state, current=state), 409
        flash(_("The details of %(country)s are saved.", country=state.name), "success")
        return redirect(url_for("countries.member_state", code=state.code))
    return render_template("countries/member_state_form.html", form=form, state=state)


@bp.route("/milestones/<int:milestone_id>/edit", methods=["GET", "POST"])
@secretariat_required
def edit_milestone(milestone_id: int):
    """Move a milestone's due moment; pending reminders follow it."""
    milestone = db.get_or_404(Milestone, milestone_id)
    form = DeadlineForm()
    if request.method == "GET":
        local = milestone.due_at.astimezone(BRUSSELS)
        form.due_on.data, form.due_time.data = local.date(), local.time().replace(second=0, microsecond=0)
    if form.validate_on_submit():
        reminders.move_deadline(milestone, due_at=brussels(form.due_on.data, form.due_time.data), by=current_user)
        db.session.commit()
        flash(_("The deadline is moved; the reminders still to go follow it."), "success")
        return redirect(url_for("reminders.ladders"))
    return render_template("countries/milestone_form.html", form=form, milestone=milestone), 400 if form.errors else 200


@bp.route("/countries/<code>/milestones/<int:milestone_id>/extension", methods=["GET", "POST"])
def extension(code: str, milestone_id: int):
    """Give one country a later due moment for a milestone."""
    state = member_state_or_404(code)
    require_secretariat()
    milestone = db.get_or_404(Milestone, milestone_id)
    form = ExtensionForm()
    if request.method == "GET":
        local = milestone.due_for(state).astimezone(BRUSSELS)
        form.due_on.data, form.due_time.data = local.date(), local.time().replace(second=0, microsecond=0)
    if form.validate_on_submit():
        due_at = brussels(form.due_on.data, form.due_time.data)
        if due_at <= milestone.due_at:
            form.due_on.errors.append(_("An extension must end after the deadline (%(moment)s).",
                                        moment=brussels_time(milestone.due_at)))
        else:
            services.grant_extension(milestone, state, due_at=due_at, reason=form.reason.data.strip(), by=current_user)
            db.session.commit()
            flash(_("%(country)s has until %(moment)s.", country=country_name(state.code),
                    moment=brussels_time(due_at)), "success")
            return redirect(url_for("countries.member_state", code=state.code))
    return render_template("countries/extension_form.html", form=form, milestone=milestone, state=state), \
        400 if form.errors else 200


DASHBOARD_COLUMNS = (
    exports.Column("country", lambda r: r.member_state.code), exports.Column("name", lambda r: r.member_state.name),
    exports.Column("status", lambda r: r.status), exports.Column("stage", lambda r: r.stage),
    exports.Column("contact_points", lambda r: r.contact_points),
    exports.Column("next_milestone", lambda r: r.next_milestone.code if r.next_milestone else ""),
    exports.Column("next_due_at", lambda r: r.next_due_at),
    exports.Column("overdue", lambda r: [m.code for m in r.overdue]),
)


@bp.get("/countries/export.<fmt>")
def export_dashboard(fmt: str):
    """The dashboard's countries as CSV or XLSX (a contact point's own only; no personal data)."""
    campaign, rows = _dashboard_shown(utcnow())
    return exports.download(fmt, f"countries-{campaign.code}", DASHBOARD_COLUMNS, rows, personal=False,
                            by=current_user, entity_type="member_states")
