"""Ladder step and escalation forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from tracker.core.forms import Form
from tracker.reminders.labels import AUDIENCE_LABELS

WHEN_CHOICES = [("before", _l("before the due day")), ("on", _l("on the due day")), ("after", _l("after the due day"))]


class StepForm(Form):
    """One rung of a reminder ladder."""

    days = IntegerField(_l("Days"), validators=[InputRequired(), NumberRange(min=0, max=365)], default=3)
    when = SelectField(_l("When"), choices=WHEN_CHOICES, validators=[DataRequired()], default="before")
    audience = SelectField(_l("To whom"), choices=list(AUDIENCE_LABELS.items()), validators=[DataRequired()])
    requires_approval = BooleanField(_l("The secretariat approves each email before it goes"))
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def validate_days(self, field) -> None:
        """Before and after need at least one day; on the day needs none."""
        if self.when.data in ("before", "after") and field.data == 0:
            raise ValidationError(_l('Give at least one day, or choose "on the due day".'))

    @property
    def offset_days(self) -> int:
        """The signed number of days from the due day."""
        if self.when.data == "on":
            return 0
        return -self.days.data if self.when.data == "before" else self.days.data

    def show_offset(self, offset_days: int) -> None:
        """Fill days and when from a signed offset."""
        self.days.data = abs(offset_days)
        self.when.data = "before" if offset_days < 0 else "after" if offset_days > 0 else "on"


class DismissForm(Form):
    """Why an escalation should not go."""

    note = TextAreaField(_l("Why (kept in the history)"), validators=[Optional(), Length(max=1000)])
