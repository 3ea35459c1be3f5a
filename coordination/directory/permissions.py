"""Who may see and change which places."""
from coordination.auth import permissions as auth_permissions


def can_edit_place(actor, place) -> bool:
    """Members of the place's active organisation edit its listing; coordinators moderate every place."""
    if place.deleted_at is not None:
        return False
    return auth_permissions.is_coordinator(actor) or auth_permissions.can_act_for(actor, place.organisation)


def can_create_place(actor, organisation) -> bool:
    return auth_permissions.is_coordinator(actor) or auth_permissions.can_act_for(actor, organisation)


def can_delete_place(actor, place) -> bool:
    return can_edit_place(actor, place)


def can_confirm_place(actor, place) -> bool:
    """"Still accurate" is the partner's word: only members of the place's active organisation give it."""
    return place.deleted_at is None and auth_permissions.can_act_for(actor, place.organisation)


def can_view_place(actor, place) -> bool:
    """Published places of active organisations are public; the rest only to those who can edit them."""
    return place.is_public or can_edit_place(actor, place)


def can_moderate(actor) -> bool:
    """The coordination's list of every place of the network."""
    return auth_permissions.is_coordinator(actor)


def can_manage_members(actor, organisation) -> bool:
    return auth_permissions.can_manage_members(actor, organisation)


def can_manage_labels(actor) -> bool:
    """The network's own labels are the coordination's word: only coordinators define them."""
    return auth_permissions.is_coordinator(actor)


def can_pick_places(actor) -> bool:
    """The place picker of the meeting and referral forms: coordinators and members of an active
    organisation (the places it offers are public; the limit keeps robots off)."""
    return auth_permissions.is_coordinator(actor) or (
        auth_permissions.is_authenticated(actor)
        and any(m.organisation.is_active for m in getattr(actor, "memberships", ())))
