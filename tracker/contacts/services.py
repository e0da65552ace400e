"""People and their roles (flush, never commit)."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from tracker.audit.services import record_change
from tracker.contacts.models import Organisation, Person, PersonRole
from tracker.core.models import check_version
from tracker.extensions import db

PERSON_FIELDS = ("given_name", "family_name", "email", "phone", "member_state_id", "organisation_id", "preferred_language")


class DuplicateEmail(ValueError):
    """Another person already has this email."""


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {key: values[key] for key in PERSON_FIELDS if key in values}
    for key, value in cleaned.items():
        if isinstance(value, str):
            cleaned[key] = value.strip()
    if "email" in cleaned:
        cleaned["email"] = cleaned["email"].lower()
    return cleaned


def _check_email_free(email: str, person_id: int | None) -> None:
    clash = db.session.scalar(sa.select(Person.id).where(Person.email == email, Person.id != (person_id or 0)))
    if clash is not None:
        raise DuplicateEmail(email)


def create_person(values: dict[str, Any], *, by: Any, how: str = "web") -> Person:
    """Add a person; raises DuplicateEmail if the address is taken."""
    cleaned = _clean(values)
    _check_email_free(cleaned["email"], None)
    person = Person(**cleaned)
    db.session.add(person)
    record_change(person, by=by, action="create", how=how)
    return person


def update_person(person: Person, values: dict[str, Any], *, loaded_version: int | None, by: Any, how: str = "web") -> None:
    """Change a person's details; refuses a stale form and a taken email."""
    check_version(person, loaded_version)
    cleaned = _clean(values)
    if "email" in cleaned:
        _check_email_free(cleaned["email"], person.id)
    for key, value in cleaned.items():
        setattr(person, key, value)
    record_change(person, by=by, how=how)


def add_role(person: Person, *, kind: str, member_state_id: int, campaign_id: int | None,
             since_on: date, until_on: date | None, by: Any) -> PersonRole:
    """Give a person a role for a member state from `since_on`."""
    if until_on is not None and until_on < since_on:
        raise ValueError("until_before_since")
    role = PersonRole(person=person, kind=kind, member_state_id=member_state_id, campaign_id=campaign_id,
                      since_on=since_on, until_on=until_on)
    db.session.add(role)
    record_change(role, by=by, action="create")
    return role


def end_role(role: PersonRole, *, until_on: date, by: Any) -> None:
    """Mark a role as ended on `until_on`."""
    role.until_on = max(until_on, role.since_on)
    record_change(role, by=by)


def organisations_for(member_state_id: int | None) -> list[Organisation]:
    """Organisations of a member state (and the ones without a country)."""
    query = sa.select(Organisation).order_by(Organisation.name)
    if member_state_id is not None:
        query = query.where(sa.or_(Organisation.member_state_id == member_state_id,
                                   Organisation.member_state_id.is_(None)))
    return list(db.session.scalars(query))


def search_people(*, member_state_id: int | None = None, text: str = "", limit: int = 500) -> list[Person]:
    """People filtered by country and by a piece of name or email."""
    query = sa.select(Person).order_by(Person.family_name, Person.given_name).limit(limit)
    if member_state_id is not None:
        query = query.where(Person.member_state_id == member_state_id)
    if text:
        escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        query = query.where(sa.or_(
            sa.func.lower(Person.given_name).like(pattern, escape="\\"),
            sa.func.lower(Person.family_name).like(pattern, escape="\\"),
            Person.email.like(pattern, escape="\\"),
        ))
    return list(db.session.scalars(query))
