"""Login, logout, password reset, invitations, account and user pages."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from tracker.accounts import services
from tracker.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    NewPasswordForm,
    PreferencesForm,
    UserForm,
)
from tracker.accounts.models import User
from tracker.core import exports
from tracker.core.forms import EDIT_CONFLICTS, report_edit_conflict
from tracker.core.models import check_version
from tracker.core.permissions import public, secretariat_required, staff_required
from tracker.core.security import safe_next
from tracker.countries.models import MemberState
from tracker.extensions import db, login_manager
from tracker.mail.services import relay_after_commit

bp = Blueprint("accounts", __name__)

login_manager.login_view = "accounts.login"
login_manager.login_message = None


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Flask-Login hook: the user for a session id, if that session is still valid."""
    return services.load_session_user(session_id)


def _password_error_message(reason: str) -> str:
    if reason == "refused":
        return _("This password is not allowed here. Choose another one.")
    return _("The password must have at least %(count)s characters.", count=services.MIN_PASSWORD_LENGTH)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), url_for("countries.dashboard")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, address=request.remote_addr or "-")
        except services.LoginRefused as refused:
            db.session.commit()  # keep the failed attempt: the limit counts it
            if refused.reason == "throttled":
                form.form_errors.append(_("Too many failed attempts. Wait 15 minutes and try again."))
            else:
                form.form_errors.append(_("Wrong email or password."))
            return render_template("accounts/login.html", form=form), 200
        db.session.commit()
        session.clear()
        login_user(user)
        return redirect(safe_next(form.next.data, url_for("countries.dashboard")))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
