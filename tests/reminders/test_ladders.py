"""Reminder ladders on the demo campaign: planning, sending once, escalations, the CLI.

The demo's Part II milestone "contact_points_confirmed" is due on 15 September 2025 at 17:00
Brussels time; 18 countries have a confirmed Part II contact point, Estonia's status is past the
confirmation, Malta is paused, so seven countries (UNCONFIRMED) are the ones reminded, through
those asked to confirm. "asset_submitted" is due on 31 March 2026 at 17:00.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from tests.conftest import user_by_email
from tracker.appointments.models import Appointment
from tracker.contacts.models import Person
from tracker.core.time import BRUSSELS, brussels, utcnow
from tracker.countries.models import Campaign, MemberState, Milestone
from tracker.countries.services import grant_extension
from tracker.extensions import db
from tracker.mail.models import OutboxMessage
from tracker.mail.services import relay_outbox
from tracker.participation.models import Participation
from tracker.reminders.models import ReminderDispatch, ReminderStep
from tracker.reminders.services import (
    DuplicateStep,
    add_step,
    approve_escalation,
    dismiss_escalation,
    move_deadline,
    plan_reminders,
    send_due_reminders,
    send_missed_reminders,
    steps_of,
    update_step,
)

#: Countries without a Part II contact point in the demo, Malta (paused) left out.
UNCONFIRMED = {"HU", "LV", "PL", "RO", "SE", "SI", "SK"}
#: Countries with no contact point in office: those, and Estonia, whose participation status is past
#: the confirmation (so it gets no reminder to confirm) but whose appointment awaits confirmation.
NO_CONTACT_POINT = UNCONFIRMED | {"EE"}
#: Countries that have submitted their asset in the demo.
SUBMITTED = {"CZ", "DK", "FI", "NL"}
ALL_CODES = {
    "BE", "BG", "CZ", "DK", "DE", "EE", "IE", "EL", "ES", "FR", "HR", "IT", "CY", "LV",
    "LT", "LU", "HU", "MT", "NL", "AT", "PL", "PT", "RO", "SI", "SK", "FI", "SE",
}  # fmt: skip
#: Countries reminded about the asset (AT and LU are given a later deadline in those tests).
ASSET_REMINDED = ALL_CODES - SUBMITTED - {"MT", "AT", "LU"}


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A Brussels wall-clock moment as aware UTC."""
    return brussels(day, time(hour, minute))


def _local(moment: datetime) -> tuple[date, str]:
    local = moment.astimezone(BRUSSELS)
    return local.date(), local.strftime("%H:%M %Z")


def _state(code: str) -> MemberState:
    return db.session.scalar(sa.select(MemberState).where(MemberState.code == code))


def _milestone(code: str) -> Milestone:
    return db.session.scalar(
        sa.select(Milestone).join(Campaign).where(Campaign.code == "twinit-2", Milestone.code == code)
    )


def _step(milestone: Milestone, offset_days: int) -> ReminderStep:
    [step] = [step for step in steps_of(milestone) if step.offset_days == offset_days]
    return step


def _secretariat():
    return user_by_email("secretariat@demo.test")


def _plan(as_of: datetime, milestone_code: str, **kwargs) -> list:
    return [item for item in plan_reminders(as_of, **kwargs) if item.milestone.code == milestone_code]


def _dispatches(milestone: Milestone) -> dict[tuple[str, int], str]:
    """{(country code, step offset): status} of what was done for a milestone."""
    rows = db.session.scalars(sa.select(ReminderDispatch).where(ReminderDispatch.milestone_id == milestone.id))
    return {(row.member_state.code, row.offset_days): row.status for row in rows}


def _outbox(kind: str = "reminder") -> dict[str, list[OutboxMessage]]:
    """Queued emails of one kind, per country code."""
    found: dict[str, list[OutboxMessage]] = {}
    for row in db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
    ):
        found.setdefault(db.session.get(MemberState, row.member_state_id).code, []).append(row)
    return found


def _fix_asset_extensions() -> None:
    """The demo gives AT and LU an asset deadline relative to the day it is loaded: pin it."""
    asset = _milestone("asset_submitted")
    for code in ("AT", "LU"):
        grant_extension(asset, _state(code), due_at=_at(date(2026, 5, 15), 17), reason="test", by="test")
    db.session.flush()


