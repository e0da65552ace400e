"""The erasure confirmation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from tracker.core.forms import Form


class EraseForm(Form):
    """Type the person's email to confirm an erasure that cannot be undone."""

    confirm_email = StringField(_l("The person's email, to confirm"), validators=[DataRequired(), Length(max=254)])
