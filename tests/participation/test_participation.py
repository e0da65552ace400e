"""Participation statuses (transitions, guards, facts that move them), assets and their EPF readiness,
and the fixed number of queries of the dashboard and the country page."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
import time_machine

from tracker.appointments import services as appointments
from tracker.appointments.models import Appointment
from tracker.audit.models import AuditEntry
from tracker.contacts.models import Person
from tracker.core.time import brussels, utcnow
from tracker.countries.models import Campaign, MemberState
from tracker.extensions import db
from tracker.participation import services
from tracker.participation.models import Asset, Participation
from tracker.reminders.services import plan_reminders

COMPLETE = {
    "title": "Puidust kirst", "title_language": "et", "title_en": "Wooden chest", "institution": "Demo Museum",
    "priority_category": "at_risk", "reuse_intents": ["education", "xr"], "model_url": "https://models.demo.test/1",
    "rights_statement": "CC BY",
}


def _state(code: str) -> MemberState:
    return db.session.scalar(sa.select(MemberState).where(MemberState.code == code))


def _part2() -> Campaign:
    return db.session.scalar(sa.select(Campaign).where(Campaign.code == "twinit-2"))


def _participation(code: str) -> Participation:
    return services.participation_of(_part2(), _state(code))


def _actions(participation: Participation) -> list[tuple[str, str]]:
    return [(e.action, e.note) for e in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.entity_type == "participations", AuditEntry.entity_id == participation.id)
        .order_by(AuditEntry.id))][-1:]


# -- the workflow ----------------------------------------------------------------------------------

def test_the_workflow_goes_one_stage_at_a_time(app):
    hungary = _participation("HU")
    assert services.next_statuses(hungary) == ["contact_points_confirmed", "paused", "not_participating"]
    with pytest.raises(services.TransitionRefused) as refused:
        services.change_status(hungary, "participation_pack_sent", by="test")
    assert refused.value.reason == "not_next"
    services.change_status(hungary, "contact_points_confirmed", by="test")
    assert hungary.status == "contact_points_confirmed" and _actions(hungary) == [("change_status", "")]


def test_pausing_needs_a_reason_and_resuming_returns_to_where_it_was(app):
    belgium = _participation("BE")
    with pytest.raises(services.TransitionRefused) as refused:
        services.change_status(belgium, "paused", by="test")
    assert refused.value.reason == "reason_required"
    services.change_status(belgium, "paused", by="test", reason="Elections")
    assert services.next_statuses(belgium) == ["introductory_meeting_attended", "not_participating"]
    services.change_status(belgium, "introductory_meeting_attended", by="test")
    assert (belgium.status, belgium.paused_from) == ("introductory_meeting_attended", None)


def test_guards_ask_for_the_facts(app):
    hungary = _participation("HU")
    hungary.status = "introductory_meeting_attended"
    with pytest.raises(services.TransitionRefused) as refused:
        services.change_status(hungary, "asset_selected", by="test")
    assert refused.value.reason == "no_asset"
    asset = services.add_asset(_part2(), _state("HU"), {"title": "Kas"}, by="test")
    assert hungary.status == "asset_selected"  # describing the asset moved it on by itself
    services.change_status(hungary, "submission_in_progress", by="test")
    with pytest.raises(services.TransitionRefused) as refused:
        services.change_status(hungary, "submitted", by="test")
    assert refused.value.reason == "asset_incomplete"
    services.update_asset(asset, COMPLETE, loaded_version=None, by="test")
    services.change_status(hungary, "submitted", by="test")
    with pytest.raises(services.TransitionRefused) as refused:
        services.change_status(hungary, "published", by="test")
    assert refused.value.reason == "not_published"
    services.update_asset(asset, {"europeana_url": "https://www.europeana.eu/item/1/demo"}, loaded_version=None, by="test")
    services.change_status(hungary, "published", by="test")
    assert hungary.stage == 8


def test_staff_correct_any_status_with_a_reason(app):
    czechia = _participation("CZ")
    with pytest.raises(services.TransitionRefused):
        services.correct_status(czechia, "invited", by="test", reason=" ")
    services.correct_status(czechia, "invited", by="test", reason="Entered by mistake")
    assert czechia.status == "invited" and _actions(czechia) == [("correct_status", "Entered by mistake")]


def test_a_confirmed_appointment_moves_the_status_and_a_paused_country_stays(app):
    hungary = _participation("HU")
    primary = db.session.scalar(sa.select(Appointment).where(
        Appointment.member_state_id == _state("HU").id, Appointment.campaign_id == _part2().id,
        Appointment.kind == "primary"))
    appointments.confirm_appointment(primary, by="test", how="email")
    assert hungary.status == "contact_points_confirmed" and _actions(hungary) == [("reach_status", "contact point confirmed")]

    malta = _participation("MT")
    assert not services.reach_status(_part2(), _state("MT"), "contact_points_confirmed", by="test", how="web",
                                     because="test")
    assert malta.status == "paused"
    france = _participation("FR")  # further on already: never moved back
    assert not services.reach_status(_part2(), _state("FR"), "contact_points_confirmed", by="test", how="web",
                                     because="test")
    assert france.status == "submission_in_progress"


def test_the_reminders_follow_the_status_by_the_same_rule(app):
    with time_machine.travel(brussels(date(2025, 9, 10), __import__("datetime").time(8, 0)), tick=False):
        before = {i.member_state.code for i in plan_reminders(utcnow()) if i.milestone.code == "contact_points_confirmed"}
        services.change_status(_participation("PL"), "contact_points_confirmed", by="test")
        after = {i.member_state.code for i in plan_reminders(utcnow()) if i.milestone.code == "contact_points_confirmed"}
    assert "PL" in before and before - after == {"PL"}


# -- assets and EPF readiness ------------------------------------------------------------------------

@pytest.mark.parametrize(("values", "tier", "missing"), [
    ({}, 0, ["model_url"]),
    ({"model_url": "https://m.test/1"}, 1, ["viewer_url", "file_formats"]),
    ({"model_url": "https://m.test/1", "viewer_url": "https://v.test/1", "file_formats": "model/gltf-binary"}, 2,
     ["reuse_rights"]),
    ({"model_url": "https://m.test/1", "viewer_url": "https://v.test/1", "file_formats": "model/obj",
      "rights_statement": "CC BY-NC"}, 3, ["open_rights"]),
    ({"model_url": "https://m.test/1", "viewer_url": "https://v.test/1", "file_formats": "model/obj",
      "rights_statement": "CC0"}, 4, []),
])
def test_the_content_tier_comes_from_the_viewer_and_the_rights(values, tier, missing):
    readiness = services.readiness(Asset(title="x", reuse_intents="", reuse_description="", **{
        "model_url": "", "viewer_url": "", "file_formats": "", "rights_statement": "", "paradata_technique": "",
        "paradata_equipment": "", **values}))
    assert (readiness.tier, readiness.missing) == (tier, missing)
    assert readiness.warnings == ["no_paradata", "no_reuse_intent"]


def test_a_reviewed_asset_goes_back_to_draft_when_changed(app):
    asset = services.add_asset(_part2(), _state("HU"), {**COMPLETE}, by="test")
    db.session.flush()
    services.mark_asset_ready(asset, by="test")
    assert asset.review_state == "ready"
    services.update_asset(asset, {"title_en": "Oak chest"}, loaded_version=None, by="test")
    assert asset.review_state == "draft"


def test_contact_points_describe_their_own_countrys_assets_only(client, login_as):
    login_as("cp_own")
    response = client.post("/countries/EE/assets/new", data={**COMPLETE, "title_language": "et"})
    assert response.status_code == 302
    assert client.get("/countries/FR/assets/new").status_code == 404
    login_as("viewer")
    assert client.get("/countries/EE/assets/new").status_code == 403


def test_a_status_form_with_a_stale_version_changes_nothing(client, login_as):
    login_as("secretariat")
    hungary = _participation("HU")
    version = hungary.version
    response = client.post("/countries/HU/status", data={"status": "contact_points_confirmed", "version": version - 1},
                           follow_redirects=True)
    assert "Someone else changed the status meanwhile" in response.get_data(as_text=True)
    assert hungary.status == "invited"


# -- a fixed number of queries ------------------------------------------------------------------------

def _queries(client, path: str) -> int:
    counted = []

    def count(*_args, **_kwargs):
        counted.append(1)

    engine = db.session.get_bind()
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(counted)


def _grow(times: int) -> None:
    """More of everything the pages read: audit entries, assets, people."""
    estonia, part2 = _state("EE"), _part2()
    for number in range(times):
        db.session.add(AuditEntry(actor_label="growth", action="update", entity_type="people", entity_id=number,
                                  member_state_id=estonia.id, how="cli", changes={}, note=""))
        db.session.add(Asset(campaign=part2, member_state=estonia, title=f"Extra {number}"))
        db.session.add(Person(given_name="Extra", family_name=f"Person {number}", email=f"extra.{number}@ee.demo.test",
                              member_state_id=estonia.id, preferred_language="et"))
    db.session.flush()


@pytest.mark.parametrize("path", ["/", "/countries/EE"])
def test_the_dashboard_and_the_country_page_run_a_fixed_number_of_queries(client, login_as, path):
    login_as("secretariat")
    _queries(client, path)  # warm the caches (translations, the mail languages)
    before = _queries(client, path)
    _grow(60)
    after = _queries(client, path)
    assert after == before, f"{path}: {before} queries, then {after} with more data"
    assert before < 40


def test_part_one_stays_readable_as_history(client, login_as):
    login_as("viewer")
    page = client.get("/?campaign=twinit-1").get_data(as_text=True)
    assert "Part I" in page and "closed: kept as history" in page and 'href="/countries/EE"' in page
    assert client.get("/?campaign=no-such-campaign").status_code == 404
