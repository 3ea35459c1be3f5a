"""Network meetings: a series (recurrence rule) and its occurrences, invitations with answers,
the people an organisation sends, and private calendar feeds.

Times are stored as naive UTC like everywhere else; a series keeps its rule and its first start in
Paris wall-clock time, so that a 14:00 meeting stays at 14:00 across daylight-saving changes.
"""
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coordination.auth.models import Organisation, User
from coordination.core.clock import utcnow
from coordination.directory.models import Place, new_public_id
from coordination.extensions import db


# The organisations chosen for a series or a meeting that does not invite every organisation.
series_organisations = Table(
    "meeting_series_organisations", db.metadata,
    Column("series_id", ForeignKey("meeting_series.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True),
)
meeting_organisations = Table(
    "meeting_organisations", db.metadata,
    Column("meeting_id", ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class MeetingSeries(db.Model):
    __tablename__ = "meeting_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    rrule: Mapped[str] = mapped_column(String(500))  # RFC 5545 RRULE value, e.g. FREQ=MONTHLY;INTERVAL=3;BYDAY=2TU
    first_start_local: Mapped[datetime]  # Europe/Paris wall-clock time of the first occurrence
    duration_minutes: Mapped[int] = mapped_column(default=150)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id", ondelete="SET NULL"))
    address: Mapped[str | None] = mapped_column(String(300))
    video_url: Mapped[str | None] = mapped_column(String(500))
    agenda: Mapped[str | None] = mapped_column(Text)  # Markdown, sanitised when shown
    capacity: Mapped[int | None]
    invitation_days: Mapped[int] = mapped_column(default=30)  # invitations sent this many days ahead
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Every active organisation is invited, or only ``organisations`` (copied to each occurrence).
    invite_all: Mapped[bool] = mapped_column(default=True, server_default=true())

    place: Mapped[Place | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    organisations: Mapped[list[Organisation]] = relationship(secondary=series_organisations,
                                                             order_by=Organisation.name)
    meetings: Mapped[list["Meeting"]] = relationship(back_populates="series", order_by="Meeting.starts_at")


class Meeting(db.Model):
    """One occurrence (of a series, or a single meeting). ``uid`` and ``sequence`` are the
    iCalendar UID and SEQUENCE: the UID never changes, the sequence grows with each change sent."""
    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("series_id", "occurrence_local", name="uq_meetings_series_occurrence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(80), unique=True, default=lambda: f"{new_public_id()}@maillage")
    series_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_series.id", ondelete="SET NULL"), index=True)
    # The occurrence of the rule this meeting is (Paris wall-clock), kept when it is moved: the
    # scheduler never materialises it a second time.
    occurrence_local: Mapped[datetime | None]
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)  # naive UTC
    ends_at: Mapped[datetime]
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id", ondelete="SET NULL"))
    address: Mapped[str | None] = mapped_column(String(300))
    video_url: Mapped[str | None] = mapped_column(String(500))
    agenda: Mapped[str | None] = mapped_column(Text)
    capacity: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(12), default="scheduled", index=True)  # scheduled | cancelled
    sequence: Mapped[int] = mapped_column(default=0)
    invitation_days: Mapped[int] = mapped_column(default=30)
    invitations_sent_at: Mapped[datetime | None]
    minutes: Mapped[str | None] = mapped_column(Text)  # Markdown
    minutes_published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The coordinator who created it (or its series): the ORGANIZER of its invitations.
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    invite_all: Mapped[bool] = mapped_column(default=True, server_default=true())

    series: Mapped[MeetingSeries | None] = relationship(back_populates="meetings")
    place: Mapped[Place | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    organisations: Mapped[list[Organisation]] = relationship(secondary=meeting_organisations,
                                                             order_by=Organisation.name)
    invitations: Mapped[list["MeetingInvitation"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="MeetingInvitation.id")


class MeetingInvitation(db.Model):
    """One person invited to one meeting, for one organisation, and their answer."""
    __tablename__ = "meeting_invitations"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id", name="uq_meeting_invitations_meeting_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    response: Mapped[str] = mapped_column(String(10), default="pending")  # pending | yes | no | maybe
    responded_at: Mapped[datetime | None]
    waitlisted_at: Mapped[datetime | None]  # answered yes when the meeting was full: waits, in this order
    sent_sequence: Mapped[int | None]  # the meeting's SEQUENCE last mailed to this person
    attended: Mapped[bool | None]  # recorded by the coordinator after the meeting
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="invitations")
    user: Mapped[User] = relationship()
    organisation: Mapped[Organisation] = relationship()


class MeetingDelegate(db.Model):
    """The members an organisation names to attend the network's meetings (when it names none,
    every member is invited)."""
    __tablename__ = "meeting_delegates"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id", name="uq_meeting_delegates_org_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))

    user: Mapped[User] = relationship()


class CalendarFeed(db.Model):
    """A private iCalendar feed URL. Only the token's SHA-256 is stored; revoking ends it."""
    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
