"""WTForms' own messages, listed so that `flask translate update` extracts them into the tracker's catalogues.

WTForms ships catalogues for a few of the 24 official languages only; `tracker.core.forms.Form` looks these
messages up in the tracker's catalogues instead, so a validation error reads the same in all 24.
"""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, do not translate yet"
    """Mark a message for extraction."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802
    """Mark a message with a plural for extraction (keyword `N_plural:1,2`)."""
    return singular, plural


#: The messages of the validators and fields the tracker's forms use.
MESSAGES = (
    N_("This field is required."),
    N_("Invalid input."),
    N_("Invalid email address."),
    N_("Invalid URL."),
    N_("Field must be equal to %(other_name)s."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
    N_("Not a valid choice."),
    N_("Invalid Choice: could not coerce."),
    N_("Invalid choice(s): one or more data inputs could not be coerced."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Not a valid float value."),
    N_("Not a valid date value."),
    N_("Not a valid datetime value."),
    N_("Not a valid time value."),
)
PLURAL_MESSAGES = (
    N_plural("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long."),
    N_plural("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters."),
    N_plural("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long."),
    N_plural("'%(value)s' is not a valid choice for this field.", "'%(value)s' are not valid choices for this field."),
)