def _first_person(code: str) -> Person:
    """A country's confirmed primary contact point for Part II."""
    return db.session.scalar(
        sa.select(Person).join(Appointment, Appointment.person_id == Person.id).join(Campaign)
        .where(Appointment.member_state_id == _state(code).id, Appointment.kind == "primary",
               Appointment.state == "confirmed", Campaign.code == "twinit-2")
    )


def _awaiting_emails(code: str) -> set[str]:
    """The addresses of a country's people asked to confirm their Part II appointment."""
    return set(db.session.scalars(
        sa.select(Person.email).join(Appointment, Appointment.person_id == Person.id).join(Campaign)
        .where(Appointment.member_state_id == _state(code).id, Appointment.state == "awaiting_confirmation",
               Campaign.code == "twinit-2")
    ))


# -- planning ----------------------------------------------------------------------------------

def test_the_default_ladder_plans_five_steps_at_nine_brussels_time(app):
    with time_machine.travel(_at(date(2025, 8, 22)), tick=False):
        plan = _plan(utcnow(), "contact_points_confirmed", member_state=_state("PL"))

    assert [(item.step.offset_days, _local(item.planned_at), item.state) for item in plan] == [
        (-14, (date(2025, 9, 1), "09:00 CEST"), "planned"),
        (-3, (date(2025, 9, 12), "09:00 CEST"), "planned"),
        (0, (date(2025, 9, 15), "09:00 CEST"), "planned"),
        (2, (date(2025, 9, 17), "09:00 CEST"), "planned"),
        (7, (date(2025, 9, 22), "09:00 CEST"), "planned"),
    ]
    assert plan[0].planned_at == datetime(2025, 9, 1, 7, 0, tzinfo=UTC)
    assert [step.requires_approval for step in steps_of(_milestone("contact_points_confirmed"))] == \
        [False, False, False, False, True]


def test_the_ladder_keeps_nine_brussels_time_across_the_clock_change_and_avoids_the_weekend(app):
    with time_machine.travel(_at(date(2026, 3, 1)), tick=False):
        plan = _plan(utcnow(), "asset_submitted", member_state=_state("PL"))

    assert [(item.step.offset_days, _local(item.planned_at)) for item in plan] == [
        (-14, (date(2026, 3, 17), "09:00 CET")),
        (-3, (date(2026, 3, 27), "09:00 CET")),  # Saturday 28 March: the Friday before
        (0, (date(2026, 3, 31), "09:00 CEST")),
        (2, (date(2026, 4, 2), "09:00 CEST")),
        (7, (date(2026, 4, 7), "09:00 CEST")),
    ]
    assert plan[1].planned_at == datetime(2026, 3, 27, 8, 0, tzinfo=UTC)
    assert plan[2].planned_at == datetime(2026, 3, 31, 7, 0, tzinfo=UTC)


def test_a_reminder_after_the_deadline_falling_at_a_weekend_goes_on_the_monday(app):
    milestone = _milestone("contact_points_confirmed")
    with time_machine.travel(_at(date(2025, 8, 22)), tick=False):
        move_deadline(milestone, due_at=brussels(date(2025, 9, 18), time(17, 0)), by=_secretariat())  # a Thursday
        plan = _plan(utcnow(), "contact_points_confirmed", member_state=_state("PL"))
    assert [(item.step.offset_days, _local(item.planned_at)[0]) for item in plan] == [
        (-14, date(2025, 9, 4)), (-3, date(2025, 9, 15)), (0, date(2025, 9, 18)),
        (2, date(2025, 9, 22)),  # Saturday 20 September: the Monday after
        (7, date(2025, 9, 25)),
    ]


@pytest.mark.parametrize(("deadline", "reminder"), [
    (time(17, 0), "09:00 CEST"),
    (time(11, 0), "09:00 CEST"),
    (time(10, 0), "08:00 CEST"),  # two hours' notice, not one
    (time(8, 30), "06:30 CEST"),
])
def test_the_on_the_day_reminder_is_earlier_when_the_deadline_is_before_eleven(app, deadline, reminder):
    milestone = _milestone("contact_points_confirmed")
    with time_machine.travel(_at(date(2025, 8, 22)), tick=False):
        move_deadline(milestone, due_at=brussels(date(2025, 9, 15), deadline), by=_secretariat())
        plan = _plan(utcnow(), "contact_points_confirmed", member_state=_state("PL"))

    on_the_day = {item.step.offset_days: _local(item.planned_at) for item in plan}
    assert on_the_day[0] == (date(2025, 9, 15), reminder)
    assert on_the_day[-3] == (date(2025, 9, 12), "09:00 CEST")


