"""Form plumbing shared by the domains: telling the second writer of a record."""

from __future__ import annotations

from flask_babel import get_translations
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError

from tracker.core.models import ConcurrentEditError
from tracker.extensions import db

#: What a save raises when someone else saved the record first (form version or UPDATE check).
EDIT_CONFLICTS = (ConcurrentEditError, StaleDataError)


def report_edit_conflict(form, record) -> None:
    """Undo the save, reload `record`, and tell the second writer; what they typed stays in `form`."""
    db.session.rollback()
    db.session.refresh(record)
    form.version.data = record.version
    form.version.raw_data = [str(record.version)]  # WTForms renders raw_data before .data
    form.form_errors.append(_(
        "Someone else saved this record while you were editing it. Your changes are still in the "
        "form below and were not saved; the values saved meanwhile are shown beside it. Check them "
        "and save again."
    ))


class CatalogueTranslations:
    """WTForms' own messages ("This field is required.") looked up in the tracker's catalogues."""

    def gettext(self, string: str) -> str:
        """The message in the request's language."""
        return get_translations().gettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """The message with a count in the request's language (WTForms fills the placeholders itself)."""
        return get_translations().ngettext(singular, plural, n)


_TRANSLATIONS = CatalogueTranslations()


class Form(FlaskForm):
    """The base of every form: Flask-WTF's CSRF, with WTForms' messages from the tracker's 24 catalogues."""

    class Meta:
        def get_translations(self, form):  # noqa: ANN001, ANN201 - WTForms' hook
            """The tracker's catalogues instead of WTForms' own (which lack half the EU languages)."""
            return _TRANSLATIONS


class ActionForm(Form):
    """A button that acts on one record (the CSRF token is its only field)."""
