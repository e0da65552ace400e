"""Letters to the ministries: their texts per language, the issued PDFs and the batches they came in."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import TimestampMixin
from tracker.core.time import UTCDateTime, utcnow
from tracker.countries.models import Campaign, MemberState
from tracker.extensions import db
from tracker.files.models import StoredFile

#: The letters the secretariat sends, in the campaign's order.
KINDS = ("invitation", "confirmation", "reminder", "thanks")


class LetterText(TimestampMixin, db.Model):
    """The secretariat's own wording of one letter in one language (else the built-in text is used)."""

    __tablename__ = "letter_texts"
    __table_args__ = (sa.UniqueConstraint("kind", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One of KINDS.
    kind: Mapped[str] = mapped_column(sa.String(20))
    language: Mapped[str] = mapped_column(sa.String(5))
    subject: Mapped[str] = mapped_column(sa.String(300))
    #: Paragraphs separated by blank lines; {placeholders} are filled in when a letter is made.
    body: Mapped[str] = mapped_column(sa.Text)
    closing: Mapped[str] = mapped_column(sa.String(200))
    #: The signature block, one line per line.
    signature: Mapped[str] = mapped_column(sa.Text)
    updated_by_label: Mapped[str] = mapped_column(sa.String(254), default="")
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    audit_member_state_id = None


class LetterCounter(db.Model):
    """The last reference number given in a year (the row is locked while a number is taken)."""

    __tablename__ = "letter_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class LetterBatch(db.Model):
    """Letters issued together, for several countries at once (downloadable as one ZIP)."""

    __tablename__ = "letter_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    kind: Mapped[str] = mapped_column(sa.String(20))
    #: The chosen language, or "" when each country got its correspondence language.
    language: Mapped[str] = mapped_column(sa.String(5), default="")
    #: Which countries were chosen ("all", "not_confirmed", "overdue", "submitted" or "pick").
    selection: Mapped[str] = mapped_column(sa.String(20))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_label: Mapped[str] = mapped_column(sa.String(254))

    campaign: Mapped[Campaign] = relationship()
    letters: Mapped[list[Letter]] = relationship(back_populates="batch", order_by="Letter.id")

    audit_member_state_id = None


class Letter(db.Model):
    """An issued letter: its reference number, its PDF and who issued it when."""

    __tablename__ = "letters"
    __table_args__ = (sa.Index("ix_letters_member_state_issued", "member_state_id", "issued_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Our reference number, unique ("CNECT.G2/TWIN-IT/2026/0007").
    reference: Mapped[str] = mapped_column(sa.String(60), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    language: Mapped[str] = mapped_column(sa.String(5))
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id"))
    member_state_id: Mapped[int] = mapped_column(sa.ForeignKey("member_states.id"))
    #: The asset a letter of thanks is about.
    asset_id: Mapped[int | None] = mapped_column(sa.ForeignKey("assets.id", ondelete="SET NULL"))
    batch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("letter_batches.id"), index=True)
    #: The subject as issued (in the letter's language).
    subject: Mapped[str] = mapped_column(sa.String(300))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    issued_by_label: Mapped[str] = mapped_column(sa.String(254))
    #: The PDF, kept as issued.
    file_id: Mapped[int] = mapped_column(sa.ForeignKey("stored_files.id"))
    #: SHA-256 of the PDF, hex (also on the stored file, repeated here for the register).
    sha256: Mapped[str] = mapped_column(sa.String(64))
    pages: Mapped[int] = mapped_column(default=1)
    #: When it was last put in the outbox to the Permanent Representation, and that message.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("outbox_messages.id", ondelete="SET NULL"))

    campaign: Mapped[Campaign] = relationship()
    member_state: Mapped[MemberState] = relationship()
    batch: Mapped[LetterBatch | None] = relationship(back_populates="letters")
    file: Mapped[StoredFile] = relationship()

    @property
    def audit_member_state_id(self) -> int:
        """The member state an audit entry about this row belongs to."""
        return self.member_state_id

    @property
    def filename(self) -> str:
        """The PDF's file name: reference, country, kind and language ("2026-0007_EE_invitation_et.pdf")."""
        number = "-".join(self.reference.split("/")[-2:])
        return f"{number}_{self.member_state.code}_{self.kind}_{self.language}.pdf"
