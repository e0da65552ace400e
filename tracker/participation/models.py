"""Where each member state stands in a campaign."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.core.models import TimestampMixin
from tracker.core.time import UTCDateTime
from tracker.countries.models import Campaign, MemberState
from tracker.extensions import db

#: The workflow in order; a later status includes the earlier ones.
STATUSES = (
    "invited",
    "contact_points_confirmed",
    "participation_pack_sent",
    "introductory_meeting_attended",
    "asset_selected",
    "submission_in_progress",
    "submitted",
    "published",
)
def stage_of(status: str) -> int:
    """1 to 8 along the workflow; 0 while paused or not participating."""
    return STATUSES.index(status) + 1 if status in STATUSES else 0


#: Statuses outside the workflow: the country receives no reminders while in them.
INACTIVE_STATUSES = ("not_participating", "paused")

#: The status that meets each milestone: reminders and the dashboard use this one rule.
MILESTONE_MET_BY = {
    "contact_points_confirmed": "contact_points_confirmed",
    "introductory_meeting": "introductory_meeting_attended",
    "asset_submitted": "submitted",
}


class Participation(TimestampMixin, db.Model):
    """A member state's status in one campaign."""

    __tablename__ = "participations"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "member_state_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    member_state_id: Mapped[int] = mapped_column(sa.ForeignKey("member_states.id"), index=True)
    #: One of STATUSES or INACTIVE_STATUSES.
    status: Mapped[str] = mapped_column(sa.String(40), default="invited")
    #: Why the country is paused or not participating (or why staff corrected the status).
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    #: The workflow status a paused country returns to when it resumes.
    paused_from: Mapped[str | None] = mapped_column(sa.String(40))
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    campaign: Mapped[Campaign] = relationship()
    member_state: Mapped[MemberState] = relationship()

    @property
    def stage(self) -> int:
        """1 to 8 along the workflow; 0 while paused or not participating."""
        return stage_of(self.status)

    @property
    def is_active(self) -> bool:
        """False while the country is paused or not participating."""
        return self.status not in INACTIVE_STATUSES

    @property
    def audit_member_state_id(self) -> int:
        """The member state an audit entry about this row belongs to."""
        return self.member_state_id

    def has_reached(self, status: str) -> bool:
        """Whether the workflow has reached `status` (never while inactive)."""
        if not self.is_active or status not in STATUSES:
            return False
        return STATUSES.index(self.status) >= STATUSES.index(status)


#: Priority categories of the 2021 Commission Recommendation.
PRIORITY_CATEGORIES = ("at_risk", "most_visited", "low_digitisation")
#: What the asset is meant to be reused for.
REUSE_INTENTS = ("education", "tourism", "research", "conservation", "creative_industries", "xr", "other")
#: Rights statements, with their EPF class: "open" (tier 4), "restricted" (tier 3) or "closed".
RIGHTS_STATEMENTS = {
    "CC0": ("http://creativecommons.org/publicdomain/zero/1.0/", "open"),
    "PDM": ("http://creativecommons.org/publicdomain/mark/1.0/", "open"),
    "CC BY": ("http://creativecommons.org/licenses/by/4.0/", "open"),
    "CC BY-SA": ("http://creativecommons.org/licenses/by-sa/4.0/", "open"),
    "CC BY-NC": ("http://creativecommons.org/licenses/by-nc/4.0/", "restricted"),
    "CC BY-ND": ("http://creativecommons.org/licenses/by-nd/4.0/", "restricted"),
    "CC BY-NC-SA": ("http://creativecommons.org/licenses/by-nc-sa/4.0/", "restricted"),
    "CC BY-NC-ND": ("http://creativecommons.org/licenses/by-nc-nd/4.0/", "restricted"),
    "NoC-NC": ("http://rightsstatements.org/vocab/NoC-NC/1.0/", "restricted"),
    "NoC-OKLR": ("http://rightsstatements.org/vocab/NoC-OKLR/1.0/", "restricted"),
    "InC-EDU": ("http://rightsstatements.org/vocab/InC-EDU/1.0/", "restricted"),
    "InC": ("http://rightsstatements.org/vocab/InC/1.0/", "closed"),
}


class Asset(TimestampMixin, db.Model):
    """A 3D-digitised heritage asset a country submits, with its reuse intent and paradata."""

    __tablename__ = "assets"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    member_state_id: Mapped[int] = mapped_column(sa.ForeignKey("member_states.id"), index=True)
    #: The title in its original language, and that language.
    title: Mapped[str] = mapped_column(sa.String(300))
    title_language: Mapped[str] = mapped_column(sa.String(5), default="en")
    title_en: Mapped[str] = mapped_column(sa.String(300), default="")
    institution: Mapped[str] = mapped_column(sa.String(300), default="")
    #: One of PRIORITY_CATEGORIES, or "" while not chosen.
    priority_category: Mapped[str] = mapped_column(sa.String(30), default="")
    #: REUSE_INTENTS codes, space separated.
    reuse_intents: Mapped[str] = mapped_column(sa.String(200), default="")
    #: The intended reuse in the country's words (required with "other").
    reuse_description: Mapped[str] = mapped_column(sa.Text, default="")
    #: Where the model can be seen (edm:isShownAt).
    model_url: Mapped[str] = mapped_column(sa.String(500), default="")
    #: An embeddable or streamable viewer (edm:isShownBy / oEmbed).
    viewer_url: Mapped[str] = mapped_column(sa.String(500), default="")
    #: The Europeana record once published.
    europeana_url: Mapped[str] = mapped_column(sa.String(500), default="")
    #: A key of RIGHTS_STATEMENTS, or "".
    rights_statement: Mapped[str] = mapped_column(sa.String(20), default="")
    paradata_technique: Mapped[str] = mapped_column(sa.String(200), default="")
    paradata_equipment: Mapped[str] = mapped_column(sa.String(200), default="")
    paradata_on: Mapped[date | None]
    paradata_resolution: Mapped[str] = mapped_column(sa.String(100), default="")
    #: File formats / MIME types, e.g. "model/gltf-binary, model/obj".
    file_formats: Mapped[str] = mapped_column(sa.String(200), default="")
    file_size_mb: Mapped[float | None]
    #: Languages the metadata is written in, space separated codes.
    metadata_languages: Mapped[str] = mapped_column(sa.String(100), default="")
    #: "draft" until the secretariat marks it "ready".
    review_state: Mapped[str] = mapped_column(sa.String(20), default="draft")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_label: Mapped[str] = mapped_column(sa.String(254), default="")
    version: Mapped[int] = mapped_column(nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    campaign: Mapped[Campaign] = relationship()
    member_state: Mapped[MemberState] = relationship()

    @property
    def audit_member_state_id(self) -> int:
        """The member state an audit entry about this row belongs to."""
        return self.member_state_id

    @property
    def reuse_list(self) -> list[str]:
        """The reuse intents as a list."""
        return self.reuse_intents.split()

    @property
    def metadata_language_list(self) -> list[str]:
        """The metadata languages as a list."""
        return self.metadata_languages.split()
