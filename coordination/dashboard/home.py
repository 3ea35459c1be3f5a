"""What waits, counted by the domains that own it: for the coordinators on the coordination home
(/coordination), counts only (no resident, no referred person appears); for a partner on the
partner home (/espace-partenaire), about their own organisations."""
from dataclasses import dataclass
from datetime import datetime
from flask_babel import gettext as _

from coordination.auth import permissions
from coordination.auth import services as auth_services
from coordination.core.clock import utcnow
from coordination.moderation import services as moderation
from coordination.freshness import services as freshness
from coordination.events import rsvp
from coordination.events import services as events_services
from coordination.events.models import Meeting, MeetingInvitation
from coordination.referrals import queries as referral_queries
from coordination.referrals import statistics as referral_statistics


@dataclass
class CoordinationHome:
    pending_organisations: int
    open_reports: int
    stale_places: int
    overdue_referrals: int
    next_meeting: Meeting | None

    @property
    def nothing_waits(self) -> bool:
        return not (self.pending_organisations or self.open_reports or self.stale_places or self.overdue_referrals)


def coordination_home(*, actor, now: datetime | None = None) -> CoordinationHome:
    permissions.require_coordinator(actor, _("L'espace coordination est réservé à l'équipe de coordination."))
    now = now or utcnow()
    return CoordinationHome(
        pending_organisations=auth_services.pending_organisation_count(actor=actor),
        open_reports=moderation.open_report_count(actor=actor),
        stale_places=moderation.stale_place_count(actor=actor),
        overdue_referrals=referral_statistics.overdue_count(actor=actor, now=now),
        next_meeting=events_services.next_meeting(actor=actor, now=now),
    )


@dataclass
class PartnerWaiting:
    referrals_to_answer: int
    places_to_confirm: int
    invitation: MeetingInvitation | None  # to the next meeting, not answered yet

    @property
    def nothing_waits(self) -> bool:
        return not (self.referrals_to_answer or self.places_to_confirm or self.invitation)


def partner_waiting(*, actor, now: datetime | None = None) -> PartnerWaiting:
    """What waits for a partner, on their partner home; only what concerns their own organisations."""
    now = now or utcnow()
    return PartnerWaiting(
        referrals_to_answer=referral_queries.to_answer_count(actor),
        places_to_confirm=freshness.places_to_confirm_count(actor=actor, now=now),
        invitation=rsvp.next_unanswered_invitation(actor, now=now),
    )
