"""Login, password and account forms (labels translated lazily)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from tracker.accounts.models import Role
from tracker.accounts.services import MIN_PASSWORD_LENGTH
from tracker.core.forms import Form
from tracker.core.i18n import LANGUAGE_NAMES

ROLE_CHOICES = [
    (Role.SECRETARIAT.value, _l("Secretariat")),
    (Role.VIEWER.value, _l("Viewer (DG CONNECT)")),
    (Role.CONTACT_POINT.value, _l("National contact point")),
]


def language_choices(with_browser: bool = True) -> list[tuple[str, object]]:
    """Interface languages for a select box."""
    choices: list[tuple[str, object]] = [("", _l("As my browser asks"))] if with_browser else []
    return choices + list(LANGUAGE_NAMES.items())


class LoginForm(Form):
    """Email and password."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=500)])
    next = HiddenField()


class ForgotPasswordForm(Form):
    """Ask for a reset link."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])


class NewPasswordForm(Form):
    """Choose a password (reset link, invitation, or account page)."""

    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, message=_l("The password must have at least %(min)d characters.")),
            Length(max=500),
        ],
        description=_l("At least %(count)s characters.", count=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ChangePasswordForm(NewPasswordForm):
    """Change one's password, proving the current one."""

    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=500)])


class LanguageForm(Form):
    """The header's language switcher."""

    language = SelectField(_l("Language"), choices=language_choices(False), validators=[DataRequired()])
    next = HiddenField()


class PreferencesForm(Form):
    """One's own display name and interface language."""

    display_name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    locale = SelectField(_l("Interface language"), choices=language_choices())
    mail_language = SelectField(
        _l("Language of our emails to you"), choices=list(LANGUAGE_NAMES.items()), validators=[Optional()],
        description=_l("Invitations, reminders and replies of the service desk come in this language."),
    )


class UserForm(Form):
    """Invite or edit an account (secretariat)."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, validators=[DataRequired()])
    member_state_id = SelectField(
        _l("Country (contact points only)"), coerce=lambda v: int(v) if v else None
    )
    locale = SelectField(_l("Interface language"), choices=language_choices())
    is_enabled = BooleanField(_l("Account enabled"), default=True)
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def validate_member_state_id(self, field) -> None:
        """A contact point needs a country."""
        if self.role.data == Role.CONTACT_POINT and not field.data:
            raise ValidationError(_l("Choose the country of the contact point."))
