"""Referrals (orientations) from one organisation's member to another organisation's place.

What identifies the person (names, contact, language, the need in their words, and the comments the
two organisations exchange) is only ever stored encrypted (``personal_data``, ``ReferralStep.comment``)
and erased after closure. Everything else is anonymous and stays for statistics.
"""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.auth.models import Organisation, User
from coordination.core.clock import utcnow
from coordination.directory.models import Place, new_public_id
from coordination.extensions import db


class Referral(db.Model):
    __tablename__ = "referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)  # in URLs, not guessable
    # The form's one-time key: a double click or a reload posts it twice, the second finds the first.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)

    sender_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    sender_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True)
    receiver_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    service: Mapped[str] = mapped_column(String(100))
    urgent: Mapped[bool] = mapped_column(default=False)
    contact_channel: Mapped[str] = mapped_column(String(10))  # phone | email | sms | sender

    # Fernet token of a JSON object: first_name, last_name, phone, email, language, need.
    personal_data: Mapped[str | None] = mapped_column(Text)

    status: Mapped[str] = mapped_column(String(20), default="sent", index=True)
    decline_reason: Mapped[str | None] = mapped_column(String(30))
    outcome: Mapped[str | None] = mapped_column(String(20))
    redirected_place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id", ondelete="SET NULL"))

    consent_at: Mapped[datetime]
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    consent_method: Mapped[str] = mapped_column(String(10))  # oral | written
    consent_text_version: Mapped[str] = mapped_column(String(20))
    consent_withdrawn_at: Mapped[datetime | None]

    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    answered_at: Mapped[datetime | None]  # accepted or declined
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    expires_at: Mapped[datetime]  # still "sent" then: expired
    next_reminder_at: Mapped[datetime | None] = mapped_column(index=True)
    reminders_sent: Mapped[int] = mapped_column(default=0)
    purged_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime | None]  # a transition or a comment: every action updates the row
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    sender_organisation: Mapped[Organisation] = relationship(foreign_keys=[sender_organisation_id])
    receiver_organisation: Mapped[Organisation] = relationship(foreign_keys=[receiver_organisation_id])
    sender_user: Mapped[User | None] = relationship(foreign_keys=[sender_user_id])
    consent_recorded_by: Mapped[User | None] = relationship(foreign_keys=[consent_recorded_by_id])
    place: Mapped[Place] = relationship(foreign_keys=[place_id])
    redirected_place: Mapped[Place | None] = relationship(foreign_keys=[redirected_place_id])
    steps: Mapped[list["ReferralStep"]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="ReferralStep.id")

    # Two people acting at once (accept and decline, a comment and the erasure, a job and a click):
    # the second UPDATE finds another version and fails instead of overwriting the first.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy reads it once


class ReferralStep(db.Model):
    """The timeline: each transition and each comment, with its author and time."""
    __tablename__ = "referral_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))  # a status reached, or "comment"
    from_status: Mapped[str | None] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(30))  # decline reason or outcome code
    comment: Mapped[str | None] = mapped_column(Text)  # Fernet token; erased with the personal data

    referral: Mapped[Referral] = relationship(back_populates="steps")
    actor: Mapped[User | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
