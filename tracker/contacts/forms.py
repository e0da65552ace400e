"""Person and role forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError
from wtforms.widgets import HiddenInput

from tracker.core.forms import Form


def optional_int(value: object) -> int | None:
    """A select's value as an id, or None for the empty choice."""
    return int(value) if value not in (None, "", "None") else None


#: A phone number as people write it: digits, spaces, brackets, dots, dashes, an optional leading +.
PHONE_NUMBER = Regexp(r"^\+?[0-9 ()./-]{6,40}$", message=_l("Use digits, spaces and an optional leading +."))

ROLE_LABELS = {
    "ministry_official": _l("Ministry official"),
    "institution_expert": _l("Expert at a cultural institution"),
}


class PersonForm(Form):
    """A person's details."""

    given_name = StringField(_l("Given name"), validators=[DataRequired(), Length(max=100)])
    family_name = StringField(_l("Family name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    phone = StringField(
        _l("Phone"),
        validators=[Optional(), Length(max=40),
                    PHONE_NUMBER],
    )
    member_state_id = SelectField(_l("Country"), coerce=optional_int)
    organisation_id = SelectField(_l("Organisation"), coerce=optional_int)
    preferred_language = SelectField(_l("Preferred language"), validators=[DataRequired()])
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class RoleForm(Form):
    """A role held from a date."""

    kind = SelectField(_l("Role"), choices=list(ROLE_LABELS.items()), validators=[DataRequired()])
    since_on = DateField(_l("Since"), validators=[DataRequired()])
    until_on = DateField(_l("Until"), validators=[Optional()])

    def validate_until_on(self, field) -> None:
        """The end cannot come before the start."""
        if field.data and self.since_on.data and field.data < self.since_on.data:
            raise ValidationError(_l("The end date is before the start date."))
