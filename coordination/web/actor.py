"""Who is acting, for the services' ``actor=`` argument."""
from flask_login import current_user


def current_actor():
    """The logged-in user, or Flask-Login's anonymous user: the real object, not the proxy (a proxy
    kept in ``g`` or in an audit record would follow the next request's user)."""
    return current_user._get_current_object()
