"""The erasure confirmation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class EraseForm(FlaskForm):
    """Type the person's email to confirm an erasure that cannot be undone."""

    confirm_email = StringField(_l("The person's email, to confirm"), validators=[DataRequired(), Length(max=254)])