def test_only_countries_that_have_not_met_the_milestone_are_planned(app):
    with time_machine.travel(_at(date(2025, 8, 22)), tick=False):
        plan = _plan(utcnow(), "contact_points_confirmed")

    assert {item.member_state.code for item in plan} == UNCONFIRMED
    assert len(plan) == 5 * len(UNCONFIRMED)


def test_an_extension_moves_the_plan_of_that_country_only(app):
    milestone = _milestone("contact_points_confirmed")
    with time_machine.travel(_at(date(2025, 9, 17)), tick=False):
        grant_extension(milestone, _state("HU"), due_at=_at(date(2025, 9, 29), 17), reason="ministry moved",
                        by=_secretariat())
        db.session.flush()
        hungary = _plan(utcnow(), "contact_points_confirmed", member_state=_state("HU"))
        poland = _plan(utcnow(), "contact_points_confirmed", member_state=_state("PL"))
        result = send_due_reminders(utcnow())

    assert [(item.step.offset_days, _local(item.planned_at)[0], item.state) for item in hungary] == [
        (-14, date(2025, 9, 15), "due"),
        (-3, date(2025, 9, 26), "planned"),
        (0, date(2025, 9, 29), "planned"),
        (2, date(2025, 10, 1), "planned"),
        (7, date(2025, 10, 6), "planned"),
    ]
    assert [_local(item.planned_at)[0] for item in poland] == [
        date(2025, 9, 1), date(2025, 9, 12), date(2025, 9, 15), date(2025, 9, 17), date(2025, 9, 22)]
    sent = {(item.member_state.code, item.step.offset_days) for item in result.sent}
    assert ("HU", -14) in sent and ("HU", 2) not in sent and ("PL", 2) in sent


# -- sending -----------------------------------------------------------------------------------

def test_send_due_writes_the_plus_two_reminder_to_the_unconfirmed_countries_once(app):
    milestone = _milestone("contact_points_confirmed")
    with time_machine.travel(_at(date(2025, 9, 17)), tick=False):
        result = send_due_reminders(utcnow())
        plan = _plan(utcnow(), "contact_points_confirmed", include_done=True)

    assert {(i.member_state.code, i.step.offset_days) for i in result.sent} == {(c, 2) for c in UNCONFIRMED}
    assert {(i.member_state.code, i.step.offset_days) for i in result.superseded} == {(c, 0) for c in UNCONFIRMED}
    assert result.awaiting_approval == [] and result.without_recipient == []
    assert result.emails == len(UNCONFIRMED)
    assert _dispatches(milestone) == {
        **{(code, 2): "sent" for code in UNCONFIRMED},
        **{(code, 0): "superseded" for code in UNCONFIRMED},
    }
    # The earlier rungs were too long ago: missed, not sent, not superseded.
    states = {(i.member_state.code, i.step.offset_days): i.state for i in plan}
    assert {states[(code, -14)] for code in UNCONFIRMED} == {"missed"}
    assert {states[(code, -3)] for code in UNCONFIRMED} == {"missed"}
    assert {states[(code, 7)] for code in UNCONFIRMED} == {"planned"}

    emails = _outbox("reminder")
    assert set(emails) == UNCONFIRMED  # not the 19 confirmed, not Malta (paused)
    for code in UNCONFIRMED:
        [row] = emails[code]
        # Nobody has confirmed: the reminder goes to those asked to confirm, the PermRep in copy.
        assert set(re.findall(r"<([^>]+)>", row.recipients)) == _awaiting_emails(code) != set()
        assert (row.cc, row.status) == (f"permrep.{code.lower()}@demo.test", "queued")
        # Written in the language of the first of them (every official language has a catalogue).
        assert row.idempotency_key == f"reminder:{milestone.id}:{code}:{_step(milestone, 2).id}:{row.language}"
        first = db.session.scalar(sa.select(Person.preferred_language).where(
            Person.email == re.search(r"<([^>]+)>", row.recipients).group(1)))
        assert row.language == first


