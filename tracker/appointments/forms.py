"""Appointment forms: the secretariat's and the contact point's (by link)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from tracker.appointments.labels import KIND_LABELS, ORGANISATION_KIND_LABELS
from tracker.contacts.forms import PHONE_NUMBER, optional_int
from tracker.core.forms import Form


class ConfirmForm(Form):
    """The contact point confirms, correcting their details and optionally proposing an alternate."""

    given_name = StringField(_l("Given name"), validators=[DataRequired(), Length(max=100)])
    family_name = StringField(_l("Family name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40), PHONE_NUMBER])
    organisation_name = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
    organisation_kind = SelectField(_l("Kind of organisation"), choices=list(ORGANISATION_KIND_LABELS.items()))
    position = StringField(_l("Your function"), validators=[Optional(), Length(max=200)],
                           description=_l("For example: head of the digitisation unit."))
    languages = SelectMultipleField(_l("Languages you work in"), validators=[Optional()],
                                    description=_l("Hold Ctrl (or Cmd) to choose more than one."))
    preferred_language = SelectField(_l("Language of our emails to you"), validators=[DataRequired()])
    alternate_given_name = StringField(_l("Alternate's given name"), validators=[Optional(), Length(max=100)])
    alternate_family_name = StringField(_l("Alternate's family name"), validators=[Optional(), Length(max=100)])
    alternate_email = EmailField(_l("Alternate's email"), validators=[Optional(), Email(), Length(max=254)])
    alternate_organisation = StringField(_l("Alternate's organisation"), validators=[Optional(), Length(max=200)])

    def validate_alternate_email(self, field) -> None:
        """An alternate needs a name and an address, and cannot be the person themselves."""
        named = self.alternate_given_name.data or self.alternate_family_name.data
        if named and not field.data:
            raise ValidationError(_l("Give the alternate's email, or leave the alternate's fields empty."))
        if field.data and not (self.alternate_given_name.data and self.alternate_family_name.data):
            raise ValidationError(_l("Give the alternate's given and family name."))
        if field.data and field.data.strip().lower() == (self.email.data or "").strip().lower():
            raise ValidationError(_l("The alternate must be someone else."))


class ReplacementForm(Form):
    """The contact point proposes someone to take their place."""

    given_name = StringField(_l("Given name"), validators=[DataRequired(), Length(max=100)])
    family_name = StringField(_l("Family name"), validators=[DataRequired(), Length(max=100)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    organisation_name = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])


class DeclineForm(Form):
    """The contact point declines the appointment."""

    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=2000)])


class RequestForm(Form):
    """Ask to confirm, with the Permanent Representation in copy or not."""

    cc_permrep = BooleanField(_l("Copy the Permanent Representation's mailbox"))


class AppointForm(Form):
    """The secretariat appoints a person of the country (an existing one, or a new one)."""

    person_id = SelectField(_l("Person on record"), coerce=optional_int, validators=[Optional()])
    given_name = StringField(_l("Given name"), validators=[Optional(), Length(max=100)])
    family_name = StringField(_l("Family name"), validators=[Optional(), Length(max=100)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])
    preferred_language = SelectField(_l("Language of our emails"), validators=[DataRequired()])
    kind = SelectField(_l("Appointed as"), choices=list(KIND_LABELS.items()))
    state = SelectField(_l("State"), choices=[("awaiting_confirmation", _l("Awaiting confirmation")),
                                              ("proposed", _l("Proposed")), ("confirmed", _l("Confirmed"))])
    how = SelectField(_l("How we learnt of it"), choices=[("email", _l("by email")), ("letter", _l("by letter")),
                                                          ("phone", _l("by phone")), ("web", _l("on the tracker"))])
    organisation_id = SelectField(_l("Organisation"), coerce=optional_int, validators=[Optional()])
    position = StringField(_l("Function"), validators=[Optional(), Length(max=200)])

    def validate_email(self, field) -> None:
        """Either a person on record or a new person's name and email."""
        if self.person_id.data is None and not (field.data and self.given_name.data and self.family_name.data):
            raise ValidationError(_l("Choose a person on record, or give a new person's name and email."))


class EditAppointmentForm(Form):
    """The secretariat edits an appointment's details."""

    kind = SelectField(_l("Appointed as"), choices=list(KIND_LABELS.items()))
    organisation_id = SelectField(_l("Organisation"), coerce=optional_int, validators=[Optional()])
    position = StringField(_l("Function"), validators=[Optional(), Length(max=200)])
    languages = SelectMultipleField(_l("Working languages"), validators=[Optional()])
    since_on = DateField(_l("Since"), validators=[Optional()])
    until_on = DateField(_l("Until"), validators=[Optional()])
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def validate_until_on(self, field) -> None:
        """The end cannot come before the start."""
        if field.data and self.since_on.data and field.data < self.since_on.data:
            raise ValidationError(_l("The end date is before the start date."))


class ReplyForm(Form):
    """A reply received by email, letter or phone."""

    outcome = SelectField(_l("The reply"), choices=[("confirmed", _l("Confirms the appointment")),
                                                    ("declined", _l("Declines the appointment"))])
    how = SelectField(_l("Received"), choices=[("email", _l("by email")), ("letter", _l("by letter")),
                                               ("phone", _l("by phone"))])
    received_on = DateField(_l("Received on"), validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=4000)])
    attachment = FileField(_l("File received (optional)"),
                           description=_l("PDF, image, email (.eml, .msg), Word or text file."))


class EndForm(Form):
    """End an appointment or turn down a proposal, with a note."""

    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])
    next = HiddenField()
