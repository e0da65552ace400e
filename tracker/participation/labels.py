"""Names of statuses, priority categories, reuse intents and readiness codes, in the interface language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "invited": _l("Invited"),
    "contact_points_confirmed": _l("Contact points confirmed"),
    "participation_pack_sent": _l("Participation pack sent"),
    "introductory_meeting_attended": _l("Introductory meeting attended"),
    "asset_selected": _l("Asset selected"),
    "submission_in_progress": _l("Submission in progress"),
    "submitted": _l("Submitted"),
    "published": _l("Published on Europeana"),
    "not_participating": _l("Not participating"),
    "paused": _l("Paused"),
}
PRIORITY_LABELS = {
    "at_risk": _l("At risk"),
    "most_visited": _l("Among the most physically visited"),
    "low_digitisation": _l("Category with a low level of digitisation"),
}
REUSE_LABELS = {
    "education": _l("Education"),
    "tourism": _l("Tourism"),
    "research": _l("Research"),
    "conservation": _l("Conservation"),
    "creative_industries": _l("Creative industries"),
    "xr": _l("Extended reality (XR)"),
    "other": _l("Other"),
}
READINESS_LABELS = {
    "model_url": _l("a working link to the 3D model"),
    "viewer_url": _l("an embeddable or streamable viewer"),
    "file_formats": _l("the file formats (technical metadata)"),
    "reuse_rights": _l("a rights statement that allows reuse"),
    "open_rights": _l("an open rights statement (CC BY, CC BY-SA, CC0 or PDM)"),
    "no_paradata": _l("No paradata: say how the model was made."),
    "no_reuse_intent": _l("No reuse intent yet."),
    "title": _l("title"),
    "title_en": _l("title in English"),
    "institution": _l("holding institution"),
    "priority_category": _l("priority category"),
    "reuse_intents": _l("intended reuse"),
    "rights_statement": _l("rights statement"),
    "reuse_description": _l("a description of the other reuse"),
}
REFUSAL_LABELS = {
    "not_next": _l("That status does not follow from the current one."),
    "reason_required": _l("Give a reason."),
    "asset_incomplete": _l("The asset description is not complete yet."),
    "no_asset": _l("Describe the asset first."),
    "not_published": _l("Give the link to the Europeana record first."),
    "same": _l("That is already the status."),
}