def test_running_send_due_again_queues_nothing(app):
    with time_machine.travel(_at(date(2025, 9, 17)), tick=False) as traveller:
        send_due_reminders(utcnow())
        emails = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)))
        dispatches = db.session.scalar(sa.select(sa.func.count(ReminderDispatch.id)))
        again = send_due_reminders(utcnow())
        traveller.shift(timedelta(hours=5))
        later = send_due_reminders(utcnow())

    for result in (again, later):
        assert (result.sent, result.superseded, result.awaiting_approval, result.emails) == ([], [], [], 0)
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == emails == len(UNCONFIRMED)
    assert db.session.scalar(sa.select(sa.func.count(ReminderDispatch.id))) == dispatches


def test_the_permrep_is_in_copy_of_the_plus_two_reminder_to_contact_points(app):
    _fix_asset_extensions()
    with time_machine.travel(_at(date(2026, 4, 2)), tick=False):
        result = send_due_reminders(utcnow())

    assert {(i.member_state.code, i.step.offset_days) for i in result.sent} == {(c, 2) for c in ASSET_REMINDED}
    emails = _outbox("reminder")
    assert set(emails) == ASSET_REMINDED
    for code in ASSET_REMINDED - NO_CONTACT_POINT:
        # One email per language of the contact points; the primary comes first in theirs.
        [row] = [row for row in emails[code] if f"<{_first_person(code).email}>" in row.recipients]
        assert row.recipients.split(", ")[0].endswith(f"<{_first_person(code).email}>")
        assert row.language == _first_person(code).preferred_language
        assert {row.cc for row in emails[code]} == {f"permrep.{code.lower()}@demo.test"}
        assert len({row.language for row in emails[code]}) == len(emails[code])
    for code in NO_CONTACT_POINT & ASSET_REMINDED:
        [row] = emails[code]
        assert (row.recipients, row.cc) == (f"permrep.{code.lower()}@demo.test", "")


def test_each_email_is_in_the_recipients_language_with_brussels_and_local_time(app, smtp_server):
    _fix_asset_extensions()
    with time_machine.travel(_at(date(2026, 4, 2)), tick=False):
        send_due_reminders(utcnow())
        db.session.commit()
        emails = _outbox("reminder")
        relay_outbox(ids=[row.id for rows in emails.values() for row in rows])

    # Every official language has a catalogue: each contact point gets the reminder in their own.
    languages = {code: {row.language for row in rows} for code, rows in emails.items()}
    assert languages["FR"] == {"fr"}  # Camille Martin prefers French
    assert "nl" in languages["BE"]  # Lotte Peeters prefers Dutch
    assert languages["DE"] == {"de"}  # Anna Becker prefers German
    assert languages["EL"] == {"el"} and languages["HU"] == {"hu"}

    received = {message["Message-ID"]: message for message in smtp_server.messages}
    assert len(received) == sum(len(rows) for rows in emails.values())

    def message(code: str):
        row = emails[code][0]
        return received[row.message_id], row

    zones = re.compile(r"\b\d\d:\d\d [A-Z]{3,4}\b")
    expected = {"FR": {"17:00 CEST"}, "DE": {"17:00 CEST"}, "EL": {"17:00 CEST", "18:00 EEST"},
                "CY": {"17:00 CEST", "18:00 EEST"}, "PT": {"17:00 CEST", "16:00 WEST"},
                "IE": {"17:00 CEST", "16:00 IST"}, "RO": {"17:00 CEST", "18:00 EEST"}}
    for code, times in expected.items():
        sent, row = message(code)
        text, html = (part.get_content() for part in sent.iter_parts())
        assert set(zones.findall(text)) == times, code
        assert set(zones.findall(html)) == times, code
        link = f"{app.config['BASE_URL']}/countries/{code}"
        assert link in text and f'href="{link}"' in html
        assert sent["Content-Language"] == row.language
        assert sent["Auto-Submitted"] == "auto-generated"


