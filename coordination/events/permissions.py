"""Who may do what with network meetings. Coordinators schedule and follow them; a member sees the
meetings they are invited to, as long as they belong to an active organisation."""
from coordination.auth import permissions as auth_permissions


def can_manage_meetings(actor) -> bool:
    """Create, move or cancel series and meetings; see every answer."""
    return auth_permissions.is_coordinator(actor)


def can_see_responses(actor) -> bool:
    return auth_permissions.is_coordinator(actor)


def active_organisations(actor) -> list:
    """The active organisations the actor is a member of (the ones whose meetings they see)."""
    if not auth_permissions.is_authenticated(actor):
        return []
    return [m.organisation for m in actor.memberships if m.organisation.is_active]


def can_view_meeting(actor, meeting) -> bool:
    """Coordinators, and the people invited for an organisation they still belong to, still active."""
    if can_manage_meetings(actor):
        return True
    if not auth_permissions.is_authenticated(actor):
        return False
    return any(invitation.user_id == actor.id and auth_permissions.can_act_for(actor, invitation.organisation)
               for invitation in meeting.invitations)


def can_answer(actor, invitation) -> bool:
    """The invited person, for an active organisation they still belong to."""
    return (auth_permissions.is_authenticated(actor) and invitation.user_id == actor.id
            and auth_permissions.can_act_for(actor, invitation.organisation))


def can_see_meetings(actor) -> bool:
    """Coordinators, and members of an active organisation: the others (pending, suspended,
    refused organisations, anonymous visitors) see no meeting at all."""
    return can_manage_meetings(actor) or bool(active_organisations(actor))


def can_name_delegates(actor, organisation) -> bool:
    """Admins of an active organisation choose who attends for it."""
    return auth_permissions.is_org_admin(actor, organisation) and organisation.is_active
