"""People pages: list, details, create, edit, roles."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from tracker.appointments.services import appointments_of_person
from tracker.audit.services import list_entries
from tracker.contacts import services
from tracker.contacts.forms import ROLE_LABELS, PersonForm, RoleForm
from tracker.contacts.models import Person
from tracker.core import exports
from tracker.core.forms import EDIT_CONFLICTS, report_edit_conflict
from tracker.core.i18n import language_name
from tracker.core.permissions import require_secretariat, secretariat_required, staff_required, visible_or_404
from tracker.core.time import BRUSSELS, utcnow
from tracker.countries.models import MemberState
from tracker.countries.reference import EU_LANGUAGES
from tracker.countries.services import current_campaign, list_member_states
from tracker.extensions import db

bp = Blueprint("contacts", __name__)


def _fill_choices(form: PersonForm, member_state_id: int | None) -> None:
    form.member_state_id.choices = [("", "—")] + [(str(s.id), f"{s.code} – {s.name}") for s in list_member_states()]
    form.organisation_id.choices = [("", "—")] + [
        (str(o.id), o.name) for o in services.organisations_for(member_state_id)
    ]
    form.preferred_language.choices = [(code, language_name(code)) for code in EU_LANGUAGES]


def _people_shown(limit: int = 500) -> tuple[str, str, list]:
    """The people list's filters (?country=, ?q=) and the people they select."""
    code = request.args.get("country", "").upper()
    text = request.args.get("q", "").strip()[:100]
    state = db.session.scalar(sa.select(MemberState).where(MemberState.code == code)) if code else None
    return code, text, services.search_people(member_state_id=state.id if state else None, text=text, limit=limit)


@bp.get("/people")
@staff_required
def people():
    """Everyone on record, filterable by country and name."""
    code, text, rows = _people_shown()
    return render_template("contacts/people.html", people=rows, states=list_member_states(),
                           selected=code, text=text)


PEOPLE_COLUMNS = (
    exports.Column("id", lambda p: p.id), exports.Column("given_name", lambda p: p.given_name),
    exports.Column("family_name", lambda p: p.family_name), exports.Column("email", lambda p: p.email),
    exports.Column("phone", lambda p: p.phone),
    exports.Column("country", lambda p: p.member_state.code if p.member_state_id else ""),
    exports.Column("organisation", lambda p: p.organisation.name if p.organisation_id else ""),
    exports.Column("language", lambda p: p.preferred_language), exports.Column("erased_at", lambda p: p.erased_at),
)


@bp.get("/people/export.<fmt>")
@staff_required
def export_people(fmt: str):
    """The people list, with its filters, as CSV or XLSX (personal data: audited)."""
    _code, _text, rows = _people_shown(limit=100_000)
    return exports.download(fmt, "people", PEOPLE_COLUMNS, rows, personal=True, by=current_user, entity_type="people")


@bp.route("/people/new", methods=["GET", "POST"])
@secretariat_required
def create_person():
    """Add a person."""
    form = PersonForm()
    _fill_choices(form, None)
    if request.method == "GET":
        form.preferred_language.data = "en"
    if form.validate_on_submit():
        try:
            person = services.create_person(form.data, by=current_user)
            db.session.commit()
        except (services.DuplicateEmail, IntegrityError):
            db.session.rollback()
            form.email.errors.append(_("Another person already has this email."))
        else:
            flash(_("%(name)s is added.", name=person.full_name), "success")
            return redirect(url_for("contacts.person", person_id=person.id))
    return render_template("contacts/person_form.html", form=form, person=None), (200 if request.method == "GET" or not form.errors else 422)


@bp.get("/people/<int:person_id>")
def person(person_id: int):
    """A person's details, roles and history."""
    person = visible_or_404(Person, person_id)
    entries = list_entries(entity_type="people", entity_id=person.id, limit=20) if current_user.is_staff else []
    role_form = RoleForm()
    today = utcnow().astimezone(BRUSSELS).date()
    return render_template("contacts/person.html", person=person, entries=entries, role_form=role_form,
                           ROLE_LABELS=ROLE_LABELS, today=today, appointments=appointments_of_person(person))


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
def edit_person(person_id: int):
    """Change a person's details."""
    person = visible_or_404(Person, person_id)
    require_secretariat()
    form = PersonForm(obj=person)
    _fill_choices(form, person.member_state_id)
    if request.method == "GET":
        form.version.data = person.version
    if form.validate_on_submit():
        try:
            services.update_person(person, form.data, loaded_version=form.version.data, by=current_user)
            db.session.commit()
        except EDIT_CONFLICTS:
            report_edit_conflict(form, person)
            return render_template("contacts/person_form.html", form=form, person=person, current=person), 409
        except (services.DuplicateEmail, IntegrityError):
            db.session.rollback()
            form.email.errors.append(_("Another person already has this email."))
        else:
            flash(_("The details of %(name)s are saved.", name=person.full_name), "success")
            return redirect(url_for("contacts.person", person_id=person.id))
    return render_template("contacts/person_form.html", form=form, person=person), (200 if request.method == "GET" or not form.errors else 422)


@bp.post("/people/<int:person_id>/roles")
def add_role(person_id: int):
    """Give the person a role in their country for the current campaign."""
    person = visible_or_404(Person, person_id)
    require_secretariat()
    form = RoleForm()
    if person.member_state_id is None:
        flash(_("Set the person's country before giving them a role."), "error")
        return redirect(url_for("contacts.person", person_id=person.id))
    if form.validate_on_submit():
        campaign = current_campaign()
        services.add_role(person, kind=form.kind.data, member_state_id=person.member_state_id,
                          campaign_id=campaign.id if campaign else None,
                          since_on=form.since_on.data, until_on=form.until_on.data, by=current_user)
        db.session.commit()
        flash(_("The role is added."), "success")
        return redirect(url_for("contacts.person", person_id=person.id))
    today = utcnow().astimezone(BRUSSELS).date()
    return render_template("contacts/person.html", person=person, entries=[], role_form=form,
                           ROLE_LABELS=ROLE_LABELS, today=today, appointments=appointments_of_person(person)), 422
