"""The read API: tokens, scopes, a country's limit (404, never 403), personal fields, pagination, filters,
ETags, the call log, and the secretariat's token pages."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tracker.api import services
from tracker.api.models import ApiCall, ApiToken
from tracker.audit.models import AuditEntry
from tracker.core.time import utcnow
from tracker.countries.models import MemberState
from tracker.extensions import db
from tracker.participation.models import Asset


def _token(scopes=("countries", "appointments", "milestones", "events", "tickets", "assets"), country=None,
           days=30) -> tuple[ApiToken, str]:
    state = db.session.scalar(sa.select(MemberState).where(MemberState.code == country)) if country else None
    token, secret = services.create_token(name="test client", scopes=list(scopes), member_state=state, by="test",
                                          expires_on=(utcnow() + timedelta(days=days)).date())
    db.session.commit()
    return token, secret


def _get(client, url, secret, **headers):
    return client.get(url, headers={"Authorization": f"Bearer {secret}", **headers})


def test_calls_without_a_valid_token_are_refused_and_logged(client):
    token, secret = _token()
    answer = client.get("/api/v1/countries")
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert _get(client, "/api/v1/countries", "tt_not-a-token").status_code == 401
    # A session cookie is no key to the API.
    assert client.get("/api/v1/countries", headers={"Authorization": "Basic eDp5"}).status_code == 401
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    expired = _get(client, "/api/v1/countries", secret)
    assert expired.status_code == 401 and "expired" in expired.get_json()["detail"]
    calls = db.session.scalars(sa.select(ApiCall).order_by(ApiCall.id)).all()
    assert [call.status for call in calls[-4:]] == [401, 401, 401, 401]
    assert calls[-1].token_id is None  # a token that does not work is not credited with the call


def test_a_revoked_token_stops_at_once(client, login_as):
    token, secret = _token()
    assert _get(client, "/api/v1/countries", secret).status_code == 200
    login_as("secretariat")
    assert client.post(f"/api-tokens/{token.id}/revoke").status_code == 302
    assert _get(client, "/api/v1/countries", secret).get_json()["detail"] == "The token is revoked."
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_type == "api_tokens",
                                                         AuditEntry.action == "revoke")) is not None


def test_scopes_limit_what_a_token_reads(client):
    _token_, secret = _token(scopes=("countries",))
    assert _get(client, "/api/v1/countries", secret).status_code == 200
    refused = _get(client, "/api/v1/appointments", secret)
    assert refused.status_code == 403 and '"appointments" scope' in refused.get_json()["detail"]
    assert _get(client, "/api/v1/tickets/counts", secret).status_code == 403


def test_personal_fields_only_with_the_personal_scope(client):
    _t, plain = _token(scopes=("appointments", "events"))
    _t, personal = _token(scopes=("appointments", "events", "personal"))
    without = _get(client, "/api/v1/appointments?country=EE", plain).get_json()["data"]
    with_ = _get(client, "/api/v1/appointments?country=EE", personal).get_json()["data"]
    assert without and all(row["person"] is None for row in without)
    assert "maria.tamm@ee.demo.test" in [row["person"]["email"] for row in with_]
    assert b"@" not in _get(client, "/api/v1/attendance?per_page=200", plain).data
    assert b"@" in _get(client, "/api/v1/attendance?per_page=200", personal).data


def test_a_country_token_sees_its_own_country_only(client):
    _t, secret = _token(country="EE")
    rows = _get(client, "/api/v1/countries", secret).get_json()["data"]
    assert [row["code"] for row in rows] == ["EE"]
    assert _get(client, "/api/v1/countries/EE", secret).status_code == 200
    for url in ("/api/v1/countries/FR", "/api/v1/appointments?country=FR", "/api/v1/tickets/counts?country=FR"):
        assert _get(client, url, secret).status_code == 404, url
    french_asset = db.session.scalar(sa.select(Asset.id).join(MemberState, MemberState.id == Asset.member_state_id)
                                     .where(MemberState.code != "EE").limit(1))
    assert _get(client, f"/api/v1/assets/{french_asset}", secret).status_code == 404
    appointments = _get(client, "/api/v1/appointments?per_page=200", secret).get_json()["data"]
    assert appointments and {row["country"] for row in appointments} == {"EE"}
    milestones = _get(client, "/api/v1/milestones", secret).get_json()["data"]
    assert all(set(m["met_by"] + m["overdue_for"]) <= {"EE"} for m in milestones)


def test_pagination_filters_and_links(client):
    _t, secret = _token()
    first = _get(client, "/api/v1/countries?per_page=5", secret)
    body = first.get_json()
    assert body["meta"] == {"page": 1, "per_page": 5, "total": 27, "pages": 6}
    assert [row["code"] for row in body["data"]] == ["BE", "BG", "CZ", "DK", "DE"]
    assert 'rel="next"' in first.headers["Link"] and "page=2" in first.headers["Link"]
    last = _get(client, "/api/v1/countries?per_page=5&page=6", secret).get_json()
    assert [row["code"] for row in last["data"]] == ["FI", "SE"]
    status = body["data"][0]["status"]
    filtered = _get(client, f"/api/v1/countries?status={status}&per_page=200", secret).get_json()["data"]
    assert filtered and all(row["status"] == status for row in filtered)
    confirmed = _get(client, "/api/v1/appointments?state=confirmed&per_page=200", secret).get_json()["data"]
    assert confirmed and all(row["state"] == "confirmed" for row in confirmed)
    bad = _get(client, "/api/v1/countries?per_page=500", secret)
    assert bad.status_code == 400 and "per_page" in bad.get_json()["detail"]
    assert _get(client, "/api/v1/countries?colour=blue", secret).status_code == 400


def test_etag_and_if_none_match(client):
    _t, secret = _token()
    first = _get(client, "/api/v1/countries/EE", secret)
    etag = first.headers["ETag"]
    again = _get(client, "/api/v1/countries/EE", secret, **{"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    estonia = db.session.scalar(sa.select(MemberState).where(MemberState.code == "EE"))
    estonia.ministry_name = "Ministry of Culture of Estonia"
    db.session.commit()
    changed = _get(client, "/api/v1/countries/EE", secret, **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_every_call_is_logged_without_the_token(client):
    token, secret = _token()
    before = db.session.scalar(sa.select(sa.func.count()).select_from(ApiCall))
    _get(client, "/api/v1/assets?per_page=1", secret)
    _get(client, "/api/v1/no-such-thing", secret)
    _get(client, "/api/v1/countries?page=0", secret)
    calls = db.session.scalars(sa.select(ApiCall).order_by(ApiCall.id.desc()).limit(3)).all()[::-1]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiCall)) == before + 3
    assert [(c.path, c.status, c.token_id) for c in calls] == [
        ("/api/v1/assets?per_page=1", 200, token.id), ("/api/v1/no-such-thing", 404, token.id),
        ("/api/v1/countries?page=0", 400, token.id)]
    assert all(secret not in c.path for c in calls)
    assert secret not in str(db.session.execute(sa.select(ApiToken.__table__)).all())


def test_the_document_is_public_and_english(client):
    answer = client.get("/api/v1/openapi.json", headers={"Accept-Language": "de"})
    assert answer.status_code == 200
    document = answer.get_json()
    assert document["servers"][0]["url"].endswith("/api/v1")
    assert "Countries and their participation status" in document["components"]["securitySchemes"]["bearerAuth"][
        "description"]
    assert document["components"]["schemas"]["Appointment"]["additionalProperties"] is False


def test_the_secretariat_creates_a_token_shown_once(client, login_as):
    login_as("secretariat")
    page = client.post("/api-tokens", data={"name": "Europeana dashboard", "scopes": ["countries", "assets"],
                                            "member_state": "", "expires_on": "2027-06-30"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    secret = html.split('<code id="token-secret" class="tracker-secret">')[1].split("<")[0]
    assert secret.startswith("tt_")
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "Europeana dashboard"))
    assert token.scopes == "countries assets" and token.token_hash != secret
    assert str(token.last_day) == "2027-06-30" and 'checked' not in html.split("New token")[1].split("Tokens")[0]
    assert _get(client, "/api/v1/assets", secret).status_code == 200
    assert secret not in client.get("/api-tokens").get_data(as_text=True)
    assert secret not in client.get(f"/api-tokens/{token.id}").get_data(as_text=True)
    assert "/api/v1/assets" in client.get(f"/api-tokens/{token.id}").get_data(as_text=True)


@pytest.mark.parametrize("data, message", [
    ({"name": "x", "scopes": ["personal"], "expires_on": "2027-01-01"}, "Personal data comes with"),
    ({"name": "x", "scopes": ["countries"], "expires_on": "2020-01-01"}, "The date has passed"),
    ({"name": "x", "scopes": ["countries"], "expires_on": "2035-01-01"}, "at most two years"),
    ({"name": "x", "expires_on": "2027-01-01"}, "Choose at least one"),
])
def test_a_wrong_token_form_is_explained_and_nothing_is_saved(client, login_as, data, message):
    login_as("secretariat")
    count = db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken))
    page = client.post("/api-tokens", data={"member_state": "", **data})
    assert page.status_code == 422
    assert message in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == count


def test_token_list_and_call_log_export(client, login_as):
    token, secret = _token()
    _get(client, "/api/v1/countries", secret)
    login_as("secretariat")
    listing = client.get("/api-tokens/export.csv")
    rows = list(csv.DictReader(io.StringIO(listing.data.decode("utf-8-sig"))))
    assert any(row["client"] == "test client" and row["state"] == "active" for row in rows)
    calls = client.get(f"/api-tokens/{token.id}/calls.xlsx")
    assert calls.mimetype.endswith("spreadsheetml.sheet")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(calls.data)).active
    assert [c.value for c in sheet[1]][:4] == ["at", "method", "path", "status"]
    assert sheet.cell(2, 3).value == "/api/v1/countries"


def test_the_command_line_creates_lists_and_revokes_tokens(app, runner, client, tmp_path):
    created = runner.invoke(args=["api", "create-token", "Nightly script", "--scope", "countries", "--until",
                                  (utcnow() + timedelta(days=10)).strftime("%Y-%m-%d"), "--country", "ee"])
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert [row["code"] for row in _get(client, "/api/v1/countries", secret).get_json()["data"]] == ["EE"]
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "Nightly script"))
    assert "Nightly script" in runner.invoke(args=["api", "tokens"]).output
    assert runner.invoke(args=["api", "revoke", str(token.id)]).exit_code == 0
    assert _get(client, "/api/v1/countries", secret).status_code == 401
    refused = runner.invoke(args=["api", "create-token", "x", "--scope", "personal", "--until", "2030-01-01"])
    assert refused.exit_code != 0 and "refused" in refused.output
    out = tmp_path / "openapi.json"
    assert runner.invoke(args=["api", "document", "--out", str(out)]).exit_code == 0
    assert '"openapi": "3.1.0"' in out.read_text()
