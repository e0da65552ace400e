"""Ticket, reply, assignment and saved-reply forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from tracker.core.forms import Form
from tracker.tickets.labels import CATEGORY_LABELS

#: How long a message may be.
MESSAGE_MAX = 20_000


class TicketForm(Form):
    """A new question to the service desk."""

    member_state = SelectField(_l("Country"), validators=[Optional()])
    category = SelectField(_l("Topic"), choices=list(CATEGORY_LABELS.items()), validators=[DataRequired()])
    subject = StringField(_l("Subject"), validators=[DataRequired(_l("Write a subject.")), Length(max=200)])
    body = TextAreaField(_l("Your question"), validators=[DataRequired(_l("Write your question.")),
                                                         Length(max=MESSAGE_MAX)])
    #: The description (accepted types and size) is set by the view, which knows the limit.
    attachments = MultipleFileField(_l("Attachments (optional)"))


class ReplyForm(Form):
    """A reply in the thread (or, for the secretariat, an internal note)."""

    body = TextAreaField(_l("Message"), validators=[DataRequired(_l("Write a message.")), Length(max=MESSAGE_MAX)])
    attachments = MultipleFileField(_l("Attachments (optional)"))
    internal = BooleanField(_l("Internal note: the country never sees it"))
    then = SelectField(_l("Then"), choices=[("open", _l("Keep it open")), ("waiting", _l("Wait for the country")),
                                            ("resolved", _l("Mark as resolved"))], default="open")


class StatusForm(Form):
    """A new status."""

    status = SelectField(_l("Status"), validators=[DataRequired()])
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class AssignForm(Form):
    """Who handles the ticket."""

    assignee = SelectField(_l("Assigned to"), validators=[Optional()])


class MergeForm(Form):
    """The ticket this one duplicates."""

    into = IntegerField(_l("Number of the ticket to keep"), validators=[DataRequired(_l("Give a ticket number."))])


class LinkForm(Form):
    """The asset or event the ticket is about."""

    asset = SelectField(_l("Asset"), validators=[Optional()])
    event = SelectField(_l("Event"), validators=[Optional()])


class SavedReplyForm(Form):
    """A reply the secretariat reuses."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    language = SelectField(_l("Language"), validators=[DataRequired()])
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=MESSAGE_MAX)])
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
