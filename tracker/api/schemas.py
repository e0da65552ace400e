"""The API's shapes as pydantic models: queries are parsed and answers serialised through them, and the
OpenAPI document is generated from the very same classes, so the two cannot drift apart."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ConfigDict, Field, create_model

from tracker.appointments.models import KINDS as APPOINTMENT_KINDS
from tracker.appointments.models import STATES as APPOINTMENT_STATES
from tracker.countries.reference import MEMBER_STATES
from tracker.events.models import AUDIENCES
from tracker.events.models import KINDS as EVENT_KINDS
from tracker.participation.models import INACTIVE_STATUSES, REUSE_INTENTS, STATUSES
from tracker.tickets.models import STATUSES as TICKET_STATUSES

#: What a token may read, by scope; "personal" adds names and addresses to appointments and attendance.
SCOPES = {
    "countries": _l("Countries and their participation status"),
    "appointments": _l("Appointments, without names or addresses"),
    "milestones": _l("Deadlines, extensions and who has met them"),
    "events": _l("Events and attendance figures"),
    "tickets": _l("Service desk: ticket counts per country"),
    "assets": _l("Submitted 3D assets"),
    "personal": _l("Personal data: names, email addresses and telephone numbers of contact points and attendees"),
}

#: The most rows one page holds.
MAX_PER_PAGE = 200

#: The 27 EU country codes, in protocol order (EL for Greece).
COUNTRY_CODES = tuple(ref.code for ref in MEMBER_STATES)
CountryCode = Literal[COUNTRY_CODES]  # type: ignore[valid-type]
CampaignCode = Annotated[str, Field(pattern=r"^[a-z0-9-]{1,20}$", description="Campaign code; the current one "
                                    "when omitted.", examples=["twinit-2"])]
ParticipationStatus = Literal[STATUSES + INACTIVE_STATUSES]  # type: ignore[valid-type]
AppointmentState = Literal[APPOINTMENT_STATES]  # type: ignore[valid-type]
AppointmentKind = Literal[APPOINTMENT_KINDS]  # type: ignore[valid-type]
EventKind = Literal[EVENT_KINDS]  # type: ignore[valid-type]
TicketStatus = Literal[TICKET_STATUSES]  # type: ignore[valid-type]
ReviewState = Literal["draft", "ready"]


class Schema(BaseModel):
    """Base of every answer: unknown attributes are refused, so nothing leaves that the document does not name."""

    model_config = ConfigDict(extra="forbid", from_attributes=True)


# -- queries -----------------------------------------------------------------------------------


class PageQuery(BaseModel):
    """Which page of a list: `page` from 1, `per_page` rows (at most 200)."""

    model_config = ConfigDict(extra="forbid")

    page: int = Field(1, ge=1, le=1_000_000, description="Page number, from 1.")
    per_page: int = Field(50, ge=1, le=MAX_PER_PAGE, description="Rows per page (at most 200).")


class CountriesQuery(PageQuery):
    """Filters of the country list."""

    campaign: CampaignCode | None = None
    status: ParticipationStatus | None = Field(None, description="Only countries at this participation status.")
    overdue: bool | None = Field(None, description="true: only countries with an overdue deadline; false: none.")


class CountryQuery(BaseModel):
    """Which campaign a single country is read in."""

    model_config = ConfigDict(extra="forbid")

    campaign: CampaignCode | None = None


class AppointmentsQuery(PageQuery):
    """Filters of the appointment list."""

    campaign: CampaignCode | None = None
    country: CountryCode | None = None
    state: AppointmentState | None = None
    kind: AppointmentKind | None = None


class MilestonesQuery(PageQuery):
    """Filters of the deadline list."""

    campaign: CampaignCode | None = None


class EventsQuery(PageQuery):
    """Filters of the event list."""

    campaign: CampaignCode | None = None
    kind: EventKind | None = None
    starts_from: date | None = Field(None, description="Events starting on or after this day (Brussels time).")
    starts_until: date | None = Field(None, description="Events starting on or before this day (Brussels time).")
    cancelled: bool | None = Field(None, description="true: only cancelled events; false: only the others.")


class AttendanceQuery(PageQuery):
    """Filters of the attendance list."""

    campaign: CampaignCode | None = None
    event: int | None = Field(None, ge=1, le=2_147_483_647, description="Only this event's attendance.")
    country: CountryCode | None = None


class TicketCountsQuery(PageQuery):
    """Filters of the ticket counts."""

    country: CountryCode | None = None
    opened_from: date | None = Field(None, description="Count only tickets opened on or after this day.")


class AssetsQuery(PageQuery):
    """Filters of the asset list."""

    campaign: CampaignCode | None = None
    country: CountryCode | None = None
    review_state: ReviewState | None = None


# -- answers -----------------------------------------------------------------------------------


class PageMeta(Schema):
    """Where a page sits in the whole list."""

    page: int = Field(ge=1)
    per_page: int = Field(ge=1, le=MAX_PER_PAGE)
    total: int = Field(ge=0, description="Rows in the whole list, across pages.")
    pages: int = Field(ge=0)


class Problem(Schema):
    """An error, as RFC 9457 problem details."""

    type: str = Field("about:blank")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str


class Person(Schema):
    """A person's name and addresses (only with the "personal" scope)."""

    given_name: str
    family_name: str
    email: str
    phone: str


