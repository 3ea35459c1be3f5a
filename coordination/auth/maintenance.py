"""Nightly clean-up of the account tables (run by the scheduler, see jobs.py)."""
from datetime import timedelta

from sqlalchemy import delete, or_

from coordination.auth.models import LoginFailure, UserSession
from coordination.core.clock import utcnow
from coordination.extensions import db

# A revoked session is kept a while so that the account page and the audit can be understood.
ENDED_SESSION_KEPT = timedelta(days=30)


def purge_sessions() -> int:
    """Deletes the sessions that ended (revoked or expired) more than ENDED_SESSION_KEPT ago."""
    before = utcnow() - ENDED_SESSION_KEPT
    deleted = db.session.execute(delete(UserSession).where(
        or_(UserSession.revoked_at < before, UserSession.expires_at < before))).rowcount
    db.session.commit()
    return deleted


def purge_login_failures() -> int:
    """Wrong passwords are remembered for a day only (they carry a hash of the client address)."""
    from coordination.auth.services import LOGIN_FAILURE_MEMORY
    deleted = db.session.execute(delete(LoginFailure).where(
        LoginFailure.failed_at < utcnow() - LOGIN_FAILURE_MEMORY)).rowcount
    db.session.commit()
    return deleted
