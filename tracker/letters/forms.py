"""Making a letter or a batch, and editing a letter's wording."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import HiddenInput

from tracker.core.forms import Form
from tracker.letters.labels import KIND_LABELS, SELECTION_LABELS
from tracker.letters.services import unknown_placeholders


class LetterForm(Form):
    """Which letter, to which countries, in which language."""

    kind = SelectField(_l("Letter"), choices=list(KIND_LABELS.items()), validators=[DataRequired()])
    selection = SelectField(_l("To"), choices=list(SELECTION_LABELS.items()), default="pick",
                            validators=[DataRequired()])
    #: Used when `selection` is "pick"; choices set by the view (codes of the 27).
    countries = SelectMultipleField(_l("Countries"), validators=[Optional()])
    #: "" means each country's correspondence language; choices set by the view.
    language = SelectField(_l("Language"), default="", validators=[Optional()])

    def validate_countries(self, field: SelectMultipleField) -> None:
        """Chosen countries need at least one."""
        if self.selection.data == "pick" and not field.data:
            raise ValidationError(_l("Choose at least one country, or another group."))


class LetterTextForm(Form):
    """The secretariat's wording of one letter in one language."""

    kind: str = "invitation"

    subject = StringField(_l("Subject"), validators=[DataRequired(_l("Write a subject.")), Length(max=300)])
    body = TextAreaField(_l("Body"), validators=[DataRequired(_l("Write the letter.")), Length(max=20_000)])
    closing = StringField(_l("Closing"), validators=[DataRequired(_l("Write a closing.")), Length(max=200)])
    signature = TextAreaField(_l("Signature block"), validators=[DataRequired(_l("Write a signature block.")),
                                                                 Length(max=1000)])
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def _check_placeholders(self, field: StringField) -> None:
        unknown = unknown_placeholders(self.kind, field.data or "")
        if unknown:
            raise ValidationError(_l("This letter cannot fill %(names)s. Use only the placeholders listed.",
                                     names=", ".join(f"{{{name}}}" for name in unknown)))

    def validate_subject(self, field: StringField) -> None:
        """Only placeholders the letter can fill."""
        self._check_placeholders(field)

    def validate_body(self, field: TextAreaField) -> None:
        """Only placeholders the letter can fill."""
        self._check_placeholders(field)
