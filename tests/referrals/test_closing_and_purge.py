"""Accepted referrals that nobody closes are closed, then purged; the purge also clears a comment
left on an erased referral."""
from datetime import timedelta

from sqlalchemy import text, update

from coordination.core.clock import utcnow
from coordination.extensions import db
from coordination.referrals import deadlines, services, workflow
from coordination.referrals.models import Referral
from tests.referrals.conftest import FIRST_NAME


def test_accepted_referrals_without_outcome_are_closed_then_purged(app, send, referral_partners, mail_outbox):
    old, recent = send(), send()
    for referral in (old, recent):
        services.accept_referral(referral.uid, actor=referral_partners.member_b)
    now = utcnow()
    outcome_days = app.config["REFERRAL_OUTCOME_DAYS"]
    db.session.execute(update(Referral.__table__).where(Referral.__table__.c.id == old.id)
                       .values(answered_at=now - timedelta(days=outcome_days + 1)))
    db.session.execute(update(Referral.__table__).where(Referral.__table__.c.id == recent.id)
                       .values(answered_at=now - timedelta(days=outcome_days - 1)))
    db.session.commit()
    db.session.expire_all()

    assert deadlines.close_unfinished(now=now) == 1
    assert deadlines.close_unfinished(now=now) == 0  # idempotent
    closed = db.session.get(Referral, old.id)
    assert closed.status == workflow.CLOSED and closed.closed_at == now
    assert closed.steps[-1].actor_id is None and closed.steps[-1].reason == "auto"
    assert db.session.get(Referral, recent.id).status == workflow.ACCEPTED
    notices = [m for m in mail_outbox() if "faute d’issue" in m.subject]
    assert {m.recipient for m in notices} == {referral_partners.member_a.email, referral_partners.member_b.email}
    assert all(FIRST_NAME not in m.body_text for m in notices)

    later = now + timedelta(days=app.config["REFERRAL_RETENTION_DAYS"])
    assert deadlines.purge_personal_data(now=later) == 1
    assert db.session.get(Referral, old.id).personal_data is None


def test_the_purge_also_clears_a_comment_left_on_an_erased_referral(send, referral_partners):
    referral = send()
    step = services.add_comment(referral.uid, "Rappel jeudi.", actor=referral_partners.member_b)
    db.session.execute(update(Referral.__table__).values(purged_at=utcnow(), personal_data=None))
    db.session.commit()
    deadlines.purge_personal_data()
    assert db.session.execute(text("SELECT comment FROM referral_steps WHERE id = :id"),
                              {"id": step.id}).scalar() is None
