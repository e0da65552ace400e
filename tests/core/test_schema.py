"""The schema: models match the migrations, /healthz, and the demo campaign loader."""

from __future__ import annotations

import pprint
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from tracker import create_app
from tracker.accounts.models import User
from tracker.appointments.models import Appointment
from tracker.audit.models import AuditEntry
from tracker.contacts.models import Organisation, Person, PersonRole
from tracker.core import health
from tracker.countries.models import Campaign, MemberState, Milestone, Presidency
from tracker.demo.people import DEMO_PEOPLE
from tracker.demo.services import DEMO_PASSWORD, PART2_REPLACEMENT, load_demo
from tracker.extensions import db

SEEDS = Path("/work/shared/seeds")


# -- models and migrations -----------------------------------------------------------------

def test_models_and_migrations_agree(app):
    connection = db.session.connection()
    context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
    diff = compare_metadata(context, db.metadata)
    assert diff == [], "the models differ from the migrated schema:\n" + pprint.pformat(diff)


def test_the_comparison_sees_a_model_change(app):
    """Guard for the test above: a column the migrations lack is reported."""
    metadata = sa.MetaData()
    for table in db.metadata.sorted_tables:
        table.to_metadata(metadata)
    sa.Table("people", metadata, sa.Column("nickname", sa.String(40)), extend_existing=True)
    context = MigrationContext.configure(db.session.connection(), opts={"compare_type": True})
    diff = compare_metadata(context, metadata)
    assert [(op[0], op[2], op[3].name) for op in diff if op[0] == "add_column"] == [("add_column", "people", "nickname")]


def test_database_is_stamped_at_the_single_head(app):
    heads = set(ScriptDirectory(app.extensions["migrate"].directory).get_heads())
    assert len(heads) == 1, f"the migrations have several heads: {heads}"
    current = set(MigrationContext.configure(db.session.connection()).get_current_heads())
    assert current == heads == health.migration_heads()


# -- /healthz ------------------------------------------------------------------------------

def test_healthz_reports_database_and_migrations(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.is_json
    body = response.get_json()
    assert body["database"] == "ok" and body["migrations"] == "at_head" and body["status"] == "ok"
    assert body["revision"] == body["head"] == sorted(health.migration_heads())


def test_healthz_needs_no_login_and_reveals_no_error(client, login_as):
    login_as(None)
    body = client.get("/healthz").get_json()
    assert "error" not in body


def test_healthz_reports_migrations_behind(client, monkeypatch):
    monkeypatch.setattr(health, "migration_heads", lambda: {"ffffffffffff"})
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "ok" and body["migrations"] == "behind" and body["status"] == "degraded"
    assert body["head"] == ["ffffffffffff"]


def test_healthz_reports_an_unreachable_database():
    # A real server that is not there: nothing listens on port 1 of loopback.
    unreachable = create_app(
        {"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=2"},
        profile="testing",
    )
    response = unreachable.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "unreachable" and body["status"] == "degraded"
    assert "refused" not in response.get_data(as_text=True)


# -- the demo loader -------------------------------------------------------------------------

COUNTED = (MemberState, Campaign, Presidency, Milestone, Organisation, Person, PersonRole, Appointment, User, AuditEntry)


def _counts() -> dict[str, int]:
    return {
        model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in COUNTED
    }


def test_demo_has_the_expected_size(app):
    counts = _counts()
    assert counts["member_states"] == 27
    assert counts["campaigns"] == 2
    assert counts["milestones"] == 7
    assert counts["people"] == 27 * 3 + 1  # and the replacement Slovakia's contact point proposed
    assert counts["organisations"] == 27 * 3
    assert counts["users"] == 5


@pytest.fixture
def cheap_hash(monkeypatch):
    """The loader hashes the demo password even for logins that exist: skip argon2's cost here."""
    monkeypatch.setattr("tracker.demo.services.hash_password", lambda password: "not-a-real-hash")


def test_loading_the_demo_again_changes_nothing(app, cheap_hash):
    before = _counts()
    versions = dict(db.session.execute(sa.select(Person.email, Person.version)).all())
    hashes = dict(db.session.execute(sa.select(User.email, User.password_hash)).all())
    load_demo()
    db.session.flush()
    assert _counts() == before
    assert dict(db.session.execute(sa.select(Person.email, Person.version)).all()) == versions
    assert dict(db.session.execute(sa.select(User.email, User.password_hash)).all()) == hashes


def test_loading_the_demo_restores_a_missing_row_only(app, cheap_hash):
    """The loader is idempotent by lookup, not by an 'already loaded' flag."""
    before = _counts()
    db.session.delete(db.session.scalar(sa.select(Person).where(Person.email == "liis.kask@ee.demo.test")))
    db.session.flush()
    assert _counts()["people"] == before["people"] - 1
    load_demo()
    db.session.flush()
    after = _counts()
    assert after["people"] == before["people"] and after["person_roles"] == before["person_roles"]
    assert after["audit_entries"] == before["audit_entries"] + 2  # the person and the role, re-created
    restored = db.session.scalar(sa.select(Person).where(Person.email == "liis.kask@ee.demo.test"))
    assert restored.full_name == "Liis Kask" and restored.member_state.code == "EE"


EXPECTED_LOGINS = {
    "secretariat@demo.test": ("secretariat", None),
    "viewer@demo.test": ("viewer", None),
    "cp.ee@demo.test": ("contact_point", "EE"),
    "cp.fr@demo.test": ("contact_point", "FR"),
    "cp.el@demo.test": ("contact_point", "EL"),
}


def test_the_five_demo_logins(app):
    users = db.session.scalars(sa.select(User)).all()
    assert {user.email: (user.role, user.member_state.code if user.member_state else None) for user in users} == (
        EXPECTED_LOGINS
    )
    for user in users:
        assert user.is_enabled and user.password_hash.startswith("$argon2id$")  # the password: next test
        if user.role == "contact_point":
            assert user.person is not None and user.person.member_state_id == user.member_state_id


@pytest.mark.parametrize("who", sorted(EXPECTED_LOGINS))
def test_each_demo_login_works(client, who):
    response = client.post("/login", data={"email": who, "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_demo_people_are_invented(app):
    seeds = sorted(SEEDS.glob("*.txt"))
    if not seeds:
        pytest.skip(f"no seed texts in {SEEDS}")
    text = " ".join(" ".join(path.read_text(encoding="utf-8").split()) for path in seeds).casefold()
    pairs = [(given, family) for people in DEMO_PEOPLE.values() for given, family, _lang in people]
    pairs.append(PART2_REPLACEMENT[1][:2])
    stored = [p.full_name for p in db.session.scalars(sa.select(Person))]
    assert sorted(stored) == sorted(f"{given} {family}" for given, family in pairs)
    clashes = [
        f"{given} {family}" for given, family in pairs
        if f"{given} {family}".casefold() in text or f"{family} {given}".casefold() in text
        or f"{family}, {given}".casefold() in text
    ]
    assert clashes == [], f"demo people named in the seed texts: {clashes}"