def test_a_country_that_meets_the_milestone_gets_nothing(app):
    part2 = db.session.scalar(sa.select(Campaign).where(Campaign.code == "twinit-2"))
    hungarian = db.session.scalar(sa.select(Person).where(Person.member_state_id == _state("HU").id)
                                  .order_by(Person.id).limit(1))
    hungary = db.session.scalar(sa.select(Appointment).where(
        Appointment.person_id == hungarian.id, Appointment.campaign_id == part2.id))
    hungary.state, hungary.since_on = "confirmed", date(2025, 9, 16)
    statuses = {"PL": "contact_points_confirmed", "SE": "not_participating"}
    for code, status in statuses.items():
        participation = db.session.scalar(sa.select(Participation).where(
            Participation.campaign_id == part2.id, Participation.member_state_id == _state(code).id))
        participation.status = status
    db.session.flush()

    with time_machine.travel(_at(date(2025, 9, 17)), tick=False):
        result = send_due_reminders(utcnow())

    reminded = UNCONFIRMED - {"HU", "PL", "SE"}
    assert {i.member_state.code for i in result.sent} == reminded
    assert set(_outbox("reminder")) == reminded
    assert {code for code, _offset in _dispatches(_milestone("contact_points_confirmed"))} == reminded


def test_moving_the_deadline_replans_the_pending_reminders(app):
    milestone = _milestone("contact_points_confirmed")
    with time_machine.travel(_at(date(2025, 9, 17)), tick=False) as traveller:
        send_due_reminders(utcnow())
        move_deadline(milestone, due_at=_at(date(2025, 10, 20), 17), by=_secretariat())
        db.session.flush()
        plan = _plan(utcnow(), "contact_points_confirmed", member_state=_state("PL"), include_done=True)
        assert send_due_reminders(utcnow()).sent == []

        traveller.move_to(_at(date(2025, 10, 6)))
        result = send_due_reminders(utcnow())

    assert [(i.step.offset_days, _local(i.planned_at)[0], i.state) for i in plan] == [
        (0, date(2025, 9, 15), "superseded"),  # done before the move: stays on record
        (2, date(2025, 9, 17), "sent"),
        (-14, date(2025, 10, 6), "planned"),
        (-3, date(2025, 10, 17), "planned"),
        (7, date(2025, 10, 27), "planned"),
    ]
    assert {(i.member_state.code, i.step.offset_days) for i in result.sent} == {(c, -14) for c in UNCONFIRMED}


def test_a_step_added_late_sends_nothing_for_moments_already_past(app):
    milestone = _milestone("contact_points_confirmed")
    with time_machine.travel(_at(date(2025, 9, 17)), tick=False):
        late = add_step(milestone, offset_days=1, audience="contact_points", requires_approval=False,
                        by=_secretariat())
        assert late.active_from_at == utcnow()
        plan = _plan(utcnow(), "contact_points_confirmed")
        result = send_due_reminders(utcnow())

        assert {i.state for i in plan if i.step.id == late.id} == {"missed"}
        assert {i.step.offset_days for i in result.sent} == {2}
        assert not any(key[1] == 1 for key in _dispatches(milestone))

        sent = send_missed_reminders(late, by=_secretariat())
        again = send_missed_reminders(late, by=_secretariat())

    assert (sent, again) == (len(UNCONFIRMED), 0)
    dispatches = db.session.scalars(sa.select(ReminderDispatch).where(ReminderDispatch.step_id == late.id)).all()
    assert {d.member_state.code for d in dispatches} == UNCONFIRMED
    assert {(d.status, d.note) for d in dispatches} == {("sent", "sent late at the secretariat's request")}
    assert {d.decided_by_id for d in dispatches} == {_secretariat().id}
    keys = set(db.session.scalars(sa.select(OutboxMessage.idempotency_key)))
    for code in UNCONFIRMED:
        assert any(key.startswith(f"reminder:{milestone.id}:{code}:{late.id}:") for key in keys), code


def test_a_reminder_later_than_the_max_lateness_is_missed_not_sent(app, monkeypatch):
    monkeypatch.setitem(app.config, "REMINDER_MAX_LATENESS_HOURS", 24)
    milestone = _milestone("contact_points_confirmed")
    with time_machine.travel(_at(date(2025, 9, 17)), tick=False):
        # The on-the-day rung is 49 hours old: missed now, where with 72 hours it was superseded.
        plan = {(i.member_state.code, i.step.offset_days): i.state
                for i in _plan(utcnow(), "contact_points_confirmed")}
        result = send_due_reminders(utcnow())

    assert {plan[(code, 0)] for code in UNCONFIRMED} == {"missed"}
    assert {plan[(code, 2)] for code in UNCONFIRMED} == {"due"}
    assert result.superseded == []
    assert _dispatches(milestone) == {(code, 2): "sent" for code in UNCONFIRMED}


