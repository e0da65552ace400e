"""Reminder ladders, escalations awaiting approval, and the calendar of planned reminders."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.core import exports
from tracker.core.forms import EDIT_CONFLICTS, ActionForm, report_edit_conflict
from tracker.core.permissions import secretariat_required, staff_required
from tracker.core.time import BRUSSELS, brussels, utcnow
from tracker.countries.models import Milestone
from tracker.countries.services import current_campaign
from tracker.extensions import db
from tracker.mail.services import relay_after_commit
from tracker.reminders import services
from tracker.reminders.forms import DismissForm, StepForm
from tracker.reminders.models import ReminderDispatch, ReminderStep

bp = Blueprint("reminders", __name__, url_prefix="/reminders")

CALENDAR_DAYS = 30


@bp.get("")
@staff_required
def ladders():
    """Each milestone's ladder, what is missed, and the escalations awaiting approval."""
    campaign = current_campaign()
    now = utcnow()
    plan = services.plan_reminders(now, campaign=campaign) if campaign and campaign.is_open else []
    missed: dict[int, int] = defaultdict(int)
    for item in plan:
        if item.state == "missed":
            missed[item.step.id] += 1
    ladders = [(milestone, services.steps_of(milestone)) for milestone in (campaign.milestones if campaign else [])]
    return render_template(
        "reminders/ladders.html", campaign=campaign, ladders=ladders, missed=missed,
        escalations=services.awaiting_approval(), form=ActionForm(), dismiss_form=DismissForm(),
    )


def _calendar_items(start_day: date | None) -> tuple[datetime, datetime, list]:
    """The reminders planned in the 30 days from `start_day` (today when None)."""
    start = brussels(start_day, time(0, 0)) if start_day else utcnow()
    end = start + timedelta(days=CALENDAR_DAYS)
    items = [
        item for item in services.plan_reminders(start)
        if item.state in ("planned", "due") and item.planned_at < end
    ]
    return start, end, items


def _start_day() -> date | None:
    try:
        return date.fromisoformat(request.args.get("from", "")) if request.args.get("from") else None
    except ValueError:
        return None


@bp.get("/calendar")
@staff_required
def calendar():
    """Every reminder planned for the next 30 days, day by day."""
    start_day = _start_day()
    if start_day is None and request.args.get("from"):
        flash(_("That is not a date; the calendar starts today."), "warning")
    start, end, items = _calendar_items(start_day)
    days: dict[date, list] = defaultdict(list)
    for item in items:
        days[item.planned_at.astimezone(BRUSSELS).date()].append(item)
    return render_template("reminders/calendar.html", days=sorted(days.items()), start=start, end=end,
                           count=len(items), start_day=start_day)


def _step_form_page(form: StepForm, milestone: Milestone, step: ReminderStep | None, status: int = 200):
    return render_template("reminders/step_form.html", form=form, milestone=milestone, step=step), status


@bp.route("/milestones/<int:milestone_id>/steps/new", methods=["GET", "POST"])
@secretariat_required
def add_step(milestone_id: int):
    """Add a rung to a milestone's ladder."""
    milestone = db.get_or_404(Milestone, milestone_id)
    form = StepForm()
    if form.validate_on_submit():
        try:
            services.add_step(milestone, offset_days=form.offset_days, audience=form.audience.data,
                              requires_approval=form.requires_approval.data, by=current_user)
            db.session.commit()
        except services.DuplicateStep:
            db.session.rollback()
            form.days.errors.append(_("The ladder already has a step on that day for the same people."))
            return _step_form_page(form, milestone, None, 409)
        flash(_("The step is added. It sends nothing for moments already past."), "success")
        return redirect(url_for("reminders.ladders"))
    return _step_form_page(form, milestone, None, 400 if form.errors else 200)


