"""Who may do what with referrals. Only members of the two organisations see a referral at all;
coordinators see statistics, never a referral or a person."""
from coordination.auth import permissions as auth_permissions


def side(actor, referral) -> str | None:
    """"sender", "receiver", "both" (member of the two organisations) or None (an outsider)."""
    sender = auth_permissions.is_member(actor, referral.sender_organisation)
    receiver = auth_permissions.is_member(actor, referral.receiver_organisation)
    if sender and receiver:
        return "both"
    return "sender" if sender else ("receiver" if receiver else None)


def can_view(actor, referral) -> bool:
    return side(actor, referral) is not None


def can_send_from(actor, organisation) -> bool:
    """Members of an active organisation send referrals in its name."""
    return auth_permissions.can_act_for(actor, organisation)


def can_receive(place) -> bool:
    """A published place of an active organisation that has not declined referrals."""
    return place.is_public and place.accepts_referrals


def can_see_statistics(actor) -> bool:
    return auth_permissions.is_coordinator(actor)
