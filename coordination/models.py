"""Imports every domain's models so that Alembic and the mapper see them all. Defines nothing."""
from coordination.audit import AuditRecord  # noqa: F401
from coordination.auth.models import Invitation, Membership, Organisation, User  # noqa: F401
from coordination.directory.models import (  # noqa: F401
    GeocodeCache,
    Place,
    PlaceClosure,
    SearchIndexQueue,
    SearchLog,
)
from coordination.freshness.models import FreshnessCampaign, FreshnessReminder  # noqa: F401
from coordination.moderation.models import PlaceReport  # noqa: F401
from coordination.events.models import (  # noqa: F401
    CalendarFeed,
    Meeting,
    MeetingDelegate,
    MeetingInvitation,
    MeetingSeries,
)
from coordination.mail import Message  # noqa: F401
from coordination.referrals.models import Referral, ReferralStep  # noqa: F401
