"""Building a digest on demand."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField
from wtforms.validators import DataRequired

from tracker.core.forms import Form


class BuildForm(Form):
    """Which campaign, and whether to email it at once."""

    campaign = SelectField(_l("Campaign"), validators=[DataRequired()])
    send = BooleanField(_l("Email it to the digest's recipients"), default=True)
