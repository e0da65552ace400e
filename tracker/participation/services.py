"""Participation statuses, their transitions and guards, assets and their EPF readiness (flush, never commit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from tracker.audit.services import record_change
from tracker.core.models import check_version
from tracker.core.time import utcnow
from tracker.countries.models import Campaign, MemberState, Milestone
from tracker.extensions import db
from tracker.participation.models import (
    INACTIVE_STATUSES,
    MILESTONE_MET_BY,
    RIGHTS_STATEMENTS,
    STATUSES,
    Asset,
    Participation,
)


def participations_for(campaign: Campaign) -> dict[int, Participation]:
    """Each member state's participation in `campaign`, by member state id."""
    rows = db.session.scalars(sa.select(Participation).where(Participation.campaign_id == campaign.id))
    return {row.member_state_id: row for row in rows}


def is_milestone_met(milestone: Milestone, participation: Participation | None, *, contact_points: int) -> bool:
    """Whether a country has met `milestone`: the dashboard and the reminders both ask this."""
    status = MILESTONE_MET_BY.get(milestone.code)
    if participation is not None and status is not None and participation.has_reached(status):
        return True
    # A contact point in office for the campaign confirms the appointment, whatever the status says.
    return milestone.code == "contact_points_confirmed" and contact_points > 0


def is_reminded(participation: Participation | None) -> bool:
    """Paused and non-participating countries get no reminders."""
    return participation is None or participation.is_active


# -- the workflow ---------------------------------------------------------------------------------

class TransitionRefused(ValueError):
    """A status change the workflow does not allow; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        #: not_next, inactive, reason_required, asset_incomplete, no_asset, not_published, same
        self.reason = reason


def participation_of(campaign: Campaign, member_state: MemberState) -> Participation:
    """The country's participation in the campaign, created as "invited" if missing."""
    found = db.session.scalar(sa.select(Participation).where(
        Participation.campaign_id == campaign.id, Participation.member_state_id == member_state.id))
    if found is None:
        found = Participation(campaign=campaign, member_state=member_state, status="invited", reason="")
        db.session.add(found)
        db.session.flush()
    return found


def next_statuses(participation: Participation) -> list[str]:
    """Where the workflow may go from here: the next stage, pausing, leaving, or coming back."""
    if participation.status == "paused":
        return [participation.paused_from or "invited", "not_participating"]
    if participation.status == "not_participating":
        return ["invited"]
    index = STATUSES.index(participation.status)
    following = [STATUSES[index + 1]] if index + 1 < len(STATUSES) else []
    return following + ["paused", "not_participating"]


def _guard(participation: Participation, status: str) -> None:
    """Refuse a stage whose facts are not there (the asset behind "selected", "submitted", "published")."""
    if status not in ("asset_selected", "submission_in_progress", "submitted", "published"):
        return
    assets = assets_of(participation.campaign, participation.member_state)
    if not assets:
        raise TransitionRefused("no_asset")
    if status == "submitted" and not any(readiness(asset).complete for asset in assets):
        raise TransitionRefused("asset_incomplete")
    if status == "published" and not any(asset.europeana_url for asset in assets):
        raise TransitionRefused("not_published")


def _set_status(participation: Participation, status: str, *, by: Any, how: str, action: str, reason: str) -> None:
    if status == "paused":
        participation.paused_from = participation.status if participation.status in STATUSES else participation.paused_from
    elif participation.status == "paused":
        participation.paused_from = None
    participation.status = status
    participation.reason = reason.strip()
    record_change(participation, by=by, action=action, how=how, note=reason.strip())


def change_status(participation: Participation, status: str, *, by: Any, how: str = "web", reason: str = "",
                  loaded_version: int | None = None) -> None:
    """Move along the workflow (one stage on, pause, leave, come back), guarded by the facts."""
    check_version(participation, loaded_version)
    if status == participation.status:
        raise TransitionRefused("same")
    if status not in next_statuses(participation):
        raise TransitionRefused("not_next")
    if status in INACTIVE_STATUSES and not reason.strip():
        raise TransitionRefused("reason_required")
    _guard(participation, status)
    _set_status(participation, status, by=by, how=how, action="change_status", reason=reason)


def correct_status(participation: Participation, status: str, *, by: Any, reason: str,
                   loaded_version: int | None = None) -> None:
    """Staff set any status, bypassing the workflow, with a reason (audited as a correction)."""
    check_version(participation, loaded_version)
    if status not in STATUSES + INACTIVE_STATUSES:
        raise TransitionRefused("not_next")
    if status == participation.status:
        raise TransitionRefused("same")
    if not reason.strip():
        raise TransitionRefused("reason_required")
    _set_status(participation, status, by=by, how="web", action="correct_status", reason=reason)


