"""A country's status and its assets: moving along the workflow, describing and reviewing assets."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.core.forms import EDIT_CONFLICTS, ActionForm, report_edit_conflict
from tracker.core.i18n import language_name
from tracker.core.permissions import member_state_or_404, require_secretariat, visible_or_404
from tracker.countries.reference import EU_LANGUAGES
from tracker.countries.services import current_campaign
from tracker.extensions import db
from tracker.participation import services
from tracker.participation.forms import AssetForm, StatusForm
from tracker.participation.labels import REFUSAL_LABELS, STATUS_LABELS
from tracker.participation.models import INACTIVE_STATUSES, STATUSES, Asset

bp = Blueprint("participation", __name__)


def _open_campaign():
    campaign = current_campaign()
    if campaign is None or not campaign.is_open:
        abort(404)
    return campaign


def _may_edit(member_state_id: int) -> None:
    """The secretariat, or the country's own contact point (others already got 404)."""
    if not (current_user.is_secretariat or (current_user.is_contact_point and current_user.member_state_id == member_state_id)):
        abort(403)


def _refused(refused: services.TransitionRefused) -> str:
    return str(REFUSAL_LABELS.get(refused.reason, _("This change is not possible.")))


@bp.post("/countries/<code>/status")
def change_status(code: str):
    """Move the country one stage on, pause it, record that it leaves, or (with "correct") set any status."""
    state = member_state_or_404(code)
    require_secretariat()
    participation = services.participation_of(_open_campaign(), state)
    form = StatusForm()
    form.status.choices = [(s, str(STATUS_LABELS[s])) for s in STATUSES + INACTIVE_STATUSES]
    correcting = request.form.get("mode") == "correct"
    if form.validate_on_submit():
        try:
            if correcting:
                services.correct_status(participation, form.status.data, by=current_user, reason=form.reason.data or "",
                                        loaded_version=form.version.data)
            else:
                services.change_status(participation, form.status.data, by=current_user, reason=form.reason.data or "",
                                       loaded_version=form.version.data)
            db.session.commit()
        except services.TransitionRefused as refused:
            db.session.rollback()
            flash(_refused(refused), "error")
        except EDIT_CONFLICTS:
            db.session.rollback()
            flash(_("Someone else changed the status meanwhile. Check it and try again."), "error")
        else:
            flash(_("%(country)s is now: %(status)s.", country=state.name, status=STATUS_LABELS[participation.status]), "success")
    else:
        flash(_("Choose a status."), "error")
    return redirect(url_for("countries.member_state", code=state.code))


def _fill(form: AssetForm) -> None:
    languages = [(code, language_name(code)) for code in EU_LANGUAGES]
    form.title_language.choices = languages
    form.metadata_languages.choices = languages


def _values(form: AssetForm) -> dict:
    values = {name: getattr(form, name).data for name in services.ASSET_FIELDS}
    values["file_size_mb"] = float(values["file_size_mb"]) if values["file_size_mb"] is not None else None
    return values


@bp.route("/countries/<code>/assets/new", methods=["GET", "POST"])
def add_asset(code: str):
    """Describe a new asset of the country."""
    state = member_state_or_404(code)
    _may_edit(state.id)
    campaign = _open_campaign()
    form = AssetForm()
    _fill(form)
    if request.method == "GET":
        form.title_language.data = state.correspondence_language
    if form.validate_on_submit():
        asset = services.add_asset(campaign, state, _values(form), by=current_user)
        db.session.commit()
        flash(_("The asset is added."), "success")
        return redirect(url_for("participation.asset", asset_id=asset.id))
    status = 200 if request.method == "GET" else 422
    return render_template("participation/asset_form.html", form=form, state=state, asset=None), status


@bp.get("/assets/<int:asset_id>")
def asset(asset_id: int):
    """An asset's description and how far it goes in the Europeana Publishing Framework."""
    asset = visible_or_404(Asset, asset_id)
    return render_template("participation/asset.html", asset=asset, readiness=services.readiness(asset),
                           action_form=ActionForm())


@bp.route("/assets/<int:asset_id>/edit", methods=["GET", "POST"])
def edit_asset(asset_id: int):
    """Change an asset's description (the country's contact point or the secretariat)."""
    asset = visible_or_404(Asset, asset_id)
    _may_edit(asset.member_state_id)
    form = AssetForm(obj=asset, reuse_intents=asset.reuse_list, metadata_languages=asset.metadata_language_list)
    _fill(form)
    if request.method == "GET":
        form.version.data = asset.version
    if form.validate_on_submit():
        try:
            services.update_asset(asset, _values(form), loaded_version=form.version.data, by=current_user)
            db.session.commit()
        except EDIT_CONFLICTS:
            report_edit_conflict(form, asset)
            return render_template("participation/asset_form.html", form=form, state=asset.member_state,
                                   asset=asset), 409
        flash(_("The asset is saved."), "success")
        return redirect(url_for("participation.asset", asset_id=asset.id))
    status = 200 if request.method == "GET" else 422
    return render_template("participation/asset_form.html", form=form, state=asset.member_state, asset=asset), status


@bp.post("/assets/<int:asset_id>/review")
def review_asset(asset_id: int):
    """The secretariat marks a complete description as reviewed and ready."""
    asset = visible_or_404(Asset, asset_id)
    require_secretariat()
    if ActionForm().validate_on_submit():
        try:
            services.mark_asset_ready(asset, by=current_user)
            db.session.commit()
        except services.TransitionRefused as refused:
            db.session.rollback()
            flash(_refused(refused), "error")
        else:
            flash(_("The asset is marked ready."), "success")
    return redirect(url_for("participation.asset", asset_id=asset.id))


@bp.post("/assets/<int:asset_id>/submit")
def submit_asset(asset_id: int):
    """The country submits: its status becomes "submitted" once the description is complete."""
    asset = visible_or_404(Asset, asset_id)
    _may_edit(asset.member_state_id)
    if ActionForm().validate_on_submit():
        readiness = services.readiness(asset)
        if not readiness.complete:
            flash(_refused(services.TransitionRefused("asset_incomplete")), "error")
        else:
            moved = services.reach_status(asset.campaign, asset.member_state, "submitted", by=current_user, how="web",
                                          because=f"asset #{asset.id} submitted")
            db.session.commit()
            flash(_("The asset is submitted. Thank you!") if moved else _("The asset was already submitted."), "success")
    return redirect(url_for("participation.asset", asset_id=asset.id))
