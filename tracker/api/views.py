"""The read API under /api/v1 (token authentication, every call logged), its OpenAPI document, and the
secretariat's pages for creating and revoking tokens."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, Response, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from pydantic import BaseModel, ValidationError
from werkzeug.exceptions import HTTPException

from tracker.api import schemas, services
from tracker.api.forms import TokenForm
from tracker.api.models import ApiToken
from tracker.api.openapi import OPERATIONS, PREFIX, Operation, document
from tracker.core import exports
from tracker.core.forms import ActionForm
from tracker.core.i18n import country_name
from tracker.core.models import begin_writing
from tracker.core.permissions import public, secretariat_required
from tracker.core.time import BRUSSELS, utcnow
from tracker.countries.services import list_member_states
from tracker.extensions import db

api = Blueprint("api", __name__, url_prefix=PREFIX)
bp = Blueprint("api_tokens", __name__)

#: Problem titles by status.
_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
           500: "Internal Server Error"}


def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    """An RFC 9457 problem answer (validated against the documented Problem schema)."""
    body = schemas.Problem(title=_TITLES.get(status, "Error"), status=status, detail=detail)
    response = Response(body.model_dump_json(), status=status, mimetype="application/problem+json")
    response.headers.update(headers or {})
    response.headers["Cache-Control"] = "no-store"
    return response


def http_problem(error: HTTPException) -> Response:
    """A werkzeug HTTP error (unknown path, wrong method ...) as a problem, keeping its headers (Allow)."""
    headers = {key: value for key, value in error.get_headers() if key.lower() == "allow"}
    detail = {404: "No such resource.", 405: "The API only reads: use GET."}.get(error.code or 500, error.name)
    return problem(error.code or 500, detail, headers)


def is_api_request() -> bool:
    """Whether this request is for the API (the token log and JSON errors apply)."""
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def _authenticate() -> Response | None:
    """Before each API call: start the clock, find the token; 401 when none or not valid."""
    if not is_api_request():
        return None
    g.api_started, g.api_token = time.perf_counter(), None
    if request.endpoint == "api.openapi":
        return None
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    challenge = 'Bearer realm="tracker"'
    if scheme.lower() != "bearer" or not secret.strip():
        return problem(401, "Send a token: Authorization: Bearer <token>.", {"WWW-Authenticate": challenge})
    token = services.token_by_secret(secret.strip())
    state = token.state(utcnow()) if token is not None else "unknown"
    if state != "active":
        return problem(401, f"The token is {state}.",
                       {"WWW-Authenticate": f'{challenge}, error="invalid_token"'})
    g.api_token = token
    return None


def _log_call(response: Response) -> Response:
    """After each API call: one line in the call log (never the token, never the answer)."""
    if not is_api_request() or "api_started" not in g:
        return response
    token_id = g.get("api_token").id if g.get("api_token") is not None else None
    try:
        begin_writing()  # on SQLite the log line waits for the write lock instead of failing
        db.session.rollback()
        services.log_call(token_id=token_id, method=request.method,
                          path=request.full_path.rstrip("?"), status=response.status_code,
                          duration_ms=round((time.perf_counter() - g.api_started) * 1000),
                          remote_addr=request.remote_addr or "")
        db.session.commit()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("API call not logged")
        return problem(500, "The call could not be logged, so it was not answered.")
    return response


def init_app(app: Flask) -> None:
    """Install token authentication and the call log for the API's paths."""
    app.before_request(_authenticate)
    app.after_request(_log_call)


def _json(body: Any, status: int = 200) -> Response:
    response = Response(json.dumps(body, ensure_ascii=False, separators=(",", ":")), status=status,
                        mimetype="application/json")
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "Authorization"
    response.add_etag()
    return response.make_conditional(request)


def _links(page: services.Page) -> str:
    def url(number: int) -> str:
        args = request.args.to_dict()
        args.update(page=str(number), per_page=str(page.per_page))
        return url_for(request.endpoint, **(request.view_args or {}), **args, _external=True)

    links = [f'<{url(1)}>; rel="first"', f'<{url(max(page.pages, 1))}>; rel="last"']
    if page.page > 1:
        links.append(f'<{url(min(page.page - 1, max(page.pages, 1)))}>; rel="prev"')
    if page.page < page.pages:
        links.append(f'<{url(page.page + 1)}>; rel="next"')
    return ", ".join(links)


