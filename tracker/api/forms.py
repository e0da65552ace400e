"""The form that creates an API token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from tracker.api.schemas import SCOPES
from tracker.core.forms import Form


class TokenForm(Form):
    """Who the token is for, what it may read, which country, and until when."""

    name = StringField(_l("Client"), description=_l("Who will use the token, for example \"Europeana dashboard\"."),
                       validators=[DataRequired(), Length(max=120)])
    scopes = SelectMultipleField(_l("May read"), choices=list(SCOPES.items()),
                                 validators=[DataRequired(message=_l("Choose at least one thing the token may read."))])
    member_state = SelectField(_l("Countries"), choices=[], validate_choice=True)
    expires_on = DateField(_l("Valid until"), description=_l("The last day the token works (at most two years)."),
                           validators=[DataRequired(message=_l("Give a date, for example 2027-12-31."))])
