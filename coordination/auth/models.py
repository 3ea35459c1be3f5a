from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash
from flask_babel import gettext as _

from coordination.core.clock import to_paris, utcnow
from coordination.core.french import time_fr
from coordination.extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # always stored lower-cased
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    is_coordinator: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]

    memberships: Mapped[list["Membership"]] = relationship(back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    # The token of the session this object was loaded for (not a column): see UserSession.
    session_token = None  # str | None

    def get_id(self) -> str:
        # What Flask-Login keeps in the session cookie and the « rester connecté » cookie: the
        # account and the token of one server-side session, which logout revokes.
        return f"{self.id}:{self.session_token or ''}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def membership_in(self, organisation_id: int) -> "Membership | None":
        return next((m for m in self.memberships if m.organisation_id == organisation_id), None)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class Organisation(db.Model):
    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("status in ('pending', 'active', 'refused', 'suspended')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    pivot: Mapped[str] = mapped_column(String(14), unique=True)  # SIRET (14 digits) or RNA (W + 9)
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    website: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(String(1000))  # what it does, in its own words
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    refusal_reason: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The directory import that created it (None: it asked to join, or was created by hand).
    import_id: Mapped[int | None] = mapped_column(ForeignKey("organisation_imports.id", ondelete="SET NULL"),
                                                  index=True)

    memberships: Mapped[list["Membership"]] = relationship(back_populates="organisation",
                                                           cascade="all, delete-orphan")
    source_import: Mapped["OrganisationImport | None"] = relationship()

    @property
    def from_import(self) -> bool:
        return self.import_id is not None

    @property
    def is_active(self) -> bool:
        return self.status == "active"


class OrganisationImport(db.Model):
    """One applied directory import that created organisations: who, which file, and what the
    coordinator decided for them (accepted at once, or pending; whether they may be told by mail).
    Their addresses come from a file: nobody is mailed unless ``notify`` was ticked (issue 15)."""
    __tablename__ = "organisation_imports"
    __table_args__ = (CheckConstraint("publication in ('accepted', 'pending')", name="publication"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    file_name: Mapped[str | None] = mapped_column(String(255))
    publication: Mapped[str] = mapped_column(String(10), default="pending")
    notify: Mapped[bool] = mapped_column(default=False)
    organisations_created: Mapped[int] = mapped_column(default=0)

    actor: Mapped["User | None"] = relationship()

    @property
    def label(self) -> str:
        when = to_paris(self.created_at)
        values = {"id": self.id, "date": f"{when:%d/%m/%Y}", "time": time_fr(when), "file": self.file_name}
        if self.file_name:
            return _("Import n° %(id)s du %(date)s à %(time)s — %(file)s", **values)
        return _("Import n° %(id)s du %(date)s à %(time)s", **values)


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "organisation_id", name="uq_memberships_user_organisation"),
        CheckConstraint("role in ('admin', 'member')", name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(10), default="member")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


class Invitation(db.Model):
    """An emailed invitation to join an organisation. The link carries a signed id and nonce;
    accepted_at makes it single use."""
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(10), default="member")
    nonce: Mapped[str] = mapped_column(String(64))
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Sent by a coordinator giving an organisation with no admin its first admin (not by its admins).
    by_coordination: Mapped[bool] = mapped_column(default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    organisation: Mapped[Organisation] = relationship()


class UserSession(db.Model):
    """One open session of an account (a browser). Its token, kept hashed, is in the session and
    « rester connecté » cookies: logging out revokes the row, so a copy of a cookie dies with it."""
    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None]


class LoginFailure(db.Model):
    """A wrong password for an address typed in the login form (an account or not: no
    enumeration). The client address is kept only as a keyed hash."""
    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_email_failed_at", "email", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address_hash: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