def logout():
    """End the session for good: the old cookie is refused afterwards."""
    services.end_session(current_user)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    """Ask for a password-reset link (the answer is the same whether the account exists)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        relay_after_commit()
        flash(_("If an account exists for this address, we have sent it a link to choose a new password."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


def _link_page(token: str, purpose: str, template: str):
    """Shared flow of reset and invitation links: GET shows, POST acts once."""
    try:
        user = services.user_for_link_token(token, purpose)
    except services.LinkInvalid as invalid:
        message = (
            _("This link has expired. Ask for a new one.")
            if invalid.reason == "expired"
            else _("This link is not valid or has already been used.")
        )
        return render_template("accounts/link_invalid.html", message=message, purpose=purpose), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, form.password.data, how="link")
        except services.PasswordRejected as rejected:
            form.password.errors.append(_password_error_message(str(rejected)))
        else:
            db.session.commit()
            flash(_("Your password is set. You can log in now."), "success")
            return redirect(url_for("accounts.login"))
    return render_template(template, form=form, user=user)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    """Choose a new password from an emailed link."""
    return _link_page(token, "reset", "accounts/reset_password.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    """Accept an invitation by choosing a password."""
    return _link_page(token, "invitation", "accounts/accept_invitation.html")


@bp.post("/language")
@public
def switch_language():
    """Change the interface language (kept on the account, or in the session)."""
    form = LanguageForm()
    target = safe_next(form.next.data, url_for("countries.dashboard"))
    if form.validate_on_submit():
        if current_user.is_authenticated:
            services.set_locale(current_user, form.language.data)
            db.session.commit()
        else:
            session["lang"] = form.language.data
    return redirect(target)


@bp.route("/account", methods=["GET", "POST"])
def account():
    """One's own preferences."""
    person = current_user.person
    form = PreferencesForm(obj=current_user, locale=current_user.locale or "",
                           mail_language=person.preferred_language if person else None)
    if person is None:
        del form.mail_language
    if form.validate_on_submit():
        current_user.display_name = (form.display_name.data or "").strip()
        services.set_locale(current_user, form.locale.data)
        if person is not None and form.mail_language.data:
            services.set_mail_language(person, form.mail_language.data, by=current_user)
        db.session.commit()
        flash(_("Your preferences are saved."), "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form, password_form=ChangePasswordForm(prefix="pw"))


@bp.post("/account/password")
def change_password():
    """Change one's password; other sessions end, this one continues."""
    form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            services.authenticate(current_user.email, form.current.data, address=request.remote_addr or "-")
        except services.LoginRefused:
            db.session.commit()
            form.current.errors.append(_("The current password is wrong."))
        else:
            try:
                services.set_password(current_user, form.password.data, by=current_user)
            except services.PasswordRejected as rejected:
                form.password.errors.append(_password_error_message(str(rejected)))
            else:
                db.session.commit()
                login_user(current_user)
                flash(_("Your password is changed."), "success")
                return redirect(url_for("accounts.account"))
    prefs = PreferencesForm(obj=current_user, locale=current_user.locale or "")
    return render_template("accounts/account.html", form=prefs, password_form=form), 200


# -- user administration (secretariat; viewers read) -------------------------------------

def _country_choices() -> list[tuple[str, str]]:
    states = db.session.scalars(sa.select(MemberState).order_by(MemberState.protocol_order))
    return [("", "—")] + [(str(s.id), f"{s.code} – {s.name}") for s in states]


@bp.get("/users")
@staff_required
def users():
    """All accounts."""
    rows = db.session.scalars(sa.select(User).order_by(User.role, User.email)).all()
    return render_template("accounts/users.html", users=rows)


USER_COLUMNS = (
    exports.Column("email", lambda u: u.email), exports.Column("name", lambda u: u.display_name),
    exports.Column("role", lambda u: u.role),
    exports.Column("country", lambda u: u.member_state.code if u.member_state_id else ""),
    exports.Column("enabled", lambda u: u.is_enabled), exports.Column("language", lambda u: u.locale or ""),
    exports.Column("last_login_at", lambda u: u.last_login_at), exports.Column("created_at", lambda u: u.created_at),
)


@bp.get("/users/export.<fmt>")
@staff_required
def export_users(fmt: str):
    """All accounts as CSV or XLSX (email addresses: audited)."""
    rows = db.session.scalars(sa.select(User).order_by(User.role, User.email)).all()
    return exports.download(fmt, "users", USER_COLUMNS, rows, personal=True, by=current_user, entity_type="users")


@bp.route("/users/invite", methods=["GET", "POST"])
@secretariat_required
def invite():
    """Invite a new user by email."""
    form = UserForm()
    form.member_state_id.choices = _country_choices()
    del form.is_enabled
    if form.validate_on_submit():
        if services.find_user_by_email(form.email.data) is not None:
            form.email.errors.append(_("An account with this email already exists."))
        else:
            try:
                user = services.invite_user(
                    email=form.email.data, role=form.role.data, display_name=form.display_name.data,
                    member_state_id=form.member_state_id.data, locale=form.locale.data, by=current_user,
                )
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                form.email.errors.append(_("An account with this email already exists."))
            else:
                relay_after_commit()
                flash(_("Invitation sent to %(email)s.", email=user.email), "success")
                return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@secretariat_required
def edit_user(user_id: int):
    """Change an account's role, country, language or status."""
    user = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=user, locale=user.locale or "")
    form.member_state_id.choices = _country_choices()
    del form.email  # the address identifies the account; it is shown, not edited
    if request.method == "GET":
        form.version.data = user.version
    if form.validate_on_submit():
        try:
            check_version(user, form.version.data)
            services.update_user(
                user, role=form.role.data, display_name=form.display_name.data,
                member_state_id=form.member_state_id.data, locale=form.locale.data,
                is_enabled=form.is_enabled.data, by=current_user,
            )
            db.session.commit()
        except EDIT_CONFLICTS:
            report_edit_conflict(form, user)
            return render_template("accounts/user_form.html", form=form, user=user, current=user), 409
        flash(_("The account is saved."), "success")
        return redirect(url_for("accounts.users"))
    return render_template("accounts/user_form.html", form=form, user=user)

