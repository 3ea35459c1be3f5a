"""Meeting fixtures: organisations in every state with members, a coordinator, and a meeting with
invitations made directly through the models (independent of the scheduling services)."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from coordination.core.clock import utcnow
from coordination.events.models import Meeting, MeetingInvitation
from coordination.extensions import db as _db
from tests.conftest import make_member, make_organisation, make_user


def make_meeting(*, starts_in=timedelta(days=10), hours=2.5, **fields) -> Meeting:
    start = (utcnow() + starts_in).replace(second=0, microsecond=0)
    values = dict(title="Réunion trimestrielle du réseau", starts_at=start, ends_at=start + timedelta(hours=hours),
                  address="Maison des associations, 2 rue Kervégan, 44000 Nantes",
                  agenda="1. Tour de table\n2. **Actualités** du réseau")
    values.update(fields)
    meeting = Meeting(**values)
    _db.session.add(meeting)
    _db.session.commit()
    return meeting


def invite(meeting, user, organisation, **fields) -> MeetingInvitation:
    invitation = MeetingInvitation(meeting=meeting, user=user, organisation=organisation, **fields)
    _db.session.add(invitation)
    _db.session.commit()
    return invitation


@pytest.fixture
def network(db):
    active = make_organisation("Association Clic et Déclic")
    other = make_organisation("Médiathèque Diderot", kind="mediatheque")
    pending = make_organisation("Centre social en attente", status="pending")
    suspended = make_organisation("Association suspendue", status="suspended")
    return SimpleNamespace(
        active=active, other=other, pending=pending, suspended=suspended,
        admin=make_member(active, role="admin", name="Alice Admin"),
        member=make_member(active, name="Bruno Membre"),
        other_member=make_member(other, name="Chloé Diderot"),
        pending_member=make_member(pending, name="Denis Attente"),
        suspended_member=make_member(suspended, name="Élise Suspendue"),
        outsider=make_user(name="Fabien Dehors"),
        coordinator=make_user(coordinator=True, name="Gaëlle Coordination"),
    )


@pytest.fixture
def meeting(network):
    """A meeting in ten days: the three members of active organisations and the suspended
    organisation's member (invited before the suspension) are invited."""
    found = make_meeting()
    found.test_invitations = SimpleNamespace(
        admin=invite(found, network.admin, network.active),
        member=invite(found, network.member, network.active),
        other=invite(found, network.other_member, network.other),
        suspended=invite(found, network.suspended_member, network.suspended),
    )
    return found
