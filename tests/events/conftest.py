"""Meeting fixtures: organisations in every state with members, a coordinator, and a meeting with
invitations made directly through the models (independent of the scheduling services)."""
from datetime import timedelta
from types import SimpleNamespace

import pytest

from coordination.core.clock import utcnow
from coordination.events.models import Meeting, MeetingInvitation
from coordination.extensions import db as _db


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
