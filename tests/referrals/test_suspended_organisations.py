"""Suspended organisations: they cannot comment or answer (a member of both sides acts for the side
the action belongs to), and a suspension never blocks the erasure of a person's data."""
import pytest

from coordination.errors import PermissionDenied
from coordination.extensions import db
from coordination.referrals import services, workflow
from coordination.referrals.models import Referral
from coordination.testing.factories import make_member


def test_a_suspended_organisation_cannot_comment(send, referral_partners):
    referral = send()
    referral_partners.org_b.status = "suspended"
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.add_comment(referral.uid, "Bonjour", actor=referral_partners.member_b)


def test_a_member_of_both_acts_for_the_side_the_action_belongs_to(send, referral_partners):
    both = make_member(referral_partners.org_a)
    make_member(referral_partners.org_b, email=None)  # someone else in B
    from coordination.auth.models import Membership
    db.session.add(Membership(user=both, organisation=referral_partners.org_b, role="member"))
    db.session.commit()
    referral = send()
    referral_partners.org_b.status = "suspended"
    db.session.commit()
    with pytest.raises(PermissionDenied):  # accepting is B's action, and B is suspended
        services.accept_referral(referral.uid, actor=both)


def test_erasure_is_never_blocked_by_a_suspension(send, referral_partners):
    referral = send()
    referral_partners.org_a.status = "suspended"
    db.session.commit()
    services.withdraw_consent(referral.uid, actor=referral_partners.member_a)
    fresh = db.session.get(Referral, referral.id)
    assert fresh.status == workflow.WITHDRAWN and fresh.personal_data is None
