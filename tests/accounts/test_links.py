"""Password reset and invitations through a real SMTP server on loopback."""

from __future__ import annotations

import re

import time_machine

from tracker.accounts.models import User
from tracker.extensions import db


def _link(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://localhost(/\S+)", text).group(1)


def test_password_reset_by_emailed_link(app, client, smtp_server):
    response = client.post("/password/forgot", data={"email": "cp.ee@demo.test"})
    assert response.status_code == 302
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "cp.ee@demo.test" and message["Message-ID"]
    assert message.get_body(preferencelist=("html",)) is not None
    path = _link(message)

    page = client.get(path)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    assert client.post("/login", data={"email": "cp.ee@demo.test", "password": "demo-password"}).status_code == 302
    client.post("/logout")

    short = client.post(path, data={"password": "short", "confirm": "short"})
    assert "at least 12 characters" in short.get_data(as_text=True)
    done = client.post(path, data={"password": "a-brand-new-password", "confirm": "a-brand-new-password"})
    assert done.status_code == 302
    assert client.post("/login", data={"email": "cp.ee@demo.test", "password": "a-brand-new-password"}).status_code == 302

    reused = client.get(path)  # single use
    assert reused.status_code == 410 and "already been used" in reused.get_data(as_text=True)


def test_unknown_address_gets_the_same_answer_and_no_mail(client, smtp_server):
    response = client.post("/password/forgot", data={"email": "nobody@demo.test"}, follow_redirects=True)
    assert "If an account exists" in response.get_data(as_text=True)
    assert smtp_server.messages == []


def test_reset_link_expires(app, client, smtp_server):
    with time_machine.travel("2026-01-10 09:00 +0000", tick=False):
        client.post("/password/forgot", data={"email": "viewer@demo.test"})
    path = _link(smtp_server.messages[0])
    with time_machine.travel("2026-01-10 12:00 +0000", tick=False):
        response = client.get(path)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)


def test_tampered_link_is_refused(client, smtp_server):
    client.post("/password/forgot", data={"email": "viewer@demo.test"})
    path = _link(smtp_server.messages[0])
    assert client.get(path[:-3] + "abc").status_code == 410


def test_invitation_in_the_invitees_language(app, client, login_as, smtp_server):
    login_as("secretariat")
    estonia = db.session.scalar(db.select(User.member_state_id).where(User.email == "cp.ee@demo.test"))
    response = client.post("/users/invite", data={
        "email": "New.Person@EE.demo.test", "display_name": "Kati Uus", "role": "contact_point",
        "member_state_id": str(estonia), "locale": "fr",
    })
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "new.person@ee.demo.test"))
    assert user is not None and user.password_hash is None
    message = smtp_server.messages[0]
    assert message["Content-Language"] == "fr"
    assert "Votre compte" in message["Subject"]
    path = _link(message)
    login_as(None)
    assert client.get(path).status_code == 200
    assert client.post(path, data={"password": "kati-uus-password", "confirm": "kati-uus-password"}).status_code == 302
    assert client.post("/login", data={"email": "new.person@ee.demo.test", "password": "kati-uus-password"}).status_code == 302
    assert client.get("/countries/EE").status_code == 200
    assert client.get("/countries/FR").status_code == 404


def test_inviting_an_existing_email_is_a_form_error(client, login_as):
    login_as("secretariat")
    response = client.post("/users/invite", data={
        "email": "viewer@demo.test", "display_name": "Dup", "role": "viewer", "locale": "",
    })
    assert response.status_code == 200
    assert "already exists" in response.get_data(as_text=True)


def test_contact_point_needs_a_country(client, login_as):
    login_as("secretariat")
    response = client.post("/users/invite", data={
        "email": "nocountry@demo.test", "display_name": "No Country", "role": "contact_point", "locale": "",
    })
    assert "Choose the country" in response.get_data(as_text=True)