def reach_status(campaign: Campaign, member_state: MemberState, status: str, *, by: Any, how: str,
                 because: str) -> bool:
    """A fact recorded elsewhere (a confirmation, an attendance, a letter) moves the status on, never back.

    Paused and non-participating countries stay where they are. Returns whether the status moved.
    """
    participation = participation_of(campaign, member_state)
    if not participation.is_active or participation.has_reached(status):
        return False
    try:
        _guard(participation, status)
    except TransitionRefused:
        return False
    _set_status(participation, status, by=by, how=how, action="reach_status", reason=because)
    return True


# -- assets and their EPF readiness ---------------------------------------------------------------

ASSET_FIELDS = (
    "title", "title_language", "title_en", "institution", "priority_category", "reuse_intents", "reuse_description",
    "model_url", "viewer_url", "europeana_url", "rights_statement", "paradata_technique", "paradata_equipment",
    "paradata_on", "paradata_resolution", "file_formats", "file_size_mb", "metadata_languages",
)
#: What a complete asset description needs ("submitted" is guarded by it).
REQUIRED_FOR_SUBMISSION = ("title", "title_en", "institution", "priority_category", "reuse_intents", "model_url",
                           "rights_statement")


@dataclass
class Readiness:
    """How far an asset's description goes in the Europeana Publishing Framework."""

    #: 0 (not publishable yet) to 4.
    tier: int
    #: Codes of what the next tier needs.
    missing: list[str] = field(default_factory=list)
    #: Codes of warnings: no_paradata, no_reuse_intent.
    warnings: list[str] = field(default_factory=list)
    #: Codes of the fields a complete description still lacks.
    incomplete: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether the description is complete enough to submit."""
        return not self.incomplete


def readiness(asset: Asset) -> Readiness:
    """The content tier an asset reaches (1 to 4), what the next tier needs, and warnings."""
    rights = RIGHTS_STATEMENTS.get(asset.rights_statement, ("", ""))[1]
    if not asset.model_url:
        tier, missing = 0, ["model_url"]
    elif not (asset.viewer_url and asset.file_formats):
        tier = 1
        missing = [code for code, present in (("viewer_url", asset.viewer_url), ("file_formats", asset.file_formats))
                   if not present]
    elif rights == "open":
        tier, missing = 4, []
    elif rights == "restricted":
        tier, missing = 3, ["open_rights"]
    else:
        tier, missing = 2, ["reuse_rights"]
    warnings = []
    if not (asset.paradata_technique or asset.paradata_equipment or asset.paradata_on):
        warnings.append("no_paradata")
    if not asset.reuse_intents:
        warnings.append("no_reuse_intent")
    incomplete = [name for name in REQUIRED_FOR_SUBMISSION if not getattr(asset, name)]
    if "other" in asset.reuse_list and not asset.reuse_description.strip():
        incomplete.append("reuse_description")
    return Readiness(tier, missing, warnings, incomplete)


def assets_of(campaign: Campaign, member_state: MemberState | None = None) -> list[Asset]:
    """A campaign's assets (of one country), oldest first."""
    query = sa.select(Asset).where(Asset.campaign_id == campaign.id).order_by(Asset.member_state_id, Asset.id)
    if member_state is not None:
        query = query.where(Asset.member_state_id == member_state.id)
    return list(db.session.scalars(query))


def _clean_asset_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {}
    for key in ASSET_FIELDS:
        if key not in values:
            continue
        value = values[key]
        if isinstance(value, list):
            value = " ".join(value)
        if isinstance(value, str):
            value = value.strip()
        cleaned[key] = value
    return cleaned


def add_asset(campaign: Campaign, member_state: MemberState, values: dict[str, Any], *, by: Any) -> Asset:
    """Describe a new asset of a country; selecting the first one moves the status to "asset selected"."""
    asset = Asset(campaign=campaign, member_state=member_state, **_clean_asset_values(values))
    db.session.add(asset)
    record_change(asset, by=by, action="create")
    reach_status(campaign, member_state, "asset_selected", by=by, how="web", because="asset described")
    return asset


def update_asset(asset: Asset, values: dict[str, Any], *, loaded_version: int | None, by: Any) -> None:
    """Change an asset's description; a change after review sends it back to draft."""
    check_version(asset, loaded_version)
    for key, value in _clean_asset_values(values).items():
        setattr(asset, key, value)
    changes = record_change(asset, by=by)
    if changes is not None and asset.review_state == "ready":
        asset.review_state = "draft"
        record_change(asset, by=by, action="reopen_review")


def mark_asset_ready(asset: Asset, *, by: Any, loaded_version: int | None = None) -> None:
    """The secretariat has reviewed the description and marks it ready."""
    check_version(asset, loaded_version)
    if not readiness(asset).complete:
        raise TransitionRefused("asset_incomplete")
    asset.review_state, asset.reviewed_at = "ready", utcnow()
    asset.reviewed_by_label = getattr(by, "email", str(by))
    record_change(asset, by=by, action="review")
