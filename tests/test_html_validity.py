"""The Nu HTML checker (npm vnu-jar) finds no error on any page, for any role."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from config import BASE_DIR
from tests.conftest import IN_CI
from tests.pages import ROLES, page_urls

VNU = BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _java() -> str:
    java = shutil.which("java")
    if java is None or not VNU.exists():
        if IN_CI:
            pytest.fail("java and node_modules/vnu-jar are required in CI")
        pytest.skip("java or vnu.jar missing")
    return java


def _dump_pages(app, client, login_as, folder: Path) -> dict[str, str]:
    """Save each page's HTML (plus forms shown with errors) and map file -> URL."""
    files = {}
    for who in ROLES:
        login_as(None if who == "anon" else who)
        with app.test_request_context():
            urls = page_urls(who)
        for index, url in enumerate(urls):
            response = client.get(url)
            if "text/html" not in response.content_type:
                continue
            path = folder / f"{who}-{index:02d}.html"
            path.write_bytes(response.data)
            files[str(path)] = f"{who} GET {url} ({response.status_code})"
    login_as(None)
    shown_with_errors = {
        "login-errors": client.post("/login", data={"email": "not-an-email", "password": ""}),
        "forgot-errors": client.post("/password/forgot", data={"email": ""}),
    }
    login_as("secretariat")
    shown_with_errors["person-errors"] = client.post("/people/new", data={"email": "x", "phone": "??"})
    shown_with_errors["invite-errors"] = client.post("/users/invite", data={"email": "", "role": "contact_point"})
    with app.test_request_context():
        from flask import url_for

        from tests.test_authorization import _resolve

        ids = _resolve({"milestone_id": "asset", "step_id": "first"})
        step_url = url_for("reminders.add_step", milestone_id=ids["milestone_id"])
        extension_url = url_for("countries.extension", code="EE", milestone_id=ids["milestone_id"])
        deadline_url = url_for("countries.edit_milestone", milestone_id=ids["milestone_id"])
    shown_with_errors["step-errors"] = client.post(step_url, data={"days": "0", "when": "before", "audience": "x"})
    shown_with_errors["extension-errors"] = client.post(extension_url, data={"due_on": "2020-01-01", "due_time": "17:00",
                                                                               "reason": "late"})
    shown_with_errors["deadline-errors"] = client.post(deadline_url, data={"due_on": "", "due_time": "17:00"})
    shown_with_errors["appoint-errors"] = client.post("/countries/EE/appointments/new", data={"email": "x"})
    with app.test_request_context():
        from tests.test_authorization import estonian_appointment
        from tracker.appointments.services import make_link_token

        appointment = estonian_appointment()
        link = url_for("appointments.respond", token=make_link_token(appointment))
        reply_url = url_for("appointments.record_reply", appointment_id=appointment.id)
        erase_url = url_for("privacy.erase_person", person_id=appointment.person_id)
    shown_with_errors["reply-errors"] = client.post(reply_url, data={"received_on": "x"})
    shown_with_errors["erase-errors"] = client.post(erase_url, data={"confirm_email": "x"})
    login_as(None)
    shown_with_errors["link"] = client.get(link)
    shown_with_errors["link-errors"] = client.post(link, data={"action": "confirm", "confirm-email": "x"})
    shown_with_errors["link-replace-errors"] = client.post(link, data={"action": "replace"})
    shown_with_errors["link-done"] = client.post(link, data={
        "action": "confirm", "confirm-given_name": "Maria", "confirm-family_name": "Tamm",
        "confirm-email": "maria.tamm@ee.demo.test", "confirm-organisation_name": "Ministry",
        "confirm-organisation_kind": "ministry", "confirm-preferred_language": "et"})
    shown_with_errors["link-used"] = client.get(link)
    assert [shown_with_errors[k].status_code for k in ("link", "link-errors", "link-done", "link-used")] == [200, 422, 200, 200]
    for name, response in shown_with_errors.items():
        path = folder / f"{name}.html"
        path.write_bytes(response.data)
        files[str(path)] = name
    return files


@pytest.mark.once  # markup comes from the templates: the same whatever the database
def test_every_page_is_valid_html(app, client, login_as, tmp_path):
    java = _java()
    files = _dump_pages(app, client, login_as, tmp_path)
    assert len(files) >= 30
    result = subprocess.run(
        [java, "-Xss2m", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True, text=True, timeout=300, env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    errors = [f"{files.get(m.get('url', '').removeprefix('file:'), m.get('url'))}: line {m.get('lastLine')}: "
              f"{m.get('message')}" for m in messages if m.get("type") == "error"]
    assert errors == [], "\n".join(errors)
