"""Event, translation, registration, attendance and feed forms."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from tracker.core.forms import Form
from tracker.countries.reference import TIME_ZONES
from tracker.events.labels import AUDIENCE_LABELS, KIND_LABELS
from tracker.events.services import Decision

#: The zones an event can be planned in: Brussels first, then the capitals' zones.
ZONE_CHOICES = [("Europe/Brussels", "Europe/Brussels")] + [
    (zone, zone) for zone in sorted(set(TIME_ZONES.values()) - {"Europe/Brussels"})] + [("UTC", "UTC")]


class EventForm(Form):
    """An event's kind, title, time, place, audience and places."""

    kind = SelectField(_l("Kind"), choices=list(KIND_LABELS.items()), validators=[DataRequired()])
    title = StringField(_l("Title (in English)"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Description (in English)"), validators=[Optional(), Length(max=5000)])
    starts = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(
        message=_l("Give the day and time, for example 2026-03-10 10:00."))])
    ends = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[DataRequired(
        message=_l("Give the day and time, for example 2026-03-10 11:30."))])
    time_zone = SelectField(_l("Time zone of these times"), choices=ZONE_CHOICES, default="Europe/Brussels")
    online_url = StringField(_l("Link to join online"), validators=[
        Optional(), Length(max=500), URL(message=_l("Give a full web address (https://...)."))])
    venue = TextAreaField(_l("Venue"), validators=[Optional(), Length(max=1000)])
    audience = SelectField(_l("Audience"), choices=list(AUDIENCE_LABELS.items()), default="contact_points")
    member_states = SelectMultipleField(_l("Countries (when for some countries)"), coerce=int, description=_l("Hold Ctrl (or Cmd) to choose more than one."))
    capacity = IntegerField(_l("Places"), validators=[Optional(), NumberRange(min=1, max=100_000)],
                            description=_l("Leave empty for no limit."))
    has_waiting_list = BooleanField(_l("Keep a waiting list when the places are taken"))
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def validate_ends(self, field) -> None:
        """The end comes after the start."""
        if field.data and self.starts.data and field.data <= self.starts.data:
            raise ValidationError(_l("The event must end after it starts."))

    def validate_member_states(self, field) -> None:
        """An event for some countries names them."""
        if self.audience.data == "countries" and not field.data:
            raise ValidationError(_l("Choose the countries the event is for."))


class TranslationForm(Form):
    """The event's title and description in one more language."""

    language = SelectField(_l("Language"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)],
                        description=_l("Leave empty to remove the translation."))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])


class ImportForm(Form):
    """An attendance report exported from the meeting tool."""

    report = FileField(_l("Attendance report"), validators=[FileRequired(_l("Choose the file to import."))],
                       description=_l("Zoom participant report, Microsoft Teams attendance report, Webex attendee "
                                      "report, or a CSV file with a name or email column."))


class PersonChoiceForm(Form):
    """Pick a person (to register them, or to record that they attended)."""

    person_id = SelectField(_l("Person"), coerce=int, validators=[DataRequired(_l("Choose a person."))])
    minutes = IntegerField(_l("Minutes attended"), validators=[Optional(), NumberRange(min=0, max=100_000)])


class FeedForm(Form):
    """A new calendar feed address."""

    member_state = SelectField(_l("Calendar of"), validators=[Optional()])
    language = SelectField(_l("Language of the entries"), validators=[DataRequired()])


def decisions_from(data: Any, row_count: int) -> dict[int, Decision]:
    """The review form's choice per row: "p<id>" links a person, "new" adds one, anything else leaves it out."""
    decisions = {}
    for index in range(row_count):
        choice = (data.get(f"row-{index}") or "").strip()
        typed = (data.get(f"email-{index}") or "").strip().lower()
        if choice.startswith("p") and choice[1:].isdigit():
            decisions[index] = Decision("person", int(choice[1:]), reviewed=True)
        elif choice == "new":
            country = data.get(f"country-{index}") or ""
            decisions[index] = Decision("new", member_state_id=int(country) if country.isdigit() else None, email=typed,
                                        reviewed=True)
        elif choice == "email" and typed:
            decisions[index] = Decision("email", email=typed, reviewed=True)
        else:
            decisions[index] = Decision("ignore")
    return decisions
