"""Who runs campaigns and who says « Tout est à jour »."""
from coordination.auth import permissions as auth_permissions
from coordination.auth.models import Organisation


def can_run_campaigns(actor) -> bool:
    """Campaigns and their progress are the coordination's."""
    return auth_permissions.is_coordinator(actor)


def can_confirm_all(actor, organisation: Organisation) -> bool:
    """"Tout est à jour" is the partner's word, as for one place: members of the active organisation."""
    return auth_permissions.can_act_for(actor, organisation)
