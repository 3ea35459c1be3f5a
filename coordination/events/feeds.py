"""Private calendar feeds: one secret URL per person, with every meeting they are invited to.

The token is shown once, when the feed is created; only its SHA-256 is stored, so a copy of the
database gives no feed away. A person has one feed at a time: creating a new one revokes the
previous. A revoked or unknown token, and the feed of someone who is no longer a member of an
active organisation, answer 404 (the feed row stays: it works again if the organisation is
reactivated, unless it was revoked)."""
import hashlib
import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from coordination import audit
from coordination.auth import permissions as auth_permissions
from coordination.core.clock import utcnow
from coordination.errors import NotFound, PermissionDenied
from coordination.events import ics, permissions, services
from coordination.events.models import CalendarFeed
from coordination.extensions import db
from coordination.utils import external_url

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def active_feed(actor) -> CalendarFeed | None:
    if not auth_permissions.is_authenticated(actor):
        return None
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == actor.id,
                                                        CalendarFeed.revoked_at.is_(None)))


def create_feed(*, actor) -> str:
    """A new private feed URL for the actor (returned once, never stored); revokes the previous one."""
    if not permissions.can_see_meetings(actor):
        raise PermissionDenied(_("Le calendrier des réunions est réservé aux membres des organisations actives."))
    now = utcnow()
    for feed in db.session.scalars(select(CalendarFeed).where(CalendarFeed.user_id == actor.id,
                                                              CalendarFeed.revoked_at.is_(None))):
        feed.revoked_at = now
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeed(user_id=actor.id, token_hash=token_hash(token), created_at=now)
    db.session.add(feed)
    db.session.flush()
    audit.record(actor, "calendar_feed.create", "calendar_feed", feed.id)
    db.session.commit()
    return external_url("events.feed", token=token)


def revoke_feed(feed_id: int, *, actor) -> CalendarFeed:
    feed = db.session.get(CalendarFeed, feed_id)
    if feed is None:
        raise NotFound(_("Ce calendrier n'existe pas."))
    if not (auth_permissions.is_authenticated(actor) and (feed.user_id == actor.id
                                                          or auth_permissions.is_coordinator(actor))):
        raise PermissionDenied()
    if feed.revoked_at is None:
        feed.revoked_at = utcnow()
        audit.record(actor, "calendar_feed.revoke", "calendar_feed", feed.id)
        db.session.commit()
    return feed


def feed_owner(token: str):
    """The user a live feed token belongs to; NotFound for a revoked or unknown token, or a person
    who may no longer see the network's meetings."""
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == token_hash(token)))
    if feed is None or feed.revoked_at is not None or not permissions.can_see_meetings(feed.user):
        raise NotFound(_("Ce calendrier n'existe pas ou a été révoqué."))
    return feed.user


def feed_body(token: str) -> bytes:
    user = feed_owner(token)
    meetings = services.meetings_for_user(user)
    return ics.feed_calendar(meetings, name=_("Réunions du réseau"))
