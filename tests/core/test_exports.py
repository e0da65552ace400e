"""CSV and XLSX exports of every list page: readable back, formula-safe, filtered like the page, limited to what
the person may see, and audited when they hold personal data."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa
from flask import url_for
from openpyxl import load_workbook

from tests.test_authorization import ROUTES, _resolve
from tracker.audit.models import AuditEntry
from tracker.core.exports import neutralise
from tracker.countries.models import MemberState
from tracker.extensions import db
from tracker.tickets.models import Ticket

#: Every export endpoint, whether it holds personal data, and a role allowed to use it.
EXPORTS = {endpoint: values for (endpoint, method), (values, _expected) in ROUTES.items()
           if method == "GET" and endpoint.split(".")[-1].startswith("export")
           and endpoint != "privacy.export_person"}  # one person's data as JSON: tests/appointments
PERSONAL = {"accounts.export_users", "contacts.export_people", "audit.export_log", "audit.export_member_state_log",
            "mail.export", "appointments.export", "appointments.export_member_state", "events.export_participants",
            "tickets.export", "letters.export", "digests.export", "api_tokens.export", "api_tokens.export_calls"}


def _read(response, fmt: str) -> list[list]:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _audits() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "export"))


def test_the_list_of_exports_is_complete():
    """Each list page has its export (the authorization table lists them all)."""
    assert len(EXPORTS) >= 17
    assert PERSONAL <= EXPORTS.keys()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("endpoint", sorted(EXPORTS))
def test_every_export_reads_back_and_is_audited_when_personal(app, client, login_as, endpoint, fmt):
    login_as("secretariat")
    with app.test_request_context():
        url = url_for(endpoint, **{**_resolve(EXPORTS[endpoint]), "fmt": fmt})
    before = _audits()
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Content-Disposition"].endswith(f'.{fmt}"')
    assert "no-store" in response.headers["Cache-Control"]
    rows = _read(response, fmt)
    assert rows and all(isinstance(name, str) and name for name in rows[0])
    assert len({len(row) for row in rows}) == 1, "every row has the header's width"
    assert _audits() == before + (1 if endpoint in PERSONAL else 0)
    if endpoint in PERSONAL:
        entry = db.session.scalar(sa.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
        assert entry.actor_label == "secretariat@demo.test" and entry.note.startswith(fmt.upper())


def test_an_unknown_format_is_404(client, login_as):
    login_as("secretariat")
    assert client.get("/people/export.pdf").status_code == 404


def test_exports_are_formula_safe(client, login_as):
    ticket = db.session.scalar(sa.select(Ticket).order_by(Ticket.id).limit(1))
    ticket.subject = "=cmd|' /C calc'!A0"
    db.session.commit()
    login_as("secretariat")
    rows = _read(client.get("/tickets/export.csv"), "csv")
    assert ["'=cmd|' /C calc'!A0"] == [row[3] for row in rows if "calc" in row[3]]
    workbook = load_workbook(io.BytesIO(client.get("/tickets/export.xlsx").data))
    cells = [cell for row in workbook.active.iter_rows() for cell in row if "calc" in str(cell.value)]
    assert [(cell.value, cell.data_type) for cell in cells] == [("'=cmd|' /C calc'!A0", "s")]
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\uff1d1"):
        assert neutralise(dangerous).startswith("'")
    assert neutralise("Ministry of Culture") == "Ministry of Culture" and neutralise(-1) == -1


def test_exports_keep_the_page_filters(client, login_as):
    login_as("secretariat")
    rows = _read(client.get("/people/export.csv?country=EE"), "csv")
    header = rows[0]
    assert len(rows) > 1 and {row[header.index("country")] for row in rows[1:]} == {"EE"}
    dashboard = _read(client.get("/countries/export.csv"), "csv")
    assert len(dashboard) == 28 and dashboard[1][0] == "BE"


def test_a_contact_point_exports_their_own_country_only(client, login_as):
    login_as("cp_own")
    tickets = _read(client.get("/tickets/export.csv"), "csv")
    assert len(tickets) > 1 and {row[1] for row in tickets[1:]} == {"EE"}
    dashboard = _read(client.get("/countries/export.xlsx"), "xlsx")
    assert [row[0] for row in dashboard[1:]] == ["EE"]
    assert client.get("/countries/FR/appointments/export.csv").status_code == 404
    estonia = db.session.scalar(sa.select(MemberState.id).where(MemberState.code == "EE"))
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export")
                              .order_by(AuditEntry.id.desc()).limit(1))
    assert entry.member_state_id == estonia


def test_xlsx_cells_keep_their_types(client, login_as):
    login_as("secretariat")
    sheet = load_workbook(io.BytesIO(client.get("/audit/export.xlsx").data)).active
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    at = sheet.cell(2, 2).value
    assert at.__class__.__name__ == "datetime" and at.tzinfo is None  # Brussels wall-clock time
