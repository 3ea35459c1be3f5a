"""The freshness domain's tables: campaigns of "tout est à jour ?" reminders and the reminders."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.auth.models import Organisation
from coordination.core.clock import utcnow
from coordination.extensions import db


class FreshnessCampaign(db.Model):
    """A round of "tout est à jour ?" reminders, launched by a coordinator for all organisations or
    some (``organisation_ids``), or the rolling campaign the reminder job runs on its own."""
    __tablename__ = "freshness_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_ids: Mapped[list | None] = mapped_column(JSON)  # None: every active organisation
    automatic: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None]

    reminders: Mapped[list["FreshnessReminder"]] = relationship(back_populates="campaign")


class FreshnessReminder(db.Model):
    """One reminder to one organisation in one campaign (at most one), with its single-use
    "tout est à jour" link."""
    __tablename__ = "freshness_reminders"
    __table_args__ = (UniqueConstraint("campaign_id", "organisation_id", name="uq_freshness_reminders_campaign_org"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("freshness_campaigns.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    place_ids: Mapped[list] = mapped_column(JSON, default=list)  # the places listed in the message
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    link_used_at: Mapped[datetime | None]  # the signed link works once

    campaign: Mapped[FreshnessCampaign] = relationship(back_populates="reminders")
    organisation: Mapped[Organisation] = relationship()
