"""Account use cases: authentication, organisations joining the network, members, invitations."""
import logging

from sqlalchemy import func, select

from coordination import audit
from coordination.auth.models import User, utcnow
from coordination.extensions import db

log = logging.getLogger(__name__)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def load_user(session_id: str) -> User | None:
    """Flask-Login loader. The session id embeds a fragment of the password hash, so that
    changing a password ends every other session."""
    user_id, _, stamp = (session_id or "").partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or session_stamp(user) != stamp:
        return None
    return user


def session_stamp(user: User) -> str:
    return (user.password_hash or "")[-10:]


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def authenticate(email: str, password: str) -> User | None:
    """Returns the active user with these credentials, or None (same answer for every failure)."""
    user = find_user_by_email(email)
    if user is None or not user.active or not user.check_password(password):
        log.info("failed login")
        return None
    user.last_login_at = utcnow()
    audit.record(user, "user.login", "user", user.id)
    db.session.commit()
    return user
