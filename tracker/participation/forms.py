"""Status and asset forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import HiddenInput

from tracker.core.forms import Form
from tracker.participation.labels import PRIORITY_LABELS, REUSE_LABELS
from tracker.participation.models import RIGHTS_STATEMENTS


class StatusForm(Form):
    """Move the country along the workflow (or pause it, or record that it leaves)."""

    status = SelectField(_l("New status"), validators=[DataRequired()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)],
                           description=_l("Required to pause, to leave, or to correct a status."))
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


def _url(label):
    return StringField(label, validators=[Optional(), Length(max=500), URL(message=_l("Give a full web address (https://...)."))])


class AssetForm(Form):
    """An asset's description, reuse intent and paradata."""

    title = StringField(_l("Title in the original language"), validators=[DataRequired(), Length(max=300)])
    title_language = SelectField(_l("Language of the title"))
    title_en = StringField(_l("Title in English"), validators=[Optional(), Length(max=300)])
    institution = StringField(_l("Holding institution"), validators=[Optional(), Length(max=300)])
    priority_category = SelectField(_l("Priority category"),
                                    choices=[("", "—")] + list(PRIORITY_LABELS.items()), validators=[Optional()])
    reuse_intents = SelectMultipleField(_l("Intended reuse"), choices=list(REUSE_LABELS.items()), validators=[Optional()],
                                        description=_l("Hold Ctrl (or Cmd) to choose more than one."))
    reuse_description = TextAreaField(_l("The reuse intended, in a few sentences"), validators=[Optional(), Length(max=4000)])
    model_url = _url(_l("Link to the 3D model"))
    viewer_url = _url(_l("Link to an embeddable viewer"))
    europeana_url = _url(_l("Link to the Europeana record (once published)"))
    rights_statement = SelectField(_l("Rights statement"), choices=[("", "—")] + [(k, k) for k in RIGHTS_STATEMENTS],
                                   validators=[Optional()])
    paradata_technique = StringField(_l("Technique"), validators=[Optional(), Length(max=200)],
                                     description=_l("For example: photogrammetry, laser scanning."))
    paradata_equipment = StringField(_l("Equipment"), validators=[Optional(), Length(max=200)])
    paradata_on = DateField(_l("Date of digitisation"), validators=[Optional()])
    paradata_resolution = StringField(_l("Resolution"), validators=[Optional(), Length(max=100)])
    file_formats = StringField(_l("File formats"), validators=[Optional(), Length(max=200)],
                               description=_l("For example: model/gltf-binary, model/obj."))
    file_size_mb = DecimalField(_l("Size (MB)"), places=1, validators=[Optional(), NumberRange(min=0, max=10_000_000)])
    metadata_languages = SelectMultipleField(_l("Languages of the metadata"), validators=[Optional()])
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])

    def validate_reuse_description(self, field) -> None:
        """"Other" needs words."""
        if "other" in (self.reuse_intents.data or []) and not (field.data or "").strip():
            raise ValidationError(_l("Describe the other reuse."))