def _register(op: Operation, fetch: Callable[..., Any]) -> None:
    @wraps(fetch)
    def view(**path: Any) -> Response:
        token: ApiToken = g.api_token
        if not token.has_scope(op.scope):
            return problem(403, f'This token may not read {op.scope}: it lacks the "{op.scope}" scope.')
        params: dict[str, Any] = {}
        if op.query is not None:
            try:
                params = op.query.model_validate(request.args.to_dict()).model_dump()
            except ValidationError as error:
                first = error.errors()[0]
                where = ".".join(str(part) for part in first["loc"])
                return problem(400, f"Query parameter {where}: {first['msg']}.")
        try:
            result = fetch(token, **path, **params)
        except services.NotFound:
            return problem(404, "Not found, or not visible with this token.")
        if op.paginated:
            body = op.response.model_validate({"data": result.items, "meta": {
                "page": result.page, "per_page": result.per_page, "total": result.total, "pages": result.pages}})
            response = _json(body.model_dump(mode="json"))
            response.headers["Link"] = _links(result)
            return response
        return _json(op.response.model_validate(result).model_dump(mode="json"))

    view.__doc__ = op.summary
    api.add_url_rule(op.rule, op.endpoint.split(".", 1)[1], public(view), methods=["GET"])


def operation(rule: str, *, scope: str, response: type[BaseModel], summary: str, description: str = "",
              query: type[BaseModel] | None = None, paginated: bool = False,
              path_params: dict[str, dict[str, Any]] | None = None) -> Callable:
    """Register `fetch(token, **path, **query)` as a GET operation of the API, in the code and in the document."""

    def decorator(fetch: Callable[..., Any]) -> Callable[..., Any]:
        op = Operation(rule=rule, endpoint=f"api.{fetch.__name__}", summary=summary,
                       description=description or summary, scope=scope,
                       response=schemas.page_of(response) if paginated else response, query=query,
                       paginated=paginated, path_params=path_params or {})
        OPERATIONS.append(op)
        _register(op, fetch)
        return fetch

    return decorator


_CODE = {"type": "string", "enum": list(schemas.COUNTRY_CODES), "description": "EU country code (EL for Greece)."}
_ID = {"type": "integer", "minimum": 1, "maximum": 2_147_483_647}


@operation("/countries", scope="countries", response=schemas.Country, query=schemas.CountriesQuery,
           paginated=True, summary="The countries with their participation status",
           description="The 27 Member States in protocol order (only the token's own when it is limited to one), "
                       "each with its participation status, contact points in office and deadlines.")
def countries(token: ApiToken, **params: Any) -> services.Page:
    """The countries with their status."""
    return services.countries(token, **params)


@operation("/countries/<code>", scope="countries", response=schemas.Country, query=schemas.CountryQuery,
           path_params={"code": _CODE}, summary="One country with its participation status")
def country(token: ApiToken, code: str, *, campaign: str | None) -> dict[str, Any]:
    """One country."""
    return services.country(token, code, campaign=campaign)


@operation("/appointments", scope="appointments", response=schemas.Appointment, query=schemas.AppointmentsQuery,
           paginated=True, summary="Contact-point appointments",
           description="Appointments of the campaign's national contact points. The person's name, email "
                       "address and telephone number are given only to tokens with the \"personal\" scope.")
def appointments(token: ApiToken, **params: Any) -> services.Page:
    """The appointments."""
    return services.appointments(token, **params)


@operation("/milestones", scope="milestones", response=schemas.Milestone, query=schemas.MilestonesQuery,
           paginated=True, summary="Deadlines, extensions, who met them and who is late")
def milestones(token: ApiToken, **params: Any) -> services.Page:
    """The deadlines."""
    return services.milestones(token, **params)


@operation("/events", scope="events", response=schemas.Event, query=schemas.EventsQuery, paginated=True,
           summary="Events with registration and attendance figures")
def events(token: ApiToken, **params: Any) -> services.Page:
    """The events."""
    return services.events(token, **params)


@operation("/events/<int:event_id>", scope="events", response=schemas.Event, path_params={"event_id": _ID},
           summary="One event with its figures")
def event(token: ApiToken, event_id: int) -> dict[str, Any]:
    """One event."""
    return services.event(token, event_id)


@operation("/attendance", scope="events", response=schemas.AttendanceRecord, query=schemas.AttendanceQuery,
           paginated=True, summary="Who attended which event",
           description="Attendance records by event; names and addresses only with the \"personal\" scope.")
def attendance(token: ApiToken, **params: Any) -> services.Page:
    """The attendance records."""
    return services.attendance(token, **params)


@operation("/tickets/counts", scope="tickets", response=schemas.TicketCounts, query=schemas.TicketCountsQuery,
           paginated=True, summary="Service-desk tickets per country and status (never their contents)")
def ticket_counts(token: ApiToken, **params: Any) -> services.Page:
    """The ticket counts."""
    return services.ticket_counts(token, **params)


@operation("/assets", scope="assets", response=schemas.Asset, query=schemas.AssetsQuery, paginated=True,
           summary="3D-digitised heritage assets and their reuse intent")
def assets(token: ApiToken, **params: Any) -> services.Page:
    """The assets."""
    return services.assets(token, **params)


@operation("/assets/<int:asset_id>", scope="assets", response=schemas.Asset, path_params={"asset_id": _ID},
           summary="One asset")
def asset(token: ApiToken, asset_id: int) -> dict[str, Any]:
    """One asset."""
    return services.asset(token, asset_id)


