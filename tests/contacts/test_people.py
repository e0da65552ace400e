"""People: creating, duplicate emails, concurrent edits, validation, roles, visibility, audit, search."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import client_as as _client_as
from tests.html_forms import form_values
from tracker.audit.models import AuditEntry
from tracker.contacts.models import Person, PersonRole
from tracker.contacts.services import add_role, search_people
from tracker.countries.models import MemberState
from tracker.extensions import db


def _state(code: str) -> MemberState:
    return db.session.scalar(sa.select(MemberState).where(MemberState.code == code))


def _person(email: str) -> Person | None:
    return db.session.scalar(sa.select(Person).where(Person.email == email))


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _new_person_data(**changes) -> dict[str, str]:
    data = {
        "given_name": "Kadri", "family_name": "Lepp", "email": "Kadri.Lepp@ee.demo.test",
        "phone": "+372 600 0000", "member_state_id": str(_state("EE").id), "organisation_id": "",
        "preferred_language": "et",
    }
    data.update(changes)
    return data


MARIA = "maria.tamm@ee.demo.test"  # a demo person of Estonia


# -- creating ---------------------------------------------------------------------------

def test_create_person(client, login_as):
    user = login_as("secretariat")
    assert client.get("/people/new").status_code == 200
    people = _count(Person)
    response = client.post("/people/new", data=_new_person_data())
    assert response.status_code == 302

    person = _person("kadri.lepp@ee.demo.test")  # stored lower case
    assert person is not None and _count(Person) == people + 1
    assert response.headers["Location"] == f"/people/{person.id}"
    assert (person.given_name, person.family_name, person.phone) == ("Kadri", "Lepp", "+372 600 0000")
    assert person.member_state.code == "EE" and person.preferred_language == "et"
    assert person.organisation_id is None and person.version == 1

    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.entity_type == "people", AuditEntry.entity_id == person.id)
    )
    assert entry.action == "create" and entry.how == "web" and entry.actor_id == user.id
    assert entry.member_state_id == person.member_state_id
    assert entry.changes["email"] == [None, "kadri.lepp@ee.demo.test"]


def test_duplicate_email_in_other_case_is_a_form_error(client, login_as):
    login_as("secretariat")
    people = _count(Person)
    audit = _count(AuditEntry)
    response = client.post("/people/new", data=_new_person_data(email=MARIA.upper()))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Another person already has this email." in html
    assert 'id="email-error"' in html
    assert form_values(html)["given_name"] == "Kadri"  # the input is kept
    assert _count(Person) == people and _count(AuditEntry) == audit


def test_duplicate_email_is_refused_on_edit_too(client, login_as):
    login_as("secretariat")
    andres = _person("andres.saar@ee.demo.test")
    data = form_values(client.get(f"/people/{andres.id}/edit").get_data(as_text=True))
    data["email"] = MARIA.upper()
    response = client.post(f"/people/{andres.id}/edit", data=data)
    assert response.status_code == 422
    assert "Another person already has this email." in response.get_data(as_text=True)
    db.session.expire_all()
    assert _person("andres.saar@ee.demo.test") is not None


@pytest.mark.parametrize("field", ["given_name", "family_name", "email", "preferred_language"])
def test_required_fields(client, login_as, field):
    login_as("secretariat")
    people = _count(Person)
    response = client.post("/people/new", data=_new_person_data(**{field: ""}))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert _count(Person) == people


@pytest.mark.parametrize("phone", ["abc", "12", "+372 600 0000 ext. 5", "<script>"])
def test_invalid_phone_is_a_field_error(client, login_as, phone):
    login_as("secretariat")
    people = _count(Person)
    response = client.post("/people/new", data=_new_person_data(phone=phone))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(r'<div class="ecl-feedback-message" id="phone-error">([^<]*)</div>', html)
    assert error and "Use digits, spaces and an optional leading +." in error.group(1)
    assert 'id="email-error"' not in html
    assert _count(Person) == people


@pytest.mark.parametrize("phone", ["+32 2 299 11 11", "(0)2/299.11.11", ""])
def test_valid_phones_are_accepted(client, login_as, phone):
    login_as("secretariat")
    assert client.post("/people/new", data=_new_person_data(phone=phone)).status_code == 302
    assert _person("kadri.lepp@ee.demo.test").phone == phone


# -- editing ----------------------------------------------------------------------------

def test_edit_with_a_stale_version_is_refused_and_keeps_data(app, client, login_as):
    login_as("secretariat")
    other = _client_as(app, "secretariat@demo.test")
    maria = _person(MARIA)
    first = form_values(client.get(f"/people/{maria.id}/edit").get_data(as_text=True))
    second = form_values(other.get(f"/people/{maria.id}/edit").get_data(as_text=True))
    assert first["version"] == second["version"] == str(maria.version)

    first["phone"] = "+372 611 1111"
    assert client.post(f"/people/{maria.id}/edit", data=first).status_code == 302

    second["family_name"] = "Tamm-Second"
    second["phone"] = "+372 622 2222"
    response = other.post(f"/people/{maria.id}/edit", data=second)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this record" in html
    shown = form_values(html)
    assert shown["family_name"] == "Tamm-Second" and shown["phone"] == "+372 622 2222"
    assert "+372 611 1111" in html  # what was saved meanwhile is shown

    db.session.expire_all()
    maria = _person(MARIA)
    assert maria.phone == "+372 611 1111" and maria.family_name == "Tamm"
    assert maria.version == int(first["version"]) + 1


def test_after_a_conflict_the_person_form_as_shown_can_be_saved(app, client, login_as):
    login_as("secretariat")
    other = _client_as(app, "secretariat@demo.test")
    maria = _person(MARIA)
    first = form_values(client.get(f"/people/{maria.id}/edit").get_data(as_text=True))
    second = form_values(other.get(f"/people/{maria.id}/edit").get_data(as_text=True))
    first["phone"] = "+372 611 1111"
    assert client.post(f"/people/{maria.id}/edit", data=first).status_code == 302
    second["phone"] = "+372 622 2222"
    conflict = other.post(f"/people/{maria.id}/edit", data=second)
    assert conflict.status_code == 409

    again = form_values(conflict.get_data(as_text=True))
    db.session.expire_all()
    assert again["version"] == str(_person(MARIA).version), "the 409 page must carry the stored version"
    assert other.post(f"/people/{maria.id}/edit", data=again).status_code == 302


def test_edit_saves_and_audits_the_change(client, login_as):
    login_as("secretariat")
    maria = _person(MARIA)
    data = form_values(client.get(f"/people/{maria.id}/edit").get_data(as_text=True))
    data["phone"] = "+372 633 3333"
    assert client.post(f"/people/{maria.id}/edit", data=data).status_code == 302
    entry = db.session.scalar(
        sa.select(AuditEntry)
        .where(AuditEntry.entity_type == "people", AuditEntry.entity_id == maria.id)
        .order_by(AuditEntry.id.desc())
    )
    assert entry.action == "update" and entry.how == "web"
    assert entry.changes == {"phone": ["+000 106 1000", "+372 633 3333"]}


# -- roles -------------------------------------------------------------------------------

def test_role_ending_before_it_starts_is_a_form_error(client, login_as):
    login_as("secretariat")
    maria = _person(MARIA)
    roles = _count(PersonRole)
    response = client.post(
        f"/people/{maria.id}/roles",
        data={"kind": "ministry_official", "since_on": "2025-10-01", "until_on": "2025-09-30"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The end date is before the start date." in html and 'id="until_on-error"' in html
    assert _count(PersonRole) == roles


def test_role_is_added(client, login_as):
    login_as("secretariat")
    maria = _person(MARIA)
    roles = _count(PersonRole)
    response = client.post(
        f"/people/{maria.id}/roles",
        data={"kind": "ministry_official", "since_on": "2025-10-01", "until_on": "2025-10-01"},
    )
    assert response.status_code == 302
    assert _count(PersonRole) == roles + 1
    role = db.session.scalar(sa.select(PersonRole).order_by(PersonRole.id.desc()))
    assert (role.person_id, role.kind, role.member_state_id) == (maria.id, "ministry_official", maria.member_state_id)
    assert role.campaign.code == "twinit-2"


def test_add_role_service_refuses_an_end_before_the_start(app):
    maria = _person(MARIA)
    with pytest.raises(ValueError, match="until_before_since"):
        add_role(maria, kind="contact_point", member_state_id=maria.member_state_id, campaign_id=None,
                 since_on=date(2025, 10, 1), until_on=date(2025, 9, 1), by=None)


# -- visibility and audit ----------------------------------------------------------------

@pytest.mark.parametrize(("who", "status"), [("cp_own", 200), ("cp_other", 404), ("viewer", 200), ("secretariat", 200)])
def test_estonian_person_page_visibility(client, login_as, who, status):
    maria = _person(MARIA)
    login_as(who)
    response = client.get(f"/people/{maria.id}")
    assert response.status_code == status
    if status == 200:
        assert "Maria Tamm" in response.get_data(as_text=True)
    else:
        assert "Maria Tamm" not in response.get_data(as_text=True)


def test_audit_log_of_a_person_lists_the_creation(client, login_as):
    login_as("secretariat")
    client.post("/people/new", data=_new_person_data())
    person = _person("kadri.lepp@ee.demo.test")

    log = client.get(f"/audit?entity=people&id={person.id}").get_data(as_text=True)
    assert f"Person #{person.id}: created" in log
    assert "kadri.lepp@ee.demo.test" in log and "secretariat@demo.test" in log
    history = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert f"Person #{person.id}: created" in history

    login_as("viewer")
    assert f"Person #{person.id}: created" in client.get(f"/audit?entity=people&id={person.id}").get_data(as_text=True)


# -- search ------------------------------------------------------------------------------

def test_search_people_by_country(app):
    estonia = _state("EE")
    found = search_people(member_state_id=estonia.id)
    assert sorted(p.full_name for p in found) == ["Andres Saar", "Liis Kask", "Maria Tamm"]


def test_search_people_by_text_in_names_and_emails(app):
    assert {p.full_name for p in search_people(text="martin")} == {"Camille Martin", "Duarte Martins"}
    assert {p.full_name for p in search_people(text="MARTIN")} == {"Camille Martin", "Duarte Martins"}
    assert [p.full_name for p in search_people(text="martin", member_state_id=_state("FR").id)] == ["Camille Martin"]
    assert search_people(text="martin", member_state_id=_state("EE").id) == []
    assert [p.full_name for p in search_people(text="liis.kask@")] == ["Liis Kask"]


@pytest.mark.parametrize(("text", "name"), [("Élodie", "Élodie Moreau"), ("élodie", "Élodie Moreau"),
                                            ("Ελένη", "Ελένη Παπαδοπούλου"), ("špela", "Špela Horvat")])
def test_search_people_ignores_case_beyond_ascii(app, text, name):
    """Names in the demo start with É, Ε, Š ...: searching them as written must find them."""
    assert name in [p.full_name for p in search_people(text=text)]


def test_people_page_filters(client, login_as):
    login_as("viewer")
    html = client.get("/people?country=ee&q=tamm").get_data(as_text=True)
    assert "Tamm, Maria" in html and "Saar, Andres" not in html and "Martin, Camille" not in html
    html = client.get("/people?country=FR").get_data(as_text=True)
    assert "Martin, Camille" in html and "Tamm, Maria" not in html


def test_tampered_foreign_keys_are_form_errors_not_500(client, login_as):
    login_as("secretariat")
    response = client.post("/people/new", data={
        "given_name": "Tamper", "family_name": "Proof", "email": "tamper.proof@ee.demo.test",
        "member_state_id": "999999", "organisation_id": "888888", "preferred_language": "et",
    })
    assert response.status_code == 422
    assert response.get_data(as_text=True).count("Not a valid choice") == 2
