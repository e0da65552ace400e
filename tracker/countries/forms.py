"""Member-state form (secretariat)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import HiddenInput


class MemberStateForm(FlaskForm):
    """Ministry and Permanent Representation details."""

    correspondence_language = SelectField(_l("Correspondence language"), validators=[DataRequired()])
    ministry_name = StringField(_l("Ministry of Culture"), validators=[DataRequired(), Length(max=200)])
    ministry_address = TextAreaField(_l("Ministry postal address"), validators=[Optional(), Length(max=1000)])
    permrep_name = StringField(_l("Permanent Representation"), validators=[DataRequired(), Length(max=200)])
    permrep_address = TextAreaField(_l("Permanent Representation postal address"), validators=[Optional(), Length(max=1000)])
    permrep_mailbox = EmailField(
        _l("Permanent Representation functional mailbox"), validators=[Optional(), Email(), Length(max=254)]
    )
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