@api.get("/openapi.json")
@public
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API (readable without a token)."""
    with force_locale("en"):
        body = document(server_url=url_for("api.openapi", _external=True).rsplit("/", 1)[0],  # .../api/v1
                        version=current_app.config["API_VERSION"])
    response = _json(body)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# -- the secretariat's token pages -------------------------------------------------------------


def _token_form(fresh: bool = False) -> TokenForm:
    form = TokenForm(formdata=None) if fresh else TokenForm()
    form.member_state.choices = [("", _("Every country"))] + [
        (state.code, f"{state.code} · {country_name(state.code)}") for state in list_member_states()]
    if form.expires_on.data is None and (fresh or request.method == "GET"):
        form.expires_on.data = (utcnow().astimezone(BRUSSELS) + timedelta(days=365)).date()
    return form


_REFUSALS = {
    "personal_alone": lambda: _("Personal data comes with appointments or attendance: choose what the token may "
                                "read besides it."),
    "expired": lambda: _("The date has passed: choose a later one."),
    "too_long": lambda: _("A token may be valid for at most two years."),
}


@bp.route("/api-tokens", methods=["GET", "POST"])
@secretariat_required
def index():
    """The API's tokens: create one (its secret shown once), see their use, revoke one."""
    form, secret = _token_form(), None
    if form.validate_on_submit():
        code = form.member_state.data or None
        state = next((s for s in list_member_states() if s.code == code), None) if code else None
        try:
            _token, secret = services.create_token(name=form.name.data, scopes=form.scopes.data,
                                                   expires_on=form.expires_on.data, member_state=state,
                                                   by=current_user)
        except services.TokenRefused as refused:
            db.session.rollback()
            target = form.scopes if refused.reason == "personal_alone" else form.expires_on
            target.errors = [*target.errors, _REFUSALS.get(refused.reason, _REFUSALS["expired"])()]
        else:
            db.session.commit()
            form = _token_form(fresh=True)
    status = 422 if form.errors else 200
    return render_template("api/tokens.html", form=form, secret=secret, rows=services.list_tokens(), now=utcnow(),
                           scopes=schemas.SCOPES, action_form=ActionForm()), status


@bp.get("/api-tokens/<int:token_id>")
@secretariat_required
def show(token_id: int):
    """One token: what it may read, and its latest calls."""
    token = db.get_or_404(ApiToken, token_id)
    return render_template("api/token.html", token=token, calls=services.calls_of(token), now=utcnow(),
                           scopes=schemas.SCOPES, action_form=ActionForm())


@bp.post("/api-tokens/<int:token_id>/revoke")
@secretariat_required
def revoke(token_id: int):
    """Stop a token from working at once."""
    token = db.get_or_404(ApiToken, token_id)
    if ActionForm().validate_on_submit() and services.revoke_token(token, by=current_user):
        db.session.commit()
        flash(_("The token no longer works. Calls made with it are refused from now on."), "success")
    return redirect(url_for("api_tokens.show", token_id=token.id))


_TOKEN_COLUMNS = (
    exports.Column("id", lambda r: r.token.id), exports.Column("client", lambda r: r.token.name),
    exports.Column("prefix", lambda r: r.token.prefix), exports.Column("scopes", lambda r: r.token.scopes),
    exports.Column("country", lambda r: r.token.member_state.code if r.token.member_state else ""),
    exports.Column("created_at", lambda r: r.token.created_at),
    exports.Column("created_by", lambda r: r.token.created_by_label),
    exports.Column("expires_at", lambda r: r.token.expires_at),
    exports.Column("revoked_at", lambda r: r.token.revoked_at),
    exports.Column("state", lambda r: r.token.state(utcnow())),
    exports.Column("calls", lambda r: r.calls), exports.Column("last_call_at", lambda r: r.last_call_at),
)

_CALL_COLUMNS = (
    exports.Column("at", lambda c: c.at), exports.Column("method", lambda c: c.method),
    exports.Column("path", lambda c: c.path), exports.Column("status", lambda c: c.status),
    exports.Column("duration_ms", lambda c: c.duration_ms), exports.Column("remote_addr", lambda c: c.remote_addr),
)


@bp.get("/api-tokens/export.<fmt>")
@secretariat_required
def export(fmt: str):
    """The token list as CSV or XLSX (it names the staff who created them: audited)."""
    return exports.download(fmt, "api-tokens", _TOKEN_COLUMNS, services.list_tokens(), personal=True,
                            by=current_user, entity_type="api_tokens")


@bp.get("/api-tokens/<int:token_id>/calls.<fmt>")
@secretariat_required
def export_calls(token_id: int, fmt: str):
    """A token's call log as CSV or XLSX (callers' addresses: audited)."""
    token = db.get_or_404(ApiToken, token_id)
    return exports.download(fmt, f"api-calls-{token.id}", _CALL_COLUMNS, services.calls_of(token, limit=100_000),
                            personal=True, by=current_user, entity_type="api_tokens", entity_id=token.id)
