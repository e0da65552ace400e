"""Member-state form (secretariat)."""

from __future__ import annotations

from datetime import time

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import HiddenInput

from tracker.core.forms import Form


class MemberStateForm(Form):
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


class DeadlineForm(Form):
    """A due moment, in Brussels time."""

    due_on = DateField(_l("Due date"), validators=[DataRequired()])
    due_time = TimeField(_l("Time (Brussels)"), validators=[DataRequired()], default=time(17, 0))


class ExtensionForm(DeadlineForm):
    """A later due moment for one country, with the reason."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])
