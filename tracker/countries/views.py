"""Dashboard and member-state pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.audit.services import list_entries
from tracker.contacts.models import Person
from tracker.core.forms import EDIT_CONFLICTS, report_edit_conflict
from tracker.core.i18n import language_name
from tracker.core.permissions import member_state_or_404, require_secretariat
from tracker.core.time import BRUSSELS, utcnow
from tracker.countries import services
from tracker.countries.forms import MemberStateForm
from tracker.extensions import db

bp = Blueprint("countries", __name__)


@bp.get("/")
def dashboard():
    """The 27 member states and where each stands (a contact point sees its own)."""
    campaign = services.current_campaign()
    now = utcnow()
    only = current_user.member_state_id if current_user.is_contact_point else None
    rows = services.dashboard_rows(campaign, today=now.astimezone(BRUSSELS).date(), now=now, only=only)
    with_contact_points = sum(1 for row in rows if row.contact_points)
    return render_template(
        "countries/dashboard.html", campaign=campaign, rows=rows, now=now,
        with_contact_points=with_contact_points,
    )


@bp.get("/countries/<code>")
def member_state(code: str):
    """One member state: its details, people and deadlines."""
    state = member_state_or_404(code)
    campaign = services.current_campaign()
    people = db.session.scalars(
        sa.select(Person).where(Person.member_state_id == state.id).order_by(Person.family_name, Person.given_name)
    ).all()
    entries = list_entries(member_state_id=state.id, limit=10) if current_user.is_staff else []
    return render_template(
        "countries/member_state.html", state=state, campaign=campaign, people=people,
        entries=entries, now=utcnow(), today=utcnow().astimezone(BRUSSELS).date(),
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
