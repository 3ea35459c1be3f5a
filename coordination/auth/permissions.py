"""Who may do what with organisations and their members. Services call these; views only mirror them."""
from coordination.auth.models import Organisation, User
from coordination.errors import PermissionDenied


def is_authenticated(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active


def is_coordinator(actor) -> bool:
    return is_authenticated(actor) and actor.is_coordinator


def require_coordinator(actor, message: str | None = None) -> None:
    """For the services of every domain: PermissionDenied (``message``, in French) unless the actor
    is a coordinator."""
    if not is_coordinator(actor):
        raise PermissionDenied(message)


def is_member(actor, organisation: Organisation) -> bool:
    return is_authenticated(actor) and actor.membership_in(organisation.id) is not None


def is_org_admin(actor, organisation: Organisation) -> bool:
    if not is_authenticated(actor):
        return False
    membership = actor.membership_in(organisation.id)
    return membership is not None and membership.role == "admin"


def can_view_organisation(actor, organisation: Organisation) -> bool:
    return is_coordinator(actor) or is_member(actor, organisation)


def can_manage_members(actor, organisation: Organisation) -> bool:
    """Only the organisation's own admins manage its members: the coordination role never makes
    anyone a member (members read the residents' data of their organisation's referrals)."""
    return is_org_admin(actor, organisation) and organisation.is_active


def can_invite_first_admin(actor, organisation: Organisation, *, has_admin: bool) -> bool:
    """A coordinator gives an organisation that has no admin yet (created by an import, say) its
    first admin. The service checks the invited person is someone else, and not a coordinator."""
    return is_coordinator(actor) and not has_admin and organisation.status in ("pending", "active")


def can_invite(actor, organisation: Organisation, *, has_admin: bool) -> bool:
    return can_manage_members(actor, organisation) or can_invite_first_admin(actor, organisation,
                                                                             has_admin=has_admin)


def can_decide_organisation(actor) -> bool:
    return is_coordinator(actor)


def can_act_for(actor: User, organisation: Organisation) -> bool:
    """A member may act for an active organisation only."""
    return is_member(actor, organisation) and organisation.is_active
