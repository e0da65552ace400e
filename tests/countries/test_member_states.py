"""Member states: reference data, deadlines and extensions, editing and concurrent edits."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests.conftest import client_as as _client_as
from tests.html_forms import form_values
from tracker.accounts.models import User
from tracker.audit.models import AuditEntry
from tracker.countries.models import Campaign, MemberState, Milestone
from tracker.countries.services import grant_extension, list_member_states
from tracker.extensions import db

#: EU protocol order, written out here rather than read from the reference module.
PROTOCOL_ORDER = (
    "BE", "BG", "CZ", "DK", "DE", "EE", "IE", "EL", "ES", "FR", "HR", "IT", "CY", "LV",
    "LT", "LU", "HU", "MT", "NL", "AT", "PL", "PT", "RO", "SI", "SK", "FI", "SE",
)  # fmt: skip


def _state(code: str) -> MemberState:
    return db.session.scalar(sa.select(MemberState).where(MemberState.code == code))


def _milestone(campaign_code: str, code: str) -> Milestone:
    return db.session.scalar(
        sa.select(Milestone).join(Campaign).where(Campaign.code == campaign_code, Milestone.code == code)
    )




# -- reference data ----------------------------------------------------------------------

def test_the_27_member_states_in_protocol_order_with_el_for_greece(app):
    states = list_member_states()
    assert [state.code for state in states] == list(PROTOCOL_ORDER)
    assert [state.protocol_order for state in states] == list(range(1, 28))
    greece = _state("EL")
    assert greece is not None and greece.name == "Greece" and greece.languages == "el"
    assert _state("GR") is None


def test_greece_page_is_reached_with_el(client, login_as):
    login_as("secretariat")
    assert client.get("/countries/EL").status_code == 200
    assert client.get("/countries/GR").status_code == 404


# -- deadlines and extensions --------------------------------------------------------------

def test_contact_points_milestone_is_due_at_17_brussels_summer_time(app):
    milestone = _milestone("twinit-2", "contact_points_confirmed")
    assert milestone.due_at == datetime(2025, 9, 15, 15, 0, tzinfo=UTC)
    assert milestone.due_at.tzinfo is not None


def test_country_page_shows_the_deadline_with_its_zone(client, login_as):
    login_as("cp_own")
    html = client.get("/countries/EE").get_data(as_text=True)
    assert re.search(
        r"Contact points confirmed</strong>: 15 Sept 2025, 17:00 CEST", html
    ), "the deadline must be shown as 17:00 Brussels time with the zone"


def test_extension_moves_the_deadline_for_one_state_only(app):
    milestone = _milestone("twinit-2", "contact_points_confirmed")
    estonia, france = _state("EE"), _state("FR")
    original = milestone.due_at
    later = original + timedelta(days=14)
    secretariat = db.session.scalar(sa.select(User).where(User.email == "secretariat@demo.test"))

    grant_extension(milestone, estonia, due_at=later, reason="new minister", by=secretariat)
    db.session.flush()
    db.session.expire_all()
    milestone = _milestone("twinit-2", "contact_points_confirmed")

    assert milestone.due_for(estonia) == later
    assert milestone.due_for(france) == original
    assert milestone.due_at == original
    day_after = original + timedelta(days=1)
    assert milestone.is_overdue(day_after, estonia) is False
    assert milestone.is_overdue(day_after, france) is True
    assert milestone.is_overdue(later + timedelta(seconds=1), estonia) is True
    assert milestone.is_overdue(original - timedelta(seconds=1), france) is False

    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.entity_type == "milestone_extensions").order_by(AuditEntry.id.desc())
    )
    assert entry.action == "create" and entry.member_state_id == estonia.id


def test_granting_again_changes_the_extension(app):
    milestone = _milestone("twinit-2", "contact_points_confirmed")
    estonia = _state("EE")
    first = grant_extension(milestone, estonia, due_at=milestone.due_at + timedelta(days=3), reason="a", by=None)
    second = grant_extension(milestone, estonia, due_at=milestone.due_at + timedelta(days=7), reason="b", by=None)
    db.session.flush()
    assert first is second and len(milestone.extensions) == 1
    assert milestone.due_for(estonia) == milestone.due_at + timedelta(days=7)


def test_country_pages_follow_the_extension_over_time(client, login_as):
    milestone = _milestone("twinit-2", "contact_points_confirmed")
    grant_extension(milestone, _state("EE"), due_at=milestone.due_at + timedelta(days=14), reason="", by=None)
    db.session.flush()

    def line(code: str) -> str:
        login_as("secretariat")  # inside the travel: a session cookie signed "in the future" is refused
        html = client.get(f"/countries/{code}").get_data(as_text=True)
        return re.search(r"<li><strong>Contact points confirmed</strong>.*?</li>", html).group(0)

    with time_machine.travel(datetime(2025, 9, 16, 12, 0, tzinfo=UTC), tick=False):
        estonia, france = line("EE"), line("FR")
    assert "29 Sept 2025" in estonia and "extended" in estonia and "passed" not in estonia
    assert "15 Sept 2025" in france and "passed" in france and "extended" not in france
    with time_machine.travel(datetime(2025, 9, 14, 12, 0, tzinfo=UTC), tick=False):
        assert "passed" not in line("FR")
    with time_machine.travel(datetime(2025, 9, 30, 12, 0, tzinfo=UTC), tick=False):
        assert "passed" in line("EE")


# -- editing ------------------------------------------------------------------------------

def test_secretariat_edits_a_member_state_and_the_change_is_audited(client, login_as):
    user = login_as("secretariat")
    estonia = _state("EE")
    before = estonia.ministry_name
    page = client.get("/countries/EE/edit")
    assert page.status_code == 200
    data = form_values(page.get_data(as_text=True))
    assert data["ministry_name"] == before and data["version"] == str(estonia.version)

    data["ministry_name"] = "Ministry of Culture of Estonia"
    response = client.post("/countries/EE/edit", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/countries/EE"

    db.session.expire_all()
    assert _state("EE").ministry_name == "Ministry of Culture of Estonia"
    entry = db.session.scalar(
        sa.select(AuditEntry)
        .where(AuditEntry.entity_type == "member_states", AuditEntry.entity_id == estonia.id)
        .order_by(AuditEntry.id.desc())
    )
    assert entry.action == "update" and entry.how == "web"
    assert entry.actor_id == user.id and entry.actor_label == "secretariat@demo.test"
    assert entry.member_state_id == estonia.id
    assert entry.changes == {"ministry_name": [before, "Ministry of Culture of Estonia"]}
    assert "Ministry of Culture of Estonia" in client.get("/countries/EE").get_data(as_text=True)


def test_saving_unchanged_details_writes_no_audit_entry(client, login_as):
    login_as("secretariat")
    count = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))
    data = form_values(client.get("/countries/EE/edit").get_data(as_text=True))
    assert client.post("/countries/EE/edit", data=data).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == count


def test_concurrent_edit_is_refused_and_keeps_the_second_writers_input(app, client, login_as):
    login_as("secretariat")
    other = _client_as(app, "secretariat@demo.test")
    first_form = form_values(client.get("/countries/EE/edit").get_data(as_text=True))
    second_form = form_values(other.get("/countries/EE/edit").get_data(as_text=True))
    assert first_form["version"] == second_form["version"]
    loaded_version = second_form["version"]

    first_form["ministry_name"] = "Ministry of Culture (first writer)"
    assert client.post("/countries/EE/edit", data=first_form).status_code == 302

    second_form["ministry_name"] = "Ministry of Culture (second writer)"
    second_form["permrep_address"] = "Rue du Second 2, 1040 Brussels"
    response = other.post("/countries/EE/edit", data=second_form)
    html = response.get_data(as_text=True)

    assert response.status_code == 409
    assert "Someone else saved this record" in html
    shown = form_values(html)
    assert shown["ministry_name"] == "Ministry of Culture (second writer)"
    assert shown["permrep_address"].strip() == "Rue du Second 2, 1040 Brussels"
    assert "Saved meanwhile" in html and "Ministry of Culture (first writer)" in html

    db.session.expire_all()
    estonia = _state("EE")
    assert estonia.ministry_name == "Ministry of Culture (first writer)"
    assert estonia.permrep_address == "Rue Guimard 11/13, 1040 Brussels, Belgium"
    assert estonia.version == int(loaded_version) + 1


def test_after_a_conflict_the_form_as_shown_can_be_saved(app, client, login_as):
    """The 409 page tells the user to "check and save again": that save must go through."""
    login_as("secretariat")
    other = _client_as(app, "secretariat@demo.test")
    first_form = form_values(client.get("/countries/EE/edit").get_data(as_text=True))
    second_form = form_values(other.get("/countries/EE/edit").get_data(as_text=True))
    first_form["ministry_name"] = "Ministry of Culture (first writer)"
    assert client.post("/countries/EE/edit", data=first_form).status_code == 302
    second_form["ministry_name"] = "Ministry of Culture (second writer)"
    conflict = other.post("/countries/EE/edit", data=second_form)
    assert conflict.status_code == 409

    db.session.expire_all()
    current_version = _state("EE").version
    again = form_values(conflict.get_data(as_text=True))
    assert again["version"] == str(current_version), (
        "the 409 page must carry the version now stored, else saving again conflicts forever"
    )
    assert other.post("/countries/EE/edit", data=again).status_code == 302
    db.session.expire_all()
    assert _state("EE").ministry_name == "Ministry of Culture (second writer)"


def test_invalid_correspondence_language_is_a_form_error(client, login_as):
    login_as("secretariat")
    data = form_values(client.get("/countries/EE/edit").get_data(as_text=True))
    for language in ("fr", "xx"):  # French is not an official language of Estonia
        data["correspondence_language"] = language
        response = client.post("/countries/EE/edit", data=data)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Not a valid choice" in html and 'id="correspondence_language-error"' in html
    db.session.expire_all()
    assert _state("EE").correspondence_language == "et"


def test_english_is_always_a_valid_correspondence_language(client, login_as):
    login_as("secretariat")
    data = form_values(client.get("/countries/EE/edit").get_data(as_text=True))
    data["correspondence_language"] = "en"
    assert client.post("/countries/EE/edit", data=data).status_code == 302
    db.session.expire_all()
    assert _state("EE").correspondence_language == "en"


def test_invalid_mailbox_is_a_form_error(client, login_as):
    login_as("secretariat")
    data = form_values(client.get("/countries/EE/edit").get_data(as_text=True))
    data["permrep_mailbox"] = "not an address"
    response = client.post("/countries/EE/edit", data=data)
    assert response.status_code == 200 and 'id="permrep_mailbox-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert _state("EE").permrep_mailbox == "permrep.ee@demo.test"


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("cp_own", 403), ("cp_other", 404), (None, 302)])
def test_only_the_secretariat_may_edit(client, login_as, who, status):
    login_as("secretariat")
    data = form_values(client.get("/countries/EE/edit").get_data(as_text=True))
    data["ministry_name"] = "Hijacked ministry"
    count = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)))

    login_as(who)
    response = client.post("/countries/EE/edit", data=data)
    assert response.status_code == status
    if who is None:
        assert "/login" in response.headers["Location"]
    db.session.expire_all()
    assert _state("EE").ministry_name == "Ministry of Culture"
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == count
