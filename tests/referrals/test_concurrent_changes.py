"""Changes made by someone else in the meantime: the second of two answers, and a comment after
the erasure, get a conflict and write nothing."""
import pytest
from sqlalchemy import text, update

from coordination.core.clock import utcnow
from coordination.errors import Conflict
from coordination.extensions import db
from coordination.referrals import services, workflow
from coordination.referrals.models import Referral
from tests.referrals.conftest import FIRST_NAME


def someone_else_commits(referral, **values):
    """Another transaction changes the row (and its version) behind this session's back."""
    db.session.execute(update(Referral.__table__).where(Referral.__table__.c.id == referral.id)
                       .values(version=Referral.__table__.c.version + 1, **values))


def test_accept_and_decline_at_once_the_second_gets_a_conflict(send, referral_partners):
    referral = send()
    services.get_referral(referral.uid, actor=referral_partners.member_b)  # loaded: status "sent", version 1
    someone_else_commits(referral, status=workflow.DECLINED)
    with pytest.raises(Conflict):
        services.accept_referral(referral.uid, actor=referral_partners.member_b)
    db.session.expire_all()
    fresh = db.session.get(Referral, referral.id)
    # Nothing of the late "accept" was written (the test's stand-in for the other transaction is
    # rolled back with it: both ran in this session's transaction).
    assert fresh.status != workflow.ACCEPTED and [e.kind for e in fresh.steps] == [workflow.SENT]


def test_a_comment_never_lands_after_the_erasure(send, referral_partners):
    referral = send()
    services.get_referral(referral.uid, actor=referral_partners.member_a)
    someone_else_commits(referral, personal_data=None, purged_at=utcnow())
    with pytest.raises(Conflict):
        services.add_comment(referral.uid, f"{FIRST_NAME} rappellera.", actor=referral_partners.member_a)
    assert db.session.execute(text("SELECT count(*) FROM referral_steps WHERE comment IS NOT NULL")).scalar() == 0