def test_a_scheduler_down_for_days_sends_no_stale_reminder(app):
    with time_machine.travel(_at(date(2025, 9, 21)), tick=False):  # +2 is 97 hours old
        plan = _plan(utcnow(), "contact_points_confirmed")
        result = send_due_reminders(utcnow())

    assert {i.state for i in plan if i.step.offset_days == 2} == {"missed"}
    assert result.sent == [] and result.emails == 0
    assert _outbox("reminder") == {}


# -- escalations -------------------------------------------------------------------------------

def _escalations_waiting() -> dict[str, ReminderDispatch]:
    return {d.member_state.code: d for d in db.session.scalars(
        sa.select(ReminderDispatch).where(ReminderDispatch.status == "awaiting_approval"))}


def test_an_escalation_waits_for_approval_then_goes_to_the_permrep_with_contact_points_in_copy(app, smtp_server):
    _fix_asset_extensions()
    secretariat = _secretariat()
    with time_machine.travel(_at(date(2026, 4, 7)), tick=False):
        result = send_due_reminders(utcnow())

        assert {(i.member_state.code, i.step.offset_days) for i in result.awaiting_approval} == \
            {(c, 7) for c in ASSET_REMINDED}
        assert result.sent == [] and _outbox("escalation") == {} and _outbox("reminder") == {}
        waiting = _escalations_waiting()
        assert set(waiting) == ASSET_REMINDED

        france = waiting["FR"]
        assert approve_escalation(france, by=secretariat) == 1
        with pytest.raises(ValueError):
            approve_escalation(france, by=secretariat)
        db.session.commit()
        relay_outbox()

    assert (france.status, france.sent_at, france.decided_by_id) == ("sent", _at(date(2026, 4, 7)), secretariat.id)
    # The French alternate confirmed too: both contact points in office are in copy, the primary first.
    assert france.recipients.startswith(f"permrep.fr@demo.test; cc {_first_person('FR').email}, ")
    [row] = _outbox("escalation")["FR"]
    camille = _first_person("FR")
    assert row.recipients == "permrep.fr@demo.test"
    assert row.cc.startswith(f'{camille.full_name} <{camille.email}>, ')
    assert row.language == "fr" and row.status == "sent"
    [message] = smtp_server.messages
    assert message["Auto-Submitted"] == "auto-generated" and message["Content-Language"] == "fr"
    assert [a.addr_spec for a in message["To"].addresses] == ["permrep.fr@demo.test"]
    nicolas = "nicolas.bernard@fr.demo.test"  # France's alternate, confirmed in the demo
    assert [a.addr_spec for a in message["Cc"].addresses] == [camille.email, nicolas]
    assert smtp_server.envelopes[0][1] == ["permrep.fr@demo.test", camille.email, nicolas]
    assert "/countries/FR" in message.get_body(("plain",)).get_content()


def test_a_dismissed_escalation_sends_nothing_and_stays_dismissed(app):
    secretariat = _secretariat()
    with time_machine.travel(_at(date(2025, 9, 22)), tick=False):
        send_due_reminders(utcnow())
        poland = _escalations_waiting()["PL"]
        dismiss_escalation(poland, by=secretariat, note="  Spoke to the ministry on the phone.  ")
        with pytest.raises(ValueError):
            approve_escalation(poland, by=secretariat)
        with pytest.raises(ValueError):
            dismiss_escalation(poland, by=secretariat)
        again = send_due_reminders(utcnow())

    assert (poland.status, poland.decided_by_id, poland.note) == (
        "dismissed", secretariat.id, "Spoke to the ministry on the phone.")
    assert poland.sent_at is None
    assert again.awaiting_approval == [] and again.sent == []
    assert "PL" not in _outbox("escalation")
    assert "PL" not in _escalations_waiting() and set(_escalations_waiting()) == UNCONFIRMED - {"PL"}


# -- editing the ladder ------------------------------------------------------------------------

def test_update_step_refuses_a_clash_with_another_rung(app):
    milestone = _milestone("contact_points_confirmed")
    step = _step(milestone, 2)
    with pytest.raises(DuplicateStep):
        update_step(step, offset_days=0, audience="contact_points", requires_approval=False,
                    loaded_version=step.version, by=_secretariat())
    with pytest.raises(DuplicateStep):
        add_step(milestone, offset_days=-3, audience="contact_points", requires_approval=False, by=_secretariat())
    db.session.refresh(step)
    assert (step.offset_days, step.audience) == (2, "contact_points_permrep_cc")


