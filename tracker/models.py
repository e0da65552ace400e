"""Imports every model so metadata and migrations see the whole schema."""

from tracker.accounts.models import LoginAttempt, User  # noqa: F401
from tracker.api.models import ApiCall, ApiToken  # noqa: F401
from tracker.appointments.models import Appointment  # noqa: F401
from tracker.audit.models import AuditEntry  # noqa: F401
from tracker.contacts.models import Organisation, Person, PersonRole  # noqa: F401
from tracker.core.models import SchedulerRun  # noqa: F401
from tracker.countries.models import Campaign, MemberState, Milestone, MilestoneExtension, Presidency  # noqa: F401
from tracker.digests.models import Digest  # noqa: F401
from tracker.events.models import (  # noqa: F401
    Attendance,
    AttendanceImport,
    CalendarFeed,
    Event,
    EventInvitation,
    EventTranslation,
    Registration,
)
from tracker.files.models import StoredFile  # noqa: F401
from tracker.letters.models import Letter, LetterBatch, LetterCounter, LetterText  # noqa: F401
from tracker.mail.models import OutboxAttachment, OutboxMessage  # noqa: F401
from tracker.participation.models import Asset, Participation  # noqa: F401
from tracker.reminders.models import ReminderDispatch, ReminderStep  # noqa: F401
from tracker.tickets.models import SavedReply, Ticket, TicketMessage, TicketStatusChange  # noqa: F401