@bp.route("/steps/<int:step_id>/edit", methods=["GET", "POST"])
@secretariat_required
def edit_step(step_id: int):
    """Change a rung of a ladder."""
    step = db.get_or_404(ReminderStep, step_id)
    form = StepForm(obj=step)
    if request.method == "GET":
        form.show_offset(step.offset_days)
        form.version.data = step.version
    if form.validate_on_submit():
        try:
            services.update_step(step, offset_days=form.offset_days, audience=form.audience.data,
                                 requires_approval=form.requires_approval.data,
                                 loaded_version=form.version.data, by=current_user)
            db.session.commit()
        except services.DuplicateStep:
            db.session.rollback()
            form.days.errors.append(_("The ladder already has a step on that day for the same people."))
            return _step_form_page(form, step.milestone, step, 409)
        except EDIT_CONFLICTS:
            report_edit_conflict(form, step)
            return _step_form_page(form, step.milestone, step, 409)
        flash(_("The step is saved."), "success")
        return redirect(url_for("reminders.ladders"))
    return _step_form_page(form, step.milestone, step, 400 if form.errors else 200)


@bp.post("/steps/<int:step_id>/delete")
@secretariat_required
def delete_step(step_id: int):
    """Remove a rung; what it sent stays on record."""
    step = db.get_or_404(ReminderStep, step_id)
    if ActionForm().validate_on_submit():
        services.delete_step(step, by=current_user)
        db.session.commit()
        flash(_("The step is removed."), "success")
    return redirect(url_for("reminders.ladders"))


@bp.post("/steps/<int:step_id>/send-missed")
@secretariat_required
def send_missed(step_id: int):
    """Send a step's missed reminders now, at the secretariat's request."""
    step = db.get_or_404(ReminderStep, step_id)
    if ActionForm().validate_on_submit():
        sent = services.send_missed_reminders(step, by=current_user)
        db.session.commit()
        relay_after_commit()
        flash(_("Missed reminders sent: %(count)s.", count=sent), "success")
    return redirect(url_for("reminders.ladders"))


@bp.post("/milestones/<int:milestone_id>/default-ladder")
@secretariat_required
def default_ladder(milestone_id: int):
    """Give a milestone the default ladder (14 and 3 days before, on the day, 2 and 7 days after)."""
    milestone = db.get_or_404(Milestone, milestone_id)
    if ActionForm().validate_on_submit():
        added = services.apply_default_ladder(milestone, by=current_user)
        db.session.commit()
        flash(_("Steps added: %(count)s. They send nothing for moments already past.", count=len(added)), "success")
    return redirect(url_for("reminders.ladders"))


@bp.post("/escalations/<int:dispatch_id>/approve")
@secretariat_required
def approve(dispatch_id: int):
    """Approve an escalation: its email goes now."""
    dispatch = db.get_or_404(ReminderDispatch, dispatch_id)
    if ActionForm().validate_on_submit():
        try:
            services.approve_escalation(dispatch, by=current_user)
        except ValueError:
            db.session.rollback()
            flash(_("This escalation is no longer waiting for approval, or there is nobody to write to."), "error")
        else:
            db.session.commit()
            relay_after_commit()
            flash(_("The escalation is sent."), "success")
    return redirect(url_for("reminders.ladders"))


@bp.post("/escalations/<int:dispatch_id>/dismiss")
@secretariat_required
def dismiss(dispatch_id: int):
    """Decide that an escalation should not go."""
    dispatch = db.get_or_404(ReminderDispatch, dispatch_id)
    form = DismissForm()
    if form.validate_on_submit():
        try:
            services.dismiss_escalation(dispatch, by=current_user, note=form.note.data or "")
        except ValueError:
            db.session.rollback()
            flash(_("This escalation is no longer waiting for approval."), "error")
        else:
            db.session.commit()
            flash(_("The escalation is dismissed; it will not be sent."), "success")
    return redirect(url_for("reminders.ladders"))


CALENDAR_COLUMNS = (
    exports.Column("planned_at", lambda i: i.planned_at), exports.Column("country", lambda i: i.member_state.code),
    exports.Column("milestone", lambda i: i.milestone.code), exports.Column("due_at", lambda i: i.due_at),
    exports.Column("offset_days", lambda i: i.step.offset_days), exports.Column("state", lambda i: i.state),
)


@bp.get("/calendar/export.<fmt>")
@staff_required
def export_calendar(fmt: str):
    """The reminder calendar shown (30 days) as CSV or XLSX."""
    _start, _end, items = _calendar_items(_start_day())
    return exports.download(fmt, "reminders", CALENDAR_COLUMNS, items, personal=False, by=current_user,
                            entity_type="reminder_dispatches")
