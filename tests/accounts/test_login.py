"""Login, logout, redirects, throttling, CSRF and the production profile."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tracker import create_app
from tracker.accounts.models import LoginAttempt
from tracker.accounts.services import LoginRefused, authenticate
from tracker.extensions import db


def _login(client, email="secretariat@demo.test", password="demo-password", **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_login_then_dashboard(client):
    response = _login(client)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "Member states" in page.get_data(as_text=True)


def test_unknown_email_and_wrong_password_get_the_same_answer(client):
    unknown = _login(client, email="nobody@demo.test").get_data(as_text=True)
    wrong = _login(client, password="wrong-password").get_data(as_text=True)
    assert "Wrong email or password." in unknown and "Wrong email or password." in wrong
    # The pages differ only in the email typed (and the time-stamped CSRF token of the header form).
    def normalised(page: str, email: str) -> str:
        return re.sub(r'name="csrf_token" value="[^"]+"', "", page.replace(email, "X"))

    assert normalised(unknown, "nobody@demo.test") == normalised(wrong, "secretariat@demo.test")


def test_session_is_cleared_before_login(client):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    _login(client)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_logout_ends_the_session_even_for_a_replayed_cookie(client):
    _login(client)
    cookie = client.get_cookie("session").value
    assert client.post("/logout").status_code == 302
    client.set_cookie("session", cookie)  # replay the cookie captured before logout
    response = client.get("/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("target", "expected"),
    [("/people", "/people"), ("//evil.example/x", "/"), ("https://evil.example/", "/"),
     ("/\\evil.example", "/"), ("javascript:alert(1)", "/")],
)
def test_next_only_goes_to_our_own_paths(client, target, expected):
    response = _login(client, next=target)
    assert response.headers["Location"] == expected


def test_throttling_per_account_counts_in_the_database(app, client):
    app.config["LOGIN_MAX_FAILURES"] = 3
    try:
        for _ in range(3):
            _login(client, email="viewer@demo.test", password="wrong-password")
        answer = _login(client, email="viewer@demo.test").get_data(as_text=True)
        assert "Too many failed attempts" in answer  # even the right password is refused now
        assert db.session.scalar(
            sa.select(sa.func.count(LoginAttempt.id)).where(LoginAttempt.email == "viewer@demo.test")
        ) == 4
    finally:
        app.config["LOGIN_MAX_FAILURES"] = 5


def test_throttling_per_client_address(app):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 2
    try:
        for email in ("a@demo.test", "b@demo.test"):
            with pytest.raises(LoginRefused):
                authenticate(email, "x", address="203.0.113.9")
        with pytest.raises(LoginRefused) as refused:
            authenticate("secretariat@demo.test", "demo-password", address="203.0.113.9")
        assert refused.value.reason == "throttled"
        assert authenticate("secretariat@demo.test", "demo-password", address="203.0.113.10")
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 20


def test_csrf_is_enforced(app):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = app.test_client().post("/login", data={"email": "secretariat@demo.test", "password": "x"})
        assert response.status_code == 400
        assert "reload the page" in response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_security_headers(client):
    headers = client.get("/login").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script(client, login_as):
    login_as("secretariat")
    html = client.get("/").get_data(as_text=True)
    assert "<script>" not in html and "onclick=" not in html


def test_error_pages_show_no_traceback(app, client, login_as):
    login_as("secretariat")
    response = client.get("/countries/XX")
    assert response.status_code == 404 and "Traceback" not in response.get_data(as_text=True)


def test_production_profile_refuses_the_demo_password_and_needs_a_secret(monkeypatch, base_app):
    monkeypatch.delenv("TRACKER_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="TRACKER_SECRET_KEY"):
        create_app(profile="production")
    monkeypatch.setenv("TRACKER_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", base_app.config["SQLALCHEMY_DATABASE_URI"])
    production = create_app(profile="production")
    assert production.config["SESSION_COOKIE_SECURE"] is True and production.debug is False
    with production.app_context():
        with pytest.raises(LoginRefused):
            authenticate("secretariat@demo.test", "demo-password", address="127.0.0.1")
        db.session.rollback()
    result = production.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "production" in result.output


def test_language_choice_is_kept_on_the_account(client, login_as):
    user = login_as("viewer")
    assert client.post("/language", data={"language": "de", "next": "/people"}).headers["Location"] == "/people"
    assert user.locale == "de"
    assert 'lang="de"' in client.get("/people").get_data(as_text=True)