def test_moving_a_rung_sends_nothing_for_its_past_moments(app):
    milestone = _milestone("contact_points_confirmed")
    step = _step(milestone, 2)
    with time_machine.travel(_at(date(2025, 9, 17)), tick=False):
        update_step(step, offset_days=1, audience="contact_points_permrep_cc", requires_approval=False,
                    loaded_version=step.version, by=_secretariat())
        db.session.flush()
        states = {i.state for i in _plan(utcnow(), "contact_points_confirmed") if i.step.id == step.id}
        result = send_due_reminders(utcnow())

    assert step.active_from_at == _at(date(2025, 9, 17))
    assert states == {"missed"}  # its new moment (16 September) was before the move
    # The on-the-day rung, no longer superseded by a later one, goes instead.
    assert {(i.member_state.code, i.step.offset_days) for i in result.sent} == {(c, 0) for c in UNCONFIRMED}
    assert not any(offset == 1 for _code, offset in _dispatches(milestone))


# -- the commands ------------------------------------------------------------------------------

def test_preview_lists_what_is_due_with_its_recipients_and_changes_nothing(app, runner):
    with time_machine.travel(_at(date(2025, 9, 17), 10, 5), tick=False):
        result = runner.invoke(args=["reminders", "preview", "--as-of", "2025-09-17T10:00", "--days", "6"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "14 due now" in lines[0] and "7 planned" in lines[0]
    for code in UNCONFIRMED:
        [line] = [line for line in lines if f" {code} contact_points_confirmed +2d" in line]
        assert line.startswith("due") and line.endswith(f"; cc permrep.{code.lower()}@demo.test")
        assert set(line.split(" -> ")[1].split(";")[0].split(", ")) == _awaiting_emails(code)
        [line] = [line for line in lines if f" {code} contact_points_confirmed +7d" in line]
        assert line.startswith("planned") and "needs approval" in line
    assert not any(f" {code} " in line for line in lines[1:] for code in ("FR", "MT", "EE"))
    assert db.session.scalar(sa.select(sa.func.count(ReminderDispatch.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_send_due_and_relay_commands_print_counts_and_commit(app, runner, smtp_server):
    with time_machine.travel(_at(date(2025, 9, 17), 10, 5), tick=False):
        result = runner.invoke(args=["reminders", "send-due", "--as-of", "2025-09-17T10:00"])
        assert result.exit_code == 0, result.output
        assert result.output.startswith(
            "queued 7 emails for 7 reminders; 0 escalations await approval; 7 superseded by a later step; "
            "0 with nobody to write to")
        db.session.rollback()  # what the command committed stays
        assert set(_outbox("reminder")) == UNCONFIRMED

        again = runner.invoke(args=["reminders", "send-due", "--as-of", "2025-09-17T10:00"])
        assert again.output.startswith("queued 0 emails for 0 reminders")

        relayed = runner.invoke(args=["outbox", "relay"])

    assert relayed.exit_code == 0, relayed.output
    assert relayed.output.startswith("sent 7, kept locally 0, retrying later 0, failed 0")
    assert {a.addr_spec for m in smtp_server.messages for a in m["To"].addresses} == \
        set().union(*(_awaiting_emails(code) for code in UNCONFIRMED))
    assert {a.addr_spec for m in smtp_server.messages for a in m["Cc"].addresses} == \
        {f"permrep.{code.lower()}@demo.test" for code in UNCONFIRMED}


@pytest.mark.parametrize("command", ["preview", "send-due"])
def test_as_of_is_refused_where_the_configuration_forbids_it(app, runner, monkeypatch, command):
    monkeypatch.setitem(app.config, "REMINDERS_ALLOW_AS_OF", False)
    with time_machine.travel(_at(date(2025, 9, 17), 10, 5), tick=False):
        result = runner.invoke(args=["reminders", command, "--as-of", "2025-09-17T10:00"])

    assert result.exit_code != 0
    assert "--as-of is refused in the production configuration" in result.output
    assert db.session.scalar(sa.select(sa.func.count(ReminderDispatch.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
