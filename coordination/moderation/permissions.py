"""Who moderates: the coordination reads the queue, decides error reports and pending organisations,
and unpublishes stale places. Anyone may report an error on a public place."""
from coordination.auth import permissions as auth_permissions
from coordination.errors import PermissionDenied


def can_moderate(actor) -> bool:
    return auth_permissions.is_coordinator(actor)


def require_moderator(actor) -> None:
    if not can_moderate(actor):
        raise PermissionDenied()