class Country(Schema):
    """A Member State and where it stands in the campaign."""

    code: CountryCode
    name: str
    protocol_order: int = Field(ge=1, le=27)
    languages: list[str]
    correspondence_language: str
    ministry_name: str
    campaign: str
    status: ParticipationStatus
    stage: int = Field(ge=0, le=8, description="1 to 8 along the workflow; 0 while paused or not participating.")
    contact_points: int = Field(ge=0, description="Contact points in office today.")
    next_milestone: str | None = Field(description="Code of the next deadline still ahead.")
    next_due_at: datetime | None
    overdue_milestones: list[str]
    met_milestones: list[str]


class Appointment(Schema):
    """A contact point's appointment for a campaign; `person` only with the "personal" scope."""

    id: int
    campaign: str
    country: CountryCode
    kind: AppointmentKind
    state: AppointmentState
    organisation: str | None
    position: str
    languages: list[str]
    since_on: date | None
    until_on: date | None
    requested_at: datetime | None
    answered_at: datetime | None
    person: Person | None = Field(description="null unless the token has the \"personal\" scope.")


class Extension(Schema):
    """A later deadline granted to one country."""

    country: CountryCode
    due_at: datetime


class Milestone(Schema):
    """A campaign deadline, its extensions, who met it and who is late."""

    id: int
    campaign: str
    code: str
    name: str
    due_at: datetime
    extensions: list[Extension]
    met_by: list[CountryCode] = Field(description="Countries whose status meets the deadline.")
    overdue_for: list[CountryCode] = Field(description="Countries past their deadline without meeting it.")


class Event(Schema):
    """An introductory meeting, webinar, Café or other event, with its figures."""

    id: int
    campaign: str
    kind: EventKind
    title: str
    titles: dict[str, str] = Field(description="The title in each language it was translated into.")
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    online: bool
    audience: Literal[AUDIENCES]  # type: ignore[valid-type]
    countries: list[CountryCode] = Field(description="Countries invited; empty when open to every country.")
    capacity: int | None
    cancelled: bool
    registered: int = Field(ge=0)
    waiting: int = Field(ge=0)
    attended: int = Field(ge=0, description="People who attended.")
    countries_represented: int = Field(ge=0)


class AttendanceRecord(Schema):
    """That someone attended an event; `person` only with the "personal" scope."""

    id: int
    event_id: int
    country: CountryCode | None
    minutes: int = Field(ge=0)
    joins: int = Field(ge=0)
    source: Literal["import", "manual"]
    person: Person | None = Field(description="null unless the token has the \"personal\" scope.")


class TicketCounts(Schema):
    """A country's service-desk tickets by status."""

    country: CountryCode
    total: int = Field(ge=0)
    by_status: dict[TicketStatus, int]
    active: int = Field(ge=0, description="New, open or waiting.")


class Asset(Schema):
    """A 3D-digitised heritage asset and its reuse intent."""

    id: int
    campaign: str
    country: CountryCode
    title: str
    title_language: str
    title_en: str
    institution: str
    priority_category: str
    reuse_intents: list[Literal[REUSE_INTENTS]]  # type: ignore[valid-type]
    reuse_description: str
    model_url: str
    viewer_url: str
    europeana_url: str
    rights_statement: str
    paradata_technique: str
    paradata_equipment: str
    paradata_on: date | None
    paradata_resolution: str
    file_formats: list[str]
    file_size_mb: float | None
    metadata_languages: list[str]
    review_state: ReviewState
    reviewed_at: datetime | None
    updated_at: datetime


def page_of(item: type[BaseModel]) -> type[BaseModel]:
    """The model of one page of `item`s: the rows and where the page sits."""
    return create_model(f"{item.__name__}Page", __base__=Schema, __doc__=f"One page of {item.__name__} rows.",
                        data=(list[item], ...), meta=(PageMeta, ...))  # type: ignore[valid-type]
